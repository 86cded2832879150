"""Access-matrix entries for the finance publication pages (same format as tests/contacts/matrix_contacts.py).

Who: the published status of contributions, its archive, files and summary ledger, the payment
pattern and its CSVs, and the finance API are public (they show only what was published); only the
finance and admin staff publish a status.

Optional hooks read by tests/test_access_matrix.py: `build_targets(t) -> dict` (objects the URLs
need, read back as `t.extra[name]`) and `SNAPSHOT_MODELS` (models a refused write must leave
unchanged).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from secretariat.finance.models import ContributionStatus
from tests.factories import UserFactory
from tests.reporting.matrix_common import DENIED, EVERYONE, LOGIN, NOT_ALLOWED, OK, Write, expect

PUBLISHERS = expect(anonymous=LOGIN, non_staff=DENIED, staff=DENIED, staff_admin=OK, staff_finance=OK)
# A year no other area's targets issue (one run per year may be issued).
YEAR = 2017


def build_targets(t: Any) -> dict[str, Any]:
    """Invoices of YEAR issued to Ghana and Mexico, a payment from Mexico, and the status of
    contributions published as of 31 March YEAR (with its PDF and XLSX)."""
    from secretariat.finance.services.invoices import invoices_issue
    from secretariat.finance.services.payments import payment_record
    from secretariat.finance.services.publication import status_publish
    from tests.finance.factories import approved_run, fund

    user = UserFactory(email="matrix.publisher@example.org")
    run = approved_run({"GHA": "1000.00", "MEX": "5000.00"}, year=YEAR)
    invoices = invoices_issue(run=run, user=user, issued_on=dt.date(YEAR - 1, 10, 15))
    mexico = next(invoice.state for invoice in invoices if invoice.state.iso3 == "MEX")
    payment_record(fund=fund(), state=mexico, received_on=dt.date(YEAR, 2, 1), amount=Decimal("3000.00"), user=user)
    return {"publication": status_publish(user=user, as_of=dt.date(YEAR, 3, 31))}


def _day(t: Any) -> str:
    return t.extra["publication"].as_of.isoformat()


PAGES: dict[str, tuple[Any, dict[str, str]]] = {
    "finance/contributions/": (lambda t: "/finance/contributions/", EVERYONE),
    "finance/contributions/archive/": (lambda t: "/finance/contributions/archive/", EVERYONE),
    "finance/contributions/publish/": (lambda t: "/finance/contributions/publish/", PUBLISHERS),
    "finance/contributions/<iso_date:as_of>/": (lambda t: f"/finance/contributions/{_day(t)}/", EVERYONE),
    "finance/contributions/<iso_date:as_of>/status.pdf": (
        lambda t: f"/finance/contributions/{_day(t)}/status.pdf",
        EVERYONE,
    ),
    "finance/contributions/<iso_date:as_of>/status.xlsx": (
        lambda t: f"/finance/contributions/{_day(t)}/status.xlsx",
        EVERYONE,
    ),
    "finance/contributions/<iso_date:as_of>/ledger/": (lambda t: f"/finance/contributions/{_day(t)}/ledger/", EVERYONE),
    "finance/payment-pattern/": (lambda t: "/finance/payment-pattern/", EVERYONE),
    "finance/payment-pattern/<slug:chart>.csv": (lambda t: "/finance/payment-pattern/states-by-year.csv", EVERYONE),
    "api/v1/finance/contributions/": (lambda t: "/api/v1/finance/contributions/?year=2017", EVERYONE),
    "api/v1/finance/assessments/<int:year>/": (lambda t: f"/api/v1/finance/assessments/{YEAR}/", EVERYONE),
}

WRITES: dict[str, Write] = {
    "publish the status of contributions": Write(
        "post",
        lambda t: "/finance/contributions/publish/",
        lambda t: {"as_of": f"{YEAR}-06-30"},
        ["staff_admin", "staff_finance"],
        (LOGIN, DENIED),
    ),
    "write the status of contributions through the API": Write(
        "post", lambda t: "/api/v1/finance/contributions/", lambda t: {"year": YEAR}, [], (DENIED, NOT_ALLOWED)
    ),
}

SNAPSHOT_MODELS = [ContributionStatus]

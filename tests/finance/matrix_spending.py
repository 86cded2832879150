"""Access-matrix entries for the finance spending pages (same format as tests/contacts/matrix_contacts.py).

Who: finance and admin staff record commitments, expenditures, donor agreements and receipts; they
and the Management Committee read budget versus actual, the ledgers and the audit export; a
donor's representatives see their own donors' agreements (the list here; their own agreement's
page in tests/finance/test_donations.py), never another donor's (the agreement below belongs to
the matrix donor, not to the donor persona's donor).

Optional hooks read by tests/test_access_matrix.py: `build_targets(t) -> dict` (objects the URLs
need, read back as `t.extra[name]`) and `SNAPSHOT_MODELS` (models a refused write must leave
unchanged).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from secretariat.finance.models import (
    AgreementInstalment,
    Budget,
    Commitment,
    DonorAgreement,
    DonorReceipt,
    Expenditure,
    Fund,
    FundCode,
    JournalEntry,
    JournalLine,
)
from secretariat.finance.services.donations import InstalmentSpec, agreement_create
from secretariat.finance.services.spending import commitment_record
from tests.factories import UserFactory
from tests.finance.factories import BudgetFactory, BudgetLineFactory
from tests.reporting.matrix_common import DENIED, LOGIN, NOT_ALLOWED, OK, Write, expect

MANAGERS = ["staff_admin", "staff_finance"]
MANAGE = expect(anonymous=LOGIN, non_staff=DENIED, staff=DENIED, staff_admin=OK, staff_finance=OK)
OVERSEE = {**MANAGE, "management_committee": OK}
MANAGE_POST_ONLY = expect(
    anonymous=LOGIN, non_staff=DENIED, staff=DENIED, staff_admin=NOT_ALLOWED, staff_finance=NOT_ALLOWED
)
DONOR_LIST = {**MANAGE, "donor_rep": OK}

SNAPSHOT_MODELS = (
    Commitment,
    Expenditure,
    DonorAgreement,
    AgreementInstalment,
    DonorReceipt,
    JournalEntry,
    JournalLine,
)


def build_targets(t: Any) -> dict[str, Any]:
    """An adopted Sponsorship Programme budget (in a year no other area uses) with a line and an
    open commitment, and a VTF agreement of the matrix donor."""
    fund = Fund.objects.get(code=FundCode.SPONSORSHIP)
    year = 2025
    while Budget.objects.filter(fund=fund, year=year).exists():
        year -= 1
    officer = UserFactory(email="spending.matrix@example.org")
    budget = BudgetFactory(
        fund=fund, year=year, status="adopted", adopted_on=dt.date(year - 1, 9, 1), decision_reference="ATT/CSP/SP"
    )
    line = BudgetLineFactory(budget=budget, code="SPT", title="Sponsored travel", amount=Decimal("10000.00"))
    commitment = commitment_record(
        line=line,
        committed_on=dt.date(year, 2, 1),
        supplier="Travel agency",
        description="Delegates' flights",
        amount=Decimal("1000.00"),
        user=officer,
    ).record
    agreement = agreement_create(
        donor=t.donor,
        fund=Fund.objects.get(code=FundCode.VTF),
        reference="MATRIX-VTF-1",
        signed_on=dt.date(year, 1, 15),
        amount=Decimal("5000.00"),
        currency="USD",
        starts_on=dt.date(year, 1, 1),
        ends_on=dt.date(year, 12, 31),
        instalments=[InstalmentSpec(dt.date(year, 3, 1), Decimal("5000.00"))],
        user=officer,
    )
    return {"spending_year": year, "spending_line": line, "commitment": commitment, "agreement": agreement}


def _line(t: Any) -> int:
    return t.extra["spending_line"].pk


def _agreement_data(t: Any) -> dict[str, str]:
    year = t.extra["spending_year"]
    return {
        "donor": str(t.donor.pk),
        "fund": str(Fund.objects.get(code=FundCode.SPONSORSHIP).pk),
        "reference": "MATRIX-SP-2",
        "signed_on": f"{year}-02-01",
        "amount": "1000.00",
        "currency": "USD",
        "earmark": "",
        "starts_on": f"{year}-01-01",
        "ends_on": f"{year}-12-31",
        "instalments-TOTAL_FORMS": "2",
        "instalments-INITIAL_FORMS": "0",
        "instalments-MIN_NUM_FORMS": "0",
        "instalments-MAX_NUM_FORMS": "60",
        "instalments-0-due_on": f"{year}-04-01",
        "instalments-0-amount": "1000.00",
        "instalments-1-due_on": "",
        "instalments-1-amount": "",
    }


PAGES: dict[str, tuple[Any, dict[str, str]]] = {
    "finance/spending/": (lambda t: f"/finance/spending/?fund=sponsorship&year={t.extra['spending_year']}", OVERSEE),
    "finance/spending/budget-vs-actual.csv": (
        lambda t: f"/finance/spending/budget-vs-actual.csv?fund=sponsorship&year={t.extra['spending_year']}",
        OVERSEE,
    ),
    "finance/spending/lines/<int:pk>/": (lambda t: f"/finance/spending/lines/{_line(t)}/", OVERSEE),
    "finance/spending/lines/<int:pk>/commitments/new/": (
        lambda t: f"/finance/spending/lines/{_line(t)}/commitments/new/",
        MANAGE,
    ),
    "finance/spending/lines/<int:pk>/expenditures/new/": (
        lambda t: f"/finance/spending/lines/{_line(t)}/expenditures/new/",
        MANAGE,
    ),
    "finance/spending/commitments/<int:pk>/close/": (
        lambda t: f"/finance/spending/commitments/{t.extra['commitment'].pk}/close/",
        MANAGE_POST_ONLY,
    ),
    "finance/ledger/": (lambda t: "/finance/ledger/", OVERSEE),
    "finance/ledger/<slug:fund>/": (lambda t: "/finance/ledger/sponsorship/", OVERSEE),
    "finance/ledger/<slug:fund>/entries/": (lambda t: "/finance/ledger/sponsorship/entries/", OVERSEE),
    "finance/ledger/<slug:fund>/audit.xlsx": (lambda t: "/finance/ledger/vtf/audit.xlsx", OVERSEE),
    "finance/donor-agreements/": (lambda t: "/finance/donor-agreements/", DONOR_LIST),
    "finance/donor-agreements/new/": (lambda t: "/finance/donor-agreements/new/", MANAGE),
    "finance/donor-agreements/<int:pk>/": (lambda t: f"/finance/donor-agreements/{t.extra['agreement'].pk}/", MANAGE),
    "finance/donor-agreements/<int:pk>/receipts/new/": (
        lambda t: f"/finance/donor-agreements/{t.extra['agreement'].pk}/receipts/new/",
        MANAGE,
    ),
}

WRITES: dict[str, Write] = {
    "record a commitment": Write(
        "post",
        lambda t: f"/finance/spending/lines/{_line(t)}/commitments/new/",
        lambda t: {
            "committed_on": f"{t.extra['spending_year']}-03-01",
            "supplier": "Hotel",
            "description": "Rooms for sponsored delegates",
            "amount": "500.00",
        },
        MANAGERS,
        (LOGIN, DENIED),
    ),
    "record an expenditure": Write(
        "post",
        lambda t: f"/finance/spending/lines/{_line(t)}/expenditures/new/",
        lambda t: {
            "spent_on": f"{t.extra['spending_year']}-03-02",
            "commitment": str(t.extra["commitment"].pk),
            "description": "Flights, first invoice",
            "amount": "400.00",
        },
        MANAGERS,
        (LOGIN, DENIED),
    ),
    "close a commitment": Write(
        "post",
        lambda t: f"/finance/spending/commitments/{t.extra['commitment'].pk}/close/",
        lambda t: {},
        MANAGERS,
        (LOGIN, DENIED),
    ),
    "record a donor agreement": Write(
        "post", lambda t: "/finance/donor-agreements/new/", _agreement_data, MANAGERS, (LOGIN, DENIED)
    ),
    "record a donor receipt": Write(
        "post",
        lambda t: f"/finance/donor-agreements/{t.extra['agreement'].pk}/receipts/new/",
        lambda t: {"received_on": f"{t.extra['spending_year']}-03-05", "amount": "2500.00", "bank_reference": "M-1"},
        MANAGERS,
        (LOGIN, DENIED),
    ),
}

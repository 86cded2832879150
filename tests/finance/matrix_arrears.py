"""Access-matrix entries for the finance arrears pages (same format as tests/contacts/matrix_contacts.py).

Who: the arrears overview, its CSV and the list of payment plans are for the finance workspace's
readers (finance and admin staff, the Management Committee); a plan and its Note Verbale also for
the State's own representatives (Ghana's plan: Ghana) and any staff; recording a request,
approving, refusing, recording the plans' progress and the consequence rules: finance and admin
staff only.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from secretariat.finance.models import ConsequenceRule, PaymentPlan, PlanInstalment
from secretariat.states.models import State
from tests import factories
from tests.reporting.matrix_common import DENIED, LOGIN, NOT_ALLOWED, OK, PDF, Write, expect

MANAGERS = ["staff_admin", "staff_finance"]
OVERSEERS = expect(
    anonymous=LOGIN, non_staff=DENIED, staff=DENIED, staff_admin=OK, staff_finance=OK, management_committee=OK
)
MANAGE = expect(anonymous=LOGIN, non_staff=DENIED, staff=DENIED, staff_admin=OK, staff_finance=OK)
MANAGE_POST_ONLY = expect(
    anonymous=LOGIN, non_staff=DENIED, staff=DENIED, staff_admin=NOT_ALLOWED, staff_finance=NOT_ALLOWED
)
PLAN_READERS = expect(anonymous=LOGIN, non_staff=DENIED, staff=OK, state_a_rep=OK, management_committee=OK)

SNAPSHOT_MODELS = (PaymentPlan, PlanInstalment, ConsequenceRule)


def build_targets(t: Any) -> dict[str, Any]:
    """A plan requested by Ghana (State A), waiting for a decision, and a plan of Costa Rica
    approved long ago whose first instalment was never paid (so recording progress lapses it)."""
    officer = factories.UserFactory(email="plans.officer@example.org")  # not t.user, whom the admin deletes
    today = timezone.localdate()
    requested = PaymentPlan.objects.create(
        state=t.state,
        received_on=today - dt.timedelta(days=5),
        note_verbale=SimpleUploadedFile("nv.pdf", PDF, content_type="application/pdf"),
        note_verbale_reference="NV/GHA/PLAN/1",
        reasons="Revenue fell.",
        outstanding_amount=Decimal("300.00"),
        conference_starts_on=today + dt.timedelta(days=120),
        created_by=officer,
    )
    PlanInstalment.objects.create(plan=requested, due_on=today + dt.timedelta(days=30), amount=Decimal("300.00"))
    lapsing = PaymentPlan.objects.create(
        state=State.objects.get(iso3="CRI"),
        received_on=dt.date(2024, 1, 10),
        note_verbale=SimpleUploadedFile("nv.pdf", PDF, content_type="application/pdf"),
        note_verbale_reference="NV/CRI/PLAN/1",
        reasons="Revenue fell.",
        outstanding_amount=Decimal("100.00"),
        conference_starts_on=dt.date(2024, 8, 26),
        status="approved",
        decision_reference="CSP10/DEC",
        decided_on=dt.date(2024, 2, 1),
        created_by=officer,
    )
    PlanInstalment.objects.create(plan=lapsing, due_on=dt.date(2024, 6, 1), amount=Decimal("100.00"))
    return {"plan": requested, "consequence": ConsequenceRule.objects.get(code="two-full-years")}


def _plan(t: Any) -> int:
    return t.extra["plan"].pk


def _new_request(t: Any) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "state": "MEX",
        "received_on": (today - dt.timedelta(days=2)).isoformat(),
        "note_verbale": SimpleUploadedFile("nv.pdf", PDF, content_type="application/pdf"),
        "note_verbale_reference": "NV/MEX/PLAN/1",
        "reasons": "Revenue fell.",
        "outstanding_amount": "500.00",
        "conference_starts_on": (today + dt.timedelta(days=90)).isoformat(),
        "instalments": f"{today + dt.timedelta(days=60)} 200.00\n{today + dt.timedelta(days=400)} 300.00",
    }


PAGES: dict[str, tuple[Any, dict[str, str]]] = {
    "finance/arrears/": (lambda t: "/finance/arrears/", OVERSEERS),
    "finance/arrears/export.csv": (lambda t: "/finance/arrears/export.csv", OVERSEERS),
    "finance/plans/": (lambda t: "/finance/plans/", OVERSEERS),
    "finance/plans/new/": (lambda t: "/finance/plans/new/", MANAGE),
    "finance/plans/record-progress/": (lambda t: "/finance/plans/record-progress/", MANAGE_POST_ONLY),
    "finance/plans/<int:pk>/": (lambda t: f"/finance/plans/{_plan(t)}/", PLAN_READERS),
    "finance/plans/<int:pk>/note-verbale/": (lambda t: f"/finance/plans/{_plan(t)}/note-verbale/", PLAN_READERS),
    "finance/plans/<int:pk>/approve/": (lambda t: f"/finance/plans/{_plan(t)}/approve/", MANAGE_POST_ONLY),
    "finance/plans/<int:pk>/refuse/": (lambda t: f"/finance/plans/{_plan(t)}/refuse/", MANAGE_POST_ONLY),
    "finance/consequences/": (lambda t: "/finance/consequences/", MANAGE),
    "finance/consequences/new/": (lambda t: "/finance/consequences/new/", MANAGE),
    "finance/consequences/<int:pk>/edit/": (
        lambda t: f"/finance/consequences/{t.extra['consequence'].pk}/edit/",
        MANAGE,
    ),
}

WRITES: dict[str, Write] = {
    "record a request for a payment plan": Write(
        "post", lambda t: "/finance/plans/new/", _new_request, MANAGERS, (LOGIN, DENIED)
    ),
    "approve a payment plan": Write(
        "post",
        lambda t: f"/finance/plans/{_plan(t)}/approve/",
        lambda t: {"decision_reference": "ATT/CSP/DEC.1", "decided_on": timezone.localdate().isoformat()},
        MANAGERS,
        (LOGIN, DENIED),
    ),
    "refuse a payment plan": Write(
        "post",
        lambda t: f"/finance/plans/{_plan(t)}/refuse/",
        lambda t: {"decision_reference": "", "decided_on": ""},
        MANAGERS,
        (LOGIN, DENIED),
    ),
    "record the payment plans' progress": Write(
        "post", lambda t: "/finance/plans/record-progress/", lambda t: {}, MANAGERS, (LOGIN, DENIED)
    ),
    "add a consequence rule": Write(
        "post",
        lambda t: "/finance/consequences/new/",
        lambda t: {"code": "one-full-year", "label": "A full year in arrears", "min_full_years": "1", "active": "on"},
        MANAGERS,
        (LOGIN, DENIED),
    ),
    "edit a consequence rule": Write(
        "post",
        lambda t: f"/finance/consequences/{t.extra['consequence'].pk}/edit/",
        lambda t: {"label": "Two full years or more", "min_full_years": "2", "exempt_with_plan": "on", "active": "on"},
        MANAGERS,
        (LOGIN, DENIED),
    ),
}

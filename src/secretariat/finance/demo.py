"""Synthetic finance data for `make run`, so the finance pages, the status of contributions and
the charts are not empty: an adopted General Budget for each of the last three financial years,
its assessment and invoices, and payments (most States pay in full, some late, some in part,
some not at all). Every piece is marked: budgets' decision references and payments' bank
references start with "DEMO/", and the payments' notes say "synthetic demo data".
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from secretariat.states.models import State

from .ledger import ZERO
from .models import Budget, Fund, Invoice
from .models.assessment import AssessmentRuleSet
from .services import assessment as assessment_services
from .services import budgets as budget_services
from .services.invoices import invoices_issue
from .services.payments import payment_record
from .services.publication import last_complete_quarter_end, status_publish

DEMO_PREFIX = "DEMO/"


def _demo_user():
    from secretariat.accounts.models import User

    user, _created = User.objects.get_or_create(
        email="finance.demo@example.org", defaults={"full_name": "Finance demo data", "is_active": False}
    )
    return user


@transaction.atomic
def demo_finance_load(*, today: dt.date | None = None) -> int:
    """Create the demo years (nothing when demo budgets exist). Returns the number of invoices made."""
    if Budget.objects.filter(decision_reference__startswith=DEMO_PREFIX).exists():
        return 0
    if Budget.objects.exists():  # real budgets: never mix demo data into them
        return 0
    today = today or timezone.localdate()
    user = _demo_user()
    fund = Fund.general()
    rules = AssessmentRuleSet.objects.get(is_default=True)
    invoices_made = 0
    for year in (today.year - 2, today.year - 1, today.year):
        budget = budget_services.budget_create(
            fund=fund,
            year=year,
            created_by=user,
            lines=[
                {"code": "SEC", "title": "Secretariat costs", "pool": "secretariat", "amount": Decimal("2050000.00")},
                {"code": "CSP", "title": "Conference costs", "pool": "conference", "amount": Decimal("480000.00")},
            ],
        )
        budget_services.budget_review(budget=budget, reviewed_on=dt.date(year - 1, 5, 10), by=user)
        budget_services.budget_circulate(budget=budget, circulated_on=dt.date(year - 1, 5, 31), by=user)
        budget_services.budget_adopt(
            budget=budget,
            decision_reference=f"{DEMO_PREFIX}CSP/{year - 1}/DEC",
            adopted_on=dt.date(year - 1, 8, 29),
            by=user,
        )
        assessment_date = dt.date(year - 1, 9, 15)
        parties = [s for s in State.objects.order_by("iso3") if s.status_on(assessment_date).status == "party"]
        assessment_services.attendance_add(
            year=year, entered_by=user, states=parties, source=f"{DEMO_PREFIX}registrations"
        )
        run = assessment_services.assessment_run_create(
            rule_set=rules, assessment_date=assessment_date, created_by=user, budget=budget
        )
        assessment_services.assessment_run_approve(run=run, approved_by=user)
        invoices = invoices_issue(run=run, user=user, issued_on=dt.date(year - 1, 10, 15), deliver=False)
        invoices_made += len(invoices)
        _demo_payments(fund, invoices, year, today, user)
    # The status of contributions at the end of the last complete quarter, and the one before it.
    latest = last_complete_quarter_end(today)
    earlier = last_complete_quarter_end(latest)
    status_publish(user=user, as_of=earlier)
    status_publish(user=user, as_of=latest)
    return invoices_made


def _demo_payments(fund: Fund, invoices: list[Invoice], year: int, today: dt.date, user) -> None:
    """A pattern, not chance: by position in the list, a State pays on time, late, in part or not."""
    for index, invoice in enumerate(invoices):
        pattern = index % 10
        if pattern in (0, 1, 2, 3, 4):  # on time, in full
            day, share = dt.date(year, 1, 10 + pattern * 5), Decimal(1)
        elif pattern in (5, 6):  # late, in full
            day, share = dt.date(year, 6, 1 + pattern), Decimal(1)
        elif pattern == 7:  # in part
            day, share = dt.date(year, 3, 3), Decimal("0.5")
        else:  # not at all
            continue
        if day > today:
            continue
        amount = (invoice.amount * share).quantize(Decimal("0.01"))
        if amount <= ZERO:
            continue
        payment_record(
            fund=fund,
            state=invoice.state,
            received_on=day,
            amount=amount,
            user=user,
            bank_reference=f"{DEMO_PREFIX}{invoice.number}",
            payer=f"Ministry of Finance of {invoice.state.name_en}",
            note="synthetic demo data",
        )

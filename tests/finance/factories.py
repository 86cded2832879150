"""factory_boy factories and small builders for the finance tests (shared by the finance areas:
add new ones at the end of the file)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory

from secretariat.finance.models import Budget, BudgetLine, Fund, FundCode
from tests.factories import UserFactory


def fund(code: str = FundCode.GENERAL) -> Fund:
    return Fund.objects.get(code=code)


class BudgetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Budget

    fund = factory.LazyFunction(fund)
    year = 2026
    version = 1
    period_start = factory.LazyAttribute(lambda o: dt.date(o.year, 1, 1))
    period_end = factory.LazyAttribute(lambda o: dt.date(o.year, 12, 31))
    created_by = factory.SubFactory(UserFactory)


class BudgetLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetLine

    budget = factory.SubFactory(BudgetFactory)
    code = factory.Sequence(lambda n: f"L{n:03d}")
    title = factory.Sequence(lambda n: f"Budget line {n}")
    pool = "secretariat"
    amount = Decimal("100000.00")


def adopted_budget(*, year: int = 2026, secretariat: str = "2000000.00", conference: str = "500000.00") -> Budget:
    """An adopted General Budget with a Secretariat line and a Conference line."""
    budget = BudgetFactory(
        year=year, status="adopted", adopted_on=dt.date(year - 1, 8, 30), decision_reference="ATT/CSP/DEC"
    )
    BudgetLineFactory(
        budget=budget, code="SEC", title="Secretariat costs", pool="secretariat", amount=Decimal(secretariat)
    )
    BudgetLineFactory(
        budget=budget, code="CSP", title="Conference costs", pool="conference", amount=Decimal(conference)
    )
    return budget


def approved_run(amounts: dict[str, str], *, year: int = 2026, pool: str = "secretariat"):
    """An approved assessment run with the given amounts per ISO3 code (built directly, not
    computed: for tests of what comes after assessment)."""
    from secretariat.finance.models import AssessmentLine, AssessmentRuleSet, AssessmentRun
    from secretariat.states.models import State

    rules = AssessmentRuleSet.objects.get(is_default=True)
    run = AssessmentRun.objects.create(
        year=year,
        rule_set=rules,
        rules_used={"name": rules.name},
        assessment_date=dt.date(year - 1, 9, 1),
        scale_year=year,
        total=sum((Decimal(a) for a in amounts.values()), Decimal(0)),
        status="approved",
    )
    states = {state.iso3: state for state in State.objects.filter(iso3__in=amounts)}
    AssessmentLine.objects.bulk_create(
        AssessmentLine(
            run=run, state=states[iso3], pool=pool, un_rate=Decimal("0.1"), share=Decimal("0.1"), amount=Decimal(amount)
        )
        for iso3, amount in amounts.items()
    )
    return run


def issued_invoices(amounts: dict[str, str], *, year: int = 2026, issued_on: dt.date | None = None, user=None):
    """Invoices issued through the service from an approved run: {iso3: Invoice}."""
    from secretariat.finance.services.invoices import invoices_issue

    run = approved_run(amounts, year=year)
    invoices = invoices_issue(run=run, user=user or UserFactory(), issued_on=issued_on or dt.date(year - 1, 10, 15))
    return {invoice.state.iso3: invoice for invoice in invoices}

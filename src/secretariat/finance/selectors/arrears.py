"""Arrears of assessed contributions (General Budget), Rule 8(1)(d) payment plans as they are kept,
and the consequence flags later modules ask about.

Figures on a date (`as_of`) come from the ledger's receivable lines dated on or before that date,
so an "as of" a past date is what the books said then:
- assessed: the invoices' debits (what was invoiced for the year);
- credited: credit notes;
- received: allocations of payments to the year's invoices, less allocations reversed;
- outstanding: assessed - credited - received (the year's receivable balance).

Full years in arrears (`full_years_in_arrears`): on a date D, the number of financial years Y
with Y < D.year (whole past years, never the current one) whose invoices fell due on or before D
and whose outstanding balance on D is more than zero. The years need not follow each other.
Example: on 1 March 2027 a State that has not paid 2025 and 2026 is two full years in arrears;
one that owes only 2027 is in none. Because DOMAIN.md §3.2 marks the Rule 8 consequences as
unverified, what a number of years *means* is data (`ConsequenceRule`), not code.

Every function here uses a fixed number of queries, whatever the number of States.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Min, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from secretariat.core.access import Principal, can_oversee_finance, can_see_state_finances
from secretariat.states.models import State, name_field
from secretariat.states.selectors import DossierPanel

from ..ledger import ZERO, cents
from ..models import (
    AccountCode,
    ConsequenceRule,
    Fund,
    FundCode,
    JournalLine,
    Payment,
    PaymentPlan,
    PlanStatus,
)
from .ageing import BUCKETS, receivables_ageing
from .contributions import money, receivable_amounts

# An instalment unpaid this many days after its date makes the plan lapse (see `plan_progress`).
PLAN_LAPSE_DAYS = 30


# ---------------------------------------------------------------------------- figures per year


@dataclass
class YearFigures:
    """One State's assessed contributions of one financial year, on a date."""

    year: int
    due_on: dt.date
    assessed: Decimal = ZERO
    credited: Decimal = ZERO
    received: Decimal = ZERO

    @property
    def outstanding(self) -> Decimal:
        return cents(self.assessed - self.credited - self.received)

    def is_full_year_in_arrears(self, as_of: dt.date) -> bool:
        return self.year < as_of.year and self.due_on <= as_of and self.outstanding > 0


def figures_by_state(
    as_of: dt.date, *, state_ids: Iterable[int] | None = None, fund: Fund | None = None
) -> dict[int, list[YearFigures]]:
    """{state_id: [YearFigures, oldest year first]} for every State invoiced on or before `as_of`.
    One query."""
    fund = fund or Fund.general()
    lines = JournalLine.objects.filter(
        account__fund=fund,
        account__code=AccountCode.RECEIVABLE,
        entry__date__lte=as_of,
        invoice__isnull=False,
    )
    if state_ids is not None:
        lines = lines.filter(invoice__state_id__in=list(state_ids))
    rows = (
        lines.values("invoice__state_id", "invoice__year")
        .annotate(**receivable_amounts(), due_on=Min("invoice__due_on"))
        .order_by()
    )
    found = {
        (row["invoice__state_id"], row["invoice__year"]): YearFigures(
            year=row["invoice__year"],
            due_on=row["due_on"],
            assessed=money(row["assessed"]),
            credited=money(row["credited"]),
            received=money(row["received"]),
        )
        for row in rows
    }
    by_state: dict[int, list[YearFigures]] = defaultdict(list)
    for (state_id, _year), figures in sorted(found.items()):
        by_state[state_id].append(figures)
    return dict(by_state)


def full_years_in_arrears(years: Iterable[YearFigures], as_of: dt.date) -> int:
    """How many whole past financial years are unpaid on `as_of` (see the module docstring)."""
    return sum(1 for figures in years if figures.is_full_year_in_arrears(as_of))


def state_full_years(as_of: dt.date, *, state_ids: Iterable[int] | None = None) -> dict[int, int]:
    """{state_id: full years in arrears on `as_of`} for every State with at least one. One query."""
    counts = {
        state_id: full_years_in_arrears(years, as_of)
        for state_id, years in figures_by_state(as_of, state_ids=state_ids).items()
    }
    return {state_id: count for state_id, count in counts.items() if count}


# ---------------------------------------------------------------------------- payment plans


@dataclass
class InstalmentProgress:
    due_on: dt.date
    amount: Decimal
    paid: Decimal  # paid towards this instalment
    paid_on: dt.date | None  # the day it was paid in full
    status: str  # "paid", "due" (not yet late) or "late"
    days_late: int = 0

    def get_status_display(self) -> str:
        return str(INSTALMENT_STATUSES[self.status])


INSTALMENT_STATUSES = {"paid": _("Paid"), "due": pgettext_lazy("status of an instalment", "Due"), "late": _("Late")}


@dataclass
class PlanProgress:
    """How a plan is kept on a date: the State's payments received since the plan was approved pay
    its instalments in date order. Lapsed: an instalment still unpaid more than PLAN_LAPSE_DAYS
    days after its date. This is computed here, live; `services.arrears.plans_record_progress`
    (run by staff from the plans page) records "completed" / "lapsed" on the plans."""

    plan: PaymentPlan
    on: dt.date
    instalments: list[InstalmentProgress]
    paid_since_approval: Decimal

    @property
    def completed(self) -> bool:
        return bool(self.instalments) and all(i.status == "paid" for i in self.instalments)

    @property
    def lapsed(self) -> bool:
        return any(i.status == "late" and i.days_late > PLAN_LAPSE_DAYS for i in self.instalments)

    @property
    def late(self) -> bool:
        return any(i.status == "late" for i in self.instalments)

    @property
    def kept(self) -> bool:
        """An approved plan in force on the date and not lapsed."""
        return (
            self.plan.status == PlanStatus.APPROVED
            and self.plan.decided_on is not None
            and self.plan.decided_on <= self.on
            and not self.lapsed
        )

    @property
    def status(self) -> str:
        """The plan's status as things stand on the date (the recorded one, unless an approved plan
        has since been completed or has lapsed)."""
        if self.plan.status == PlanStatus.APPROVED:
            if self.completed:
                return PlanStatus.COMPLETED
            if self.lapsed:
                return PlanStatus.LAPSED
        return self.plan.status

    def get_status_display(self) -> str:
        return str(PlanStatus(self.status).label)


def _progress(plan: PaymentPlan, payments: list[tuple[dt.date, Decimal]], on: dt.date) -> PlanProgress:
    """`payments`: the State's (received_on, amount), oldest first."""
    since = plan.decided_on
    counted = [(day, amount) for day, amount in payments if since is not None and since <= day <= on]
    paid_total = sum((amount for _day, amount in counted), ZERO)
    instalments = []
    required = ZERO
    for instalment in sorted(plan.instalments.all(), key=lambda i: i.due_on):
        previous = required
        required += instalment.amount
        towards = max(ZERO, min(instalment.amount, paid_total - previous))
        paid_on = None
        if towards == instalment.amount:
            running = ZERO
            for day, amount in counted:
                running += amount
                if running >= required:
                    paid_on = day
                    break
            status, days_late = "paid", 0
        elif instalment.due_on >= on:
            status, days_late = "due", 0
        else:
            status, days_late = "late", (on - instalment.due_on).days
        instalments.append(
            InstalmentProgress(instalment.due_on, instalment.amount, towards, paid_on, status, days_late)
        )
    return PlanProgress(plan=plan, on=on, instalments=instalments, paid_since_approval=paid_total)


def _payments_by_state(state_ids: Iterable[int], on: dt.date) -> dict[int, list[tuple[dt.date, Decimal]]]:
    """Payments to the General Budget not reversed, received on or before `on`. One query."""
    rows = (
        Payment.objects.filter(
            fund__code=FundCode.GENERAL,
            state_id__in=list(state_ids),
            received_on__lte=on,
            entry__reversed_by__isnull=True,
        )
        .order_by("received_on", "pk")
        .values_list("state_id", "received_on", "amount")
    )
    found: dict[int, list[tuple[dt.date, Decimal]]] = defaultdict(list)
    for state_id, received_on, amount in rows:
        found[state_id].append((received_on, amount))
    return found


def plans_progress(plans: Iterable[PaymentPlan], *, on: dt.date | None = None) -> dict[int, PlanProgress]:
    """{plan pk: progress on `on`} for the given plans (their instalments prefetched or not): two
    queries."""
    on = on or timezone.localdate()
    plans = list(plans)
    if not plans:
        return {}
    prefetch_related_objects(plans, "instalments")
    payments = _payments_by_state({plan.state_id for plan in plans}, on)
    return {plan.pk: _progress(plan, payments.get(plan.state_id, []), on) for plan in plans}


def plan_progress(plan: PaymentPlan, *, on: dt.date | None = None) -> PlanProgress:
    return plans_progress([plan], on=on)[plan.pk]


def approved_plans(*, state_ids: Iterable[int] | None = None) -> list[PaymentPlan]:
    plans = PaymentPlan.objects.filter(status=PlanStatus.APPROVED).select_related("state")
    if state_ids is not None:
        plans = plans.filter(state_id__in=list(state_ids))
    return list(plans.order_by("decided_on", "pk"))


def states_keeping_a_plan(on: dt.date, *, state_ids: Iterable[int] | None = None) -> set[int]:
    """States with an approved payment plan kept on `on`. Three queries."""
    progress = plans_progress(approved_plans(state_ids=state_ids), on=on)
    return {p.plan.state_id for p in progress.values() if p.kept}


def current_plans(state_ids: Iterable[int] | None = None) -> dict[int, PaymentPlan]:
    """Each State's latest plan (requested, approved, completed or lapsed; refused ones only when
    there is no other). One query."""
    plans = PaymentPlan.objects.order_by("state_id", "-received_on", "-pk")
    if state_ids is not None:
        plans = plans.filter(state_id__in=list(state_ids))
    found: dict[int, PaymentPlan] = {}
    for plan in plans:
        current = found.get(plan.state_id)
        if current is None or (current.status == PlanStatus.REFUSED and plan.status != PlanStatus.REFUSED):
            found[plan.state_id] = plan
    return found


def plan_list(*, status: str = "") -> list[PaymentPlan]:
    plans = PaymentPlan.objects.select_related("state").prefetch_related("instalments")
    if status:
        plans = plans.filter(status=status)
    return list(plans.order_by("-received_on", "-pk"))


# ---------------------------------------------------------------------------- consequences


def active_rules() -> list[ConsequenceRule]:
    return list(ConsequenceRule.objects.filter(active=True).order_by("min_full_years", "code"))


def _flags(
    rules: list[ConsequenceRule], full_years: dict[int, int], keeping_plan: set[int], state_ids: Iterable[int]
) -> dict[int, list[ConsequenceRule]]:
    flags: dict[int, list[ConsequenceRule]] = {}
    for state_id in state_ids:
        years = full_years.get(state_id, 0)
        raised = [
            rule
            for rule in rules
            if years >= rule.min_full_years and not (rule.exempt_with_plan and state_id in keeping_plan)
        ]
        if raised:
            flags[state_id] = raised
    return flags


def consequences_on(on: dt.date, *, state_ids: Iterable[int] | None = None) -> dict[int, list[ConsequenceRule]]:
    """{state_id: the active consequence rules raised on `on`} (States with none are left out).
    A fixed number of queries (at most five), whatever the number of States."""
    rules = active_rules()
    if not rules:
        return {}
    full_years = state_full_years(on, state_ids=state_ids)
    if not full_years:
        return {}
    keeping_plan = (
        states_keeping_a_plan(on, state_ids=full_years) if any(rule.exempt_with_plan for rule in rules) else set()
    )
    return _flags(rules, full_years, keeping_plan, full_years)


def consequences_for(state: State, *, on: dt.date | None = None) -> list[ConsequenceRule]:
    """The consequence flags raised for `state` on `on` (today by default), e.g. "in arrears for
    two full years or more", unless the rule exempts States keeping an approved payment plan and
    this State keeps one. For later modules (meetings, committees)."""
    on = on or timezone.localdate()
    return consequences_on(on, state_ids=[state.pk]).get(state.pk, [])


def states_with_consequence(code: str, *, on: dt.date | None = None) -> set[int]:
    """The ids of the States for which the active rule `code` is raised on `on` (today by default);
    an empty set for an unknown or inactive rule. A fixed number of queries."""
    on = on or timezone.localdate()
    return {state_id for state_id, rules in consequences_on(on).items() if any(rule.code == code for rule in rules)}


# ---------------------------------------------------------------------------- the overview


@dataclass
class StateArrears:
    state: State
    years: list[YearFigures]
    buckets: dict[str, Decimal]
    full_years: int
    flags: list[ConsequenceRule] = field(default_factory=list)
    plan: PaymentPlan | None = None
    plan_progress: PlanProgress | None = None

    @property
    def outstanding(self) -> Decimal:
        return sum((figures.outstanding for figures in self.years), ZERO)

    @property
    def years_owed(self) -> list[YearFigures]:
        return [figures for figures in self.years if figures.outstanding > 0]

    @property
    def bucket_list(self) -> list[Decimal]:
        return [self.buckets.get(key, ZERO) for key, _label in BUCKETS]

    @property
    def plan_status(self) -> str:
        if self.plan_progress is not None:
            return self.plan_progress.get_status_display()
        return self.plan.get_status_display() if self.plan is not None else ""


@dataclass
class ArrearsOverview:
    as_of: dt.date
    rows: list[StateArrears]
    buckets: list[tuple[str, str]]

    @property
    def total_outstanding(self) -> Decimal:
        return sum((row.outstanding for row in self.rows), ZERO)

    @property
    def bucket_totals(self) -> list[Decimal]:
        return [sum((row.buckets.get(key, ZERO) for row in self.rows), ZERO) for key, _label in self.buckets]


def arrears_overview(*, as_of: dt.date, region: str = "", flag: str = "", with_flags: bool = True) -> ArrearsOverview:
    """Every State with an outstanding balance on `as_of` (optionally of a UN regional group, or
    with the consequence rule `flag` raised): outstanding per year, ageing buckets, full years in
    arrears, flags and the current payment plan. A fixed number of queries."""
    fund = Fund.general()
    figures = figures_by_state(as_of, fund=fund)
    owing = {state_id: years for state_id, years in figures.items() if any(y.outstanding > 0 for y in years)}
    buckets: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for aged in receivables_ageing(fund, as_of=as_of):
        buckets[aged.state_id][aged.bucket] += aged.open_balance
    states = State.objects.filter(pk__in=owing)
    if region:
        states = states.filter(region=region)
    states = list(states.order_by(name_field(), "iso3"))
    full_years = {state.pk: full_years_in_arrears(owing[state.pk], as_of) for state in states}
    flags: dict[int, list[ConsequenceRule]] = {}
    if with_flags:
        rules = active_rules()
        exempting = any(rule.exempt_with_plan for rule in rules)
        keeping = states_keeping_a_plan(as_of, state_ids=[s.pk for s in states]) if rules and exempting else set()
        flags = _flags(rules, full_years, keeping, full_years)
    plans = current_plans([state.pk for state in states])
    progress = plans_progress([p for p in plans.values() if p.status == PlanStatus.APPROVED], on=as_of)
    rows = []
    for state in states:
        if flag and not any(rule.code == flag for rule in flags.get(state.pk, [])):
            continue
        plan = plans.get(state.pk)
        rows.append(
            StateArrears(
                state=state,
                years=owing[state.pk],
                buckets=dict(buckets.get(state.pk, {})),
                full_years=full_years[state.pk],
                flags=flags.get(state.pk, []),
                plan=plan,
                plan_progress=progress.get(plan.pk) if plan is not None else None,
            )
        )
    return ArrearsOverview(as_of=as_of, rows=rows, buckets=[(key, str(label)) for key, label in BUCKETS])


def state_arrears(state: State, *, as_of: dt.date | None = None) -> StateArrears:
    """One State's figures per year (every year invoiced, paid or not), flags and current plan."""
    as_of = as_of or timezone.localdate()
    fund = Fund.general()
    years = figures_by_state(as_of, state_ids=[state.pk], fund=fund).get(state.pk, [])
    buckets: dict[str, Decimal] = defaultdict(Decimal)
    for aged in receivables_ageing(fund, as_of=as_of, state_id=state.pk):
        buckets[aged.bucket] += aged.open_balance
    plan = current_plans([state.pk]).get(state.pk)
    tracked = plan is not None and plan.status == PlanStatus.APPROVED
    return StateArrears(
        state=state,
        years=years,
        buckets=dict(buckets),
        full_years=full_years_in_arrears(years, as_of),
        flags=consequences_for(state, on=as_of),
        plan=plan,
        plan_progress=plan_progress(plan, on=as_of) if tracked else None,
    )


# ---------------------------------------------------------------------------- the dossier panel


def arrears_panel(state: State, principal: Principal) -> DossierPanel | None:
    """The State dossier's arrears panel, for the State's own representatives and staff (None for
    anyone else, and when the State was never invoiced nor asked for a plan): outstanding per
    year, ageing, full years in arrears, the current payment plan with its instalments, and the
    consequence flags raised today. Flags are never public (DOMAIN.md §3.2: unverified)."""
    if not can_see_state_finances(principal, state.pk):
        return None
    today = timezone.localdate()
    arrears = state_arrears(state, as_of=today)
    if not arrears.years and arrears.plan is None:
        return None
    return DossierPanel(
        key="finance-arrears",
        title=str(_("Arrears and Financial Rule 8")),
        template_name="finance/arrears/_dossier_panel.html",
        context={
            "state": state,
            "arrears": arrears,
            "today": today,
            "buckets": [(label, arrears.buckets[key]) for key, label in BUCKETS if arrears.buckets.get(key)],
            "may_open_workspace": can_oversee_finance(principal),
        },
    )

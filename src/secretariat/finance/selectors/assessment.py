"""Reads for assessments: the inputs of a computation (States, UN rates, States in attendance), the
runs with their lines per State and pool, rule sets and the attendance lists."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from secretariat.states.models import ScaleRate, State

from ..models import AssessmentLine, AssessmentRuleSet, AssessmentRun, ConferenceAttendance, CostPool

ZERO = Decimal("0.00")
POOLS = (CostPool.SECRETARIAT, CostPool.CONFERENCE)


@dataclass(frozen=True)
class AssessmentInputs:
    states: list[State]
    rates: dict[int, Decimal]  # state id -> UN scale rate (percent) of the scale year
    attendance: frozenset[int]  # ids of the States in attendance of the financial year


def assessment_inputs(*, year: int, scale_year: int) -> AssessmentInputs:
    """Everything `compute_assessment` needs, in three queries."""
    return AssessmentInputs(
        states=list(State.objects.order_by("iso3")),
        rates=dict(ScaleRate.objects.filter(year=scale_year).values_list("state_id", "rate_percent")),
        attendance=frozenset(ConferenceAttendance.objects.filter(year=year).values_list("state_id", flat=True)),
    )


def default_rule_set() -> AssessmentRuleSet | None:
    return AssessmentRuleSet.objects.filter(is_default=True).first()


def rule_set_by_name(name: str) -> AssessmentRuleSet | None:
    return AssessmentRuleSet.objects.filter(name=name).first()


def rule_sets() -> QuerySet[AssessmentRuleSet]:
    return AssessmentRuleSet.objects.order_by("-is_default", "name")


def rule_set_get(pk: int) -> AssessmentRuleSet:
    return get_object_or_404(AssessmentRuleSet, pk=pk)


def run_list(*, year: int | None = None, status: str = "") -> QuerySet[AssessmentRun]:
    runs = AssessmentRun.objects.select_related("budget", "budget__fund", "rule_set", "created_by", "approved_by")
    if year is not None:
        runs = runs.filter(year=year)
    if status:
        runs = runs.filter(status=status)
    return runs.order_by("-year", "-created_at", "-pk")


def run_years() -> list[int]:
    return sorted(set(AssessmentRun.objects.values_list("year", flat=True)), reverse=True)


def run_get(pk: int) -> AssessmentRun:
    return get_object_or_404(
        AssessmentRun.objects.select_related("budget", "budget__fund", "rule_set", "created_by", "approved_by"), pk=pk
    )


@dataclass
class RunStateRow:
    """One State of a run: its line in each pool (None where it is not assessed) and its total."""

    state: State
    un_rate: Decimal
    pools: dict[str, AssessmentLine | None] = field(default_factory=dict)
    total: Decimal = ZERO

    def cells(self) -> list[AssessmentLine | None]:
        return [self.pools.get(pool) for pool in POOLS]


@dataclass(frozen=True)
class RunPool:
    pool: str
    label: str
    amount: Decimal
    states: int


@dataclass(frozen=True)
class RunDetail:
    run: AssessmentRun
    rows: list[RunStateRow]
    pools: list[RunPool]
    lines: list[AssessmentLine]


def run_detail(run: AssessmentRun) -> RunDetail:
    """A run's lines per State (ISO3 order) with a column per pool, and the pool totals (one query)."""
    lines = list(run.lines.select_related("state").order_by("state__iso3", "pool"))
    rows: dict[int, RunStateRow] = {}
    for line in lines:
        line.share_percent = line.share * 100  # for display
        row = rows.setdefault(line.state_id, RunStateRow(state=line.state, un_rate=line.un_rate))
        row.pools[line.pool] = line
        row.total += line.amount
    pools = [
        RunPool(
            pool=pool,
            label=str(pool.label),
            amount=sum((line.amount for line in lines if line.pool == pool), ZERO),
            states=sum(1 for line in lines if line.pool == pool),
        )
        for pool in POOLS
    ]
    return RunDetail(run=run, rows=list(rows.values()), pools=pools, lines=lines)


def attendance_list(*, year: int) -> QuerySet[ConferenceAttendance]:
    return ConferenceAttendance.objects.filter(year=year).select_related("state", "entered_by").order_by("state__iso3")


def attendance_years() -> list[int]:
    return sorted(set(ConferenceAttendance.objects.values_list("year", flat=True)), reverse=True)

"""Reads for the budgets pages: lists with totals, one budget with its lines per cost pool, its
comments and every version of the same fund and year."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from ..models import Budget, BudgetComment, BudgetLine, BudgetStatus, CostPool, Fund, FundCode

ZERO = Decimal("0.00")
POOL_LABELS = {"secretariat": CostPool.SECRETARIAT.label, "conference": CostPool.CONFERENCE.label}


@dataclass(frozen=True)
class BudgetFilters:
    fund: Fund | None = None
    year: int | None = None
    status: str = ""


def budget_list(*, filters: BudgetFilters | None = None) -> QuerySet[Budget]:
    """Every budget version, newest year first, with its total and number of lines (one query)."""
    filters = filters or BudgetFilters()
    budgets = Budget.objects.select_related("fund").annotate(
        total=Coalesce(Sum("lines__amount"), ZERO), line_count=Count("lines")
    )
    if filters.fund is not None:
        budgets = budgets.filter(fund=filters.fund)
    if filters.year is not None:
        budgets = budgets.filter(year=filters.year)
    if filters.status:
        budgets = budgets.filter(status=filters.status)
    return budgets.order_by("-year", "fund", "-version")


def budget_years() -> list[int]:
    return sorted(set(Budget.objects.values_list("year", flat=True)), reverse=True)


def budget_get(pk: int) -> Budget:
    return get_object_or_404(Budget.objects.select_related("fund", "revises", "created_by"), pk=pk)


@dataclass(frozen=True)
class PoolTotal:
    pool: str
    label: str
    amount: Decimal


@dataclass(frozen=True)
class BudgetDetail:
    budget: Budget
    lines: list[BudgetLine]
    pool_totals: list[PoolTotal]
    total: Decimal
    comments: list[BudgetComment]
    versions: list[Budget]


def budget_detail(budget: Budget) -> BudgetDetail:
    lines = list(budget.lines.order_by("code"))
    sums: dict[str, Decimal] = {}
    for line in lines:
        sums[line.pool] = sums.get(line.pool, ZERO) + line.amount
    labels = dict(BudgetLine._meta.get_field("pool").choices)
    pool_totals = [
        PoolTotal(pool, str(labels[pool]), sums.get(pool, ZERO)) for pool in ("secretariat", "conference", "none")
    ]
    return BudgetDetail(
        budget=budget,
        lines=lines,
        pool_totals=pool_totals,
        total=sum((line.amount for line in lines), ZERO),
        comments=list(budget.comments.select_related("author").order_by("created_at", "pk")),
        versions=list(
            Budget.objects.filter(fund=budget.fund_id, year=budget.year)
            .annotate(total=Coalesce(Sum("lines__amount"), ZERO))
            .order_by("-version")
        ),
    )


def budget_pool_amounts(budget: Budget) -> dict[str, Decimal]:
    """The assessed cost pools of a budget: {"secretariat": amount, "conference": amount}."""
    rows = budget.lines.filter(pool__in=["secretariat", "conference"]).values("pool").annotate(total=Sum("amount"))
    amounts = dict.fromkeys(("secretariat", "conference"), ZERO)
    for row in rows:
        amounts[row["pool"]] = row["total"]
    return amounts


def assessable_budgets() -> QuerySet[Budget]:
    """The adopted General Budget of each year (what an assessment run can be made from)."""
    return (
        Budget.objects.filter(status=BudgetStatus.ADOPTED, fund__code=FundCode.GENERAL)
        .select_related("fund")
        .order_by("-year")
    )


def adopted_budget(*, year: int, fund_code: str = FundCode.GENERAL) -> Budget | None:
    return (
        Budget.objects.filter(status=BudgetStatus.ADOPTED, fund__code=fund_code, year=year)
        .select_related("fund")
        .first()
    )

"""Reads for spending against budget lines: what each line has committed, spent and left, and
the budget versus actual table of a year's adopted budget.

A line is followed across the versions of its budget: when a budget is revised, spending already
recorded against a line of the earlier version counts against the line with the same code in the
adopted version (same fund and year). Spent is read from the ledger (5100 lines naming the budget
line, reversals included); committed is what open commitments still hold (their amount less the
expenditures recorded against them, never below zero).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from ..ledger import ZERO, cents
from ..models import (
    AccountCode,
    Budget,
    BudgetLine,
    BudgetStatus,
    Commitment,
    Expenditure,
    Fund,
    JournalLine,
)

PERCENT = Decimal("0.1")


@dataclass(frozen=True)
class LinePosition:
    line: BudgetLine
    budgeted: Decimal
    committed: Decimal  # what open commitments still hold
    spent: Decimal

    @property
    def used(self) -> Decimal:
        return self.committed + self.spent

    @property
    def available(self) -> Decimal:
        return self.budgeted - self.committed - self.spent

    @property
    def used_percent(self) -> Decimal | None:
        """Committed and spent, as a percentage of the line (None for a line of zero)."""
        if self.budgeted <= 0:
            return None
        return (self.used * 100 / self.budgeted).quantize(PERCENT)


@dataclass(frozen=True)
class BudgetVsActual:
    budget: Budget
    rows: list[LinePosition]

    @property
    def budgeted(self) -> Decimal:
        return sum((row.budgeted for row in self.rows), ZERO)

    @property
    def committed(self) -> Decimal:
        return sum((row.committed for row in self.rows), ZERO)

    @property
    def spent(self) -> Decimal:
        return sum((row.spent for row in self.rows), ZERO)

    @property
    def available(self) -> Decimal:
        return self.budgeted - self.committed - self.spent

    @property
    def used_percent(self) -> Decimal | None:
        if self.budgeted <= 0:
            return None
        return ((self.committed + self.spent) * 100 / self.budgeted).quantize(PERCENT)


def family_line_ids(line: BudgetLine) -> list[int]:
    """The line and its namesakes in the other versions of its budget (same fund, year and code)."""
    return list(
        BudgetLine.objects.filter(
            budget__fund_id=line.budget.fund_id, budget__year=line.budget.year, code=line.code
        ).values_list("pk", flat=True)
    )


def positions(budget: Budget, lines: Sequence[BudgetLine] | None = None) -> list[LinePosition]:
    """Budgeted, committed and spent for `lines` of `budget` (all its lines by default). Three
    queries, whatever the number of lines."""
    lines = list(budget.lines.order_by("code") if lines is None else lines)
    code_of = dict(
        BudgetLine.objects.filter(
            budget__fund_id=budget.fund_id, budget__year=budget.year, code__in=[line.code for line in lines]
        ).values_list("pk", "code")
    )
    spent: dict[str, Decimal] = defaultdict(Decimal)
    rows = (
        JournalLine.objects.filter(account__code=AccountCode.EXPENDITURE, budget_line_id__in=list(code_of))
        .values("budget_line_id")
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
    )
    for row in rows:
        spent[code_of[row["budget_line_id"]]] += row["debit"] - row["credit"]
    committed: dict[str, Decimal] = defaultdict(Decimal)
    for line_id, amount, used in _open_commitments(Q(budget_line_id__in=list(code_of))).values_list(
        "budget_line_id", "amount", "used"
    ):
        committed[code_of[line_id]] += max(ZERO, amount - (used or ZERO))
    return [LinePosition(line, line.amount, cents(committed[line.code]), cents(spent[line.code])) for line in lines]


def line_position(line: BudgetLine) -> LinePosition:
    return positions(line.budget, [line])[0]


def _open_commitments(where: Q) -> QuerySet[Commitment]:
    """Open commitments, each with `used`: the expenditures recorded against it (not reversed)."""
    return (
        Commitment.objects.filter(where, closed=False)
        .annotate(used=Sum("expenditures__amount", filter=Q(expenditures__entry__reversed_by__isnull=True)))
        .order_by("committed_on", "pk")
    )


def adopted_budget(fund: Fund, year: int) -> Budget | None:
    return Budget.objects.select_related("fund").filter(fund=fund, year=year, status=BudgetStatus.ADOPTED).first()


def adopted_years(fund: Fund) -> list[int]:
    """The years for which the fund has an adopted budget, latest first."""
    return list(
        Budget.objects.filter(fund=fund, status=BudgetStatus.ADOPTED).order_by("-year").values_list("year", flat=True)
    )


def budget_vs_actual(fund: Fund, year: int) -> BudgetVsActual | None:
    """Every line of the fund's adopted budget for `year`, with what is committed, spent and left;
    None when no budget of that year is adopted."""
    budget = adopted_budget(fund, year)
    if budget is None:
        return None
    return BudgetVsActual(budget, positions(budget))


@dataclass(frozen=True)
class CommitmentRow:
    commitment: Commitment
    used: Decimal

    @property
    def remaining(self) -> Decimal:
        if self.commitment.closed:
            return ZERO
        return max(ZERO, self.commitment.amount - self.used)


def line_commitments(line: BudgetLine) -> list[CommitmentRow]:
    """Every commitment of the line (and its namesakes in other versions), open ones first."""
    rows = (
        Commitment.objects.filter(budget_line_id__in=family_line_ids(line))
        .select_related("created_by", "budget_line__budget")
        .annotate(used=Sum("expenditures__amount", filter=Q(expenditures__entry__reversed_by__isnull=True)))
        .order_by("closed", "committed_on", "pk")
    )
    return [CommitmentRow(commitment, cents(commitment.used or ZERO)) for commitment in rows]


def open_commitments_for(line: BudgetLine) -> QuerySet[Commitment]:
    """The commitments an expenditure on `line` may be recorded against."""
    return Commitment.objects.filter(budget_line_id__in=family_line_ids(line), closed=False).order_by(
        "committed_on", "pk"
    )


def line_expenditures(line: BudgetLine) -> QuerySet[Expenditure]:
    return (
        Expenditure.objects.filter(budget_line_id__in=family_line_ids(line))
        .select_related("entry", "entry__reversed_by", "commitment", "created_by")
        .order_by("-spent_on", "-pk")
    )


def spending_line(pk: int) -> BudgetLine | None:
    return BudgetLine.objects.select_related("budget", "budget__fund").filter(pk=pk).first()


def default_year(fund: Fund, today: dt.date) -> int:
    """The year the budget versus actual opens on: this year if adopted, else the latest adopted."""
    years = adopted_years(fund)
    if not years or today.year in years:
        return today.year
    return years[0]

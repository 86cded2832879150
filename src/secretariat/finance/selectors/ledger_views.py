"""Reads behind the staff ledger pages and the audit export: a fund's trial balance on a date or
over a period, and its general ledger (entries with their lines), filtered."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet, Sum

from ..ledger import ZERO, cents
from ..models import Account, Fund, JournalEntry, JournalLine


@dataclass(frozen=True)
class TrialBalanceRow:
    account: Account
    opening: Decimal  # debit balance (credit balances negative) before the period
    debit: Decimal  # in the period
    credit: Decimal

    @property
    def balance(self) -> Decimal:
        """At the end of the period: debits less credits (a credit balance is negative)."""
        return self.opening + self.debit - self.credit

    @property
    def debit_balance(self) -> Decimal:
        return self.balance if self.balance > 0 else ZERO

    @property
    def credit_balance(self) -> Decimal:
        return -self.balance if self.balance < 0 else ZERO


@dataclass(frozen=True)
class TrialBalance:
    fund: Fund
    start: dt.date | None  # None: since the first entry
    end: dt.date
    rows: list[TrialBalanceRow]

    @property
    def opening(self) -> Decimal:
        return sum((row.opening for row in self.rows), ZERO)

    @property
    def debit(self) -> Decimal:
        return sum((row.debit for row in self.rows), ZERO)

    @property
    def credit(self) -> Decimal:
        return sum((row.credit for row in self.rows), ZERO)

    @property
    def debit_balance(self) -> Decimal:
        return sum((row.debit_balance for row in self.rows), ZERO)

    @property
    def credit_balance(self) -> Decimal:
        return sum((row.credit_balance for row in self.rows), ZERO)

    @property
    def balanced(self) -> bool:
        return self.debit == self.credit and self.debit_balance == self.credit_balance


def trial_balance(fund: Fund, *, end: dt.date, start: dt.date | None = None) -> TrialBalance:
    """Every account of the fund: its balance before `start` (when given), its debits and credits
    from `start` (or the beginning) to `end`, and its balance on `end`. One query for the figures."""
    accounts = list(Account.objects.filter(fund=fund).order_by("code"))
    lines = JournalLine.objects.filter(account__fund=fund, entry__date__lte=end)
    sums = {"period_debit": Sum("debit"), "period_credit": Sum("credit")}
    if start is not None:
        in_period, before = Q(entry__date__gte=start), Q(entry__date__lt=start)
        sums = {
            "period_debit": Sum("debit", filter=in_period),
            "period_credit": Sum("credit", filter=in_period),
            "before_debit": Sum("debit", filter=before),
            "before_credit": Sum("credit", filter=before),
        }
    figures = {row["account_id"]: row for row in lines.values("account_id").annotate(**sums)}
    rows = []
    for account in accounts:
        row = figures.get(account.pk, {})
        opening = (row.get("before_debit") or ZERO) - (row.get("before_credit") or ZERO)
        rows.append(
            TrialBalanceRow(
                account, cents(opening), cents(row.get("period_debit") or ZERO), cents(row.get("period_credit") or ZERO)
            )
        )
    return TrialBalance(fund, start, end, rows)


@dataclass(frozen=True)
class LedgerFilters:
    start: dt.date | None = None
    end: dt.date | None = None
    kind: str = ""
    account: str = ""  # an AccountCode


def general_ledger(fund: Fund, filters: LedgerFilters) -> QuerySet[JournalEntry]:
    """The fund's entries in number order, each with its lines (and what they name) prefetched."""
    entries = JournalEntry.objects.filter(fund=fund)
    if filters.start is not None:
        entries = entries.filter(date__gte=filters.start)
    if filters.end is not None:
        entries = entries.filter(date__lte=filters.end)
    if filters.kind:
        entries = entries.filter(kind=filters.kind)
    if filters.account:
        entries = entries.filter(pk__in=JournalLine.objects.filter(account__code=filters.account).values("entry_id"))
    lines = JournalLine.objects.select_related(
        "account", "state", "invoice", "payment", "budget_line", "donor"
    ).order_by("pk")
    return (
        entries.select_related("posted_by", "reverses", "reversed_by")
        .prefetch_related(Prefetch("lines", queryset=lines))
        .order_by("number")
    )


def ledger_lines(fund: Fund, *, start: dt.date, end: dt.date) -> QuerySet[JournalLine]:
    """One row per ledger line of the period, in entry order (for the audit export)."""
    return (
        JournalLine.objects.filter(entry__fund=fund, entry__date__gte=start, entry__date__lte=end)
        .select_related(
            "entry",
            "entry__posted_by",
            "entry__reverses",
            "account",
            "state",
            "invoice",
            "payment",
            "budget_line",
            "donor",
        )
        .order_by("entry__number", "pk")
    )

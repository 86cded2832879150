"""The reminder engine's "arrears" watcher (Financial Rule 8 reminders).

Each State's assessed contributions for a financial year are one obligation,
`arrears:<year>`, due on the date its invoices fall due (1 January of the year for invoices
issued the October before). There is no grace period in the Financial Rules as far as is known
(DOMAIN.md §3.2), so the grace ends on the due date itself; the default rules
(`services.arrears.default_arrears_rules`) count their steps from the due date.

The obligation is met on the day the year's invoices were fully settled: the last allocation or
credit note that brought the year's receivable balance to zero (a later reversal of an allocation
reopens it). One query, whatever the number of States.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Min, Sum
from django.urls import NoReverseMatch, reverse

from secretariat.reminders.planning import Due, PlanningData

from ..ledger import ZERO
from ..models import AccountCode, FundCode, JournalLine


def contributions_path(iso3: str) -> str:
    """The page where a State's representatives see their invoices and payments."""
    try:
        return reverse("finance:state_contributions", args=[iso3])
    except NoReverseMatch:  # pragma: no cover - the receivables pages are part of the module
        return f"/states/{iso3}/"


def settled_on(moves: Iterable[tuple[dt.date, Decimal]]) -> dt.date | None:
    """The day a balance made of `moves` (date, debit - credit) was last brought to zero and stayed
    there, or None when it is still open."""
    balance = ZERO
    met_on = None
    for day, move in sorted(moves):
        balance += move
        if balance > 0:
            met_on = None
        elif met_on is None:
            met_on = day
    return met_on if balance <= 0 else None


def arrears_moves(*, until: dt.date, state_ids: Iterable[int] | None = None):
    """{(state_id, year): (due_on, [(date, debit - credit)])} of the General Budget's receivables
    for invoices falling due on or before `until`. One query."""
    lines = JournalLine.objects.filter(
        account__fund__code=FundCode.GENERAL,
        account__code=AccountCode.RECEIVABLE,
        invoice__due_on__lte=until,
        invoice__issued_on__lte=until,
    )
    if state_ids is not None:
        lines = lines.filter(invoice__state_id__in=list(state_ids))
    rows = (
        lines.values("invoice__state_id", "invoice__year", "entry__date")
        .annotate(debit=Sum("debit"), credit=Sum("credit"), due_on=Min("invoice__due_on"))
        .order_by()
    )
    found: dict[tuple[int, int], tuple[dt.date, list[tuple[dt.date, Decimal]]]] = {}
    moves: dict[tuple[int, int], list[tuple[dt.date, Decimal]]] = defaultdict(list)
    due: dict[tuple[int, int], dt.date] = {}
    for row in rows:
        key = (row["invoice__state_id"], row["invoice__year"])
        moves[key].append((row["entry__date"], (row["debit"] or ZERO) - (row["credit"] or ZERO)))
        due[key] = min(due.get(key, row["due_on"]), row["due_on"])
    for key, day in due.items():
        found[key] = (day, moves[key])
    return found


def arrears_dues(data: PlanningData, until: dt.date) -> Iterable[Due]:
    """Every assessed contribution falling due on or before `until`, one per State and financial
    year, with the day it was settled (None while anything is outstanding)."""
    for (state_id, year), (due_on, moves) in sorted(arrears_moves(until=until).items()):
        state = data.states.get(state_id)
        if state is None:
            continue
        yield Due(
            state_id=state_id,
            obligation=f"arrears:{year}",
            due_on=due_on,
            grace_ends_on=due_on,
            met_on=settled_on(moves),
            link_path=contributions_path(state.iso3),
            year=year,
        )

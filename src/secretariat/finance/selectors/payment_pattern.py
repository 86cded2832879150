"""The payment pattern of assessed contributions, by financial year and UN regional group, for the
Conference's preparatory meeting: how many States paid in full by the due date, paid late, paid in
part or not at all.

Everything is read on one date `as_of` (what the books said then), for the General Budget:
- a State is "assessed" for a financial year when its invoices of that year issued on or before
  `as_of`, less their credit notes issued on or before `as_of`, come to more than zero;
- received: the allocations of payments to those invoices dated on or before `as_of` (less those
  reversed on or before `as_of`); "received by the due date" counts the allocations dated on or
  before each invoice's due date (an allocation is dated when both the money and the invoice were
  there, see services/payments.py);
- each assessed State and year is then exactly one of: paid on time (received by the due date
  covers everything assessed), paid late (everything received, but not all by the due date), not
  yet due (not everything received, and the earliest due date of the year is still to come on
  `as_of`), partly paid, unpaid;
- the on-time rate is the States paid on time divided by the States assessed whose contribution
  is due (assessed less "not yet due").
Three queries, whatever the number of States and invoices.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import F, Q, Sum
from django.utils.translation import gettext_lazy as _

from secretariat.reporting.compliance import ALL_REGIONS, REGION_NOT_KNOWN, ChartTable, Column, region_choices

from ..ledger import ZERO
from ..models import Allocation, CreditNote, Fund, Invoice
from .contributions import money

OUTCOMES = [
    ("on_time", _("Paid in full by the due date")),
    ("late", _("Paid in full after the due date")),
    ("partly_paid", _("Partly paid")),
    ("unpaid", _("Unpaid")),
    ("not_yet_due", _("Not yet due")),
]


@dataclass(frozen=True)
class PatternFigures:
    """Counts of States and amounts for one cell (financial year × region), or a sum of cells."""

    assessed_states: int = 0
    on_time: int = 0
    late: int = 0
    partly_paid: int = 0
    unpaid: int = 0
    not_yet_due: int = 0
    assessed: Decimal = ZERO  # net of credit notes
    received_by_due_date: Decimal = ZERO
    received_after_due_date: Decimal = ZERO
    outstanding: Decimal = ZERO

    def __add__(self, other: PatternFigures) -> PatternFigures:
        return PatternFigures(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    @property
    def due_states(self) -> int:
        return self.assessed_states - self.not_yet_due

    @property
    def on_time_rate(self) -> Decimal | None:
        """Percentage of the States whose contribution is due that paid it in full on time (one
        decimal), None when no contribution is due."""
        if not self.due_states:
            return None
        return (Decimal(100) * self.on_time / self.due_states).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class StateYear:
    """One State's contribution for one financial year (the unit that is counted)."""

    state_id: int
    year: int
    region: str
    assessed: Decimal
    received: Decimal
    received_by_due_date: Decimal
    due_on: dt.date

    def outcome(self, as_of: dt.date) -> str:
        if self.received >= self.assessed:
            return "on_time" if self.received_by_due_date >= self.assessed else "late"
        if as_of <= self.due_on:
            return "not_yet_due"
        return "partly_paid" if self.received > 0 else "unpaid"

    def figures(self, as_of: dt.date) -> PatternFigures:
        received = min(self.received, self.assessed)
        by_due = min(self.received_by_due_date, received)
        return PatternFigures(
            assessed_states=1,
            assessed=self.assessed,
            received_by_due_date=by_due,
            received_after_due_date=received - by_due,
            outstanding=self.assessed - received,
            **{self.outcome(as_of): 1},
        )


@dataclass(frozen=True)
class PaymentPattern:
    as_of: dt.date
    currency: str
    cells: dict[tuple[int, str], PatternFigures]  # (financial year, region key)

    @property
    def years(self) -> list[int]:
        return sorted({year for year, _region in self.cells})

    def figures(self, *, years: list[int] | None = None, region: str = ALL_REGIONS) -> PatternFigures:
        result = PatternFigures()
        for (year, key), figures in self.cells.items():
            if (years is None or year in years) and region in (ALL_REGIONS, key):
                result = result + figures
        return result

    def by_year(self, *, region: str = ALL_REGIONS) -> list[tuple[int, PatternFigures]]:
        return [(year, self.figures(years=[year], region=region)) for year in self.years]

    def by_region(self, *, year: int | None) -> list[tuple[str, str, PatternFigures]]:
        """One row per regional group with States assessed (in `year`, or in all years), then all."""
        years = None if year is None else [year]
        keys = {key for (cell_year, key) in self.cells if years is None or cell_year in years}
        rows = [(key, label, self.figures(years=years, region=key)) for key, label in region_choices() if key in keys]
        rows.append((ALL_REGIONS, str(_("All regions")), self.figures(years=years)))
        return rows

    @property
    def latest_due_year(self) -> int | None:
        """The latest financial year in which some contribution is due on `as_of`."""
        due = [year for year, figures in self.by_year() if figures.due_states]
        return max(due) if due else None


def state_years(*, as_of: dt.date, fund: Fund) -> list[StateYear]:
    """Every State and financial year with something assessed on `as_of` (three queries)."""
    invoices = list(
        Invoice.objects.filter(fund=fund, issued_on__lte=as_of)
        .values_list("pk", "state_id", "year", "due_on", "amount", "state__region")
        .order_by()
    )
    credited = dict(
        CreditNote.objects.filter(invoice__fund=fund, issued_on__lte=as_of)
        .values("invoice_id")
        .annotate(amount=Sum("amount"))
        .values_list("invoice_id", "amount")
        .order_by()
    )
    live_on_date = Q(entry__reversed_by__isnull=True) | Q(entry__reversed_by__date__gt=as_of)
    received = {
        invoice_id: (money(amount), money(by_due))
        for invoice_id, amount, by_due in Allocation.objects.filter(
            live_on_date, invoice__fund=fund, entry__date__lte=as_of
        )
        .values("invoice_id")
        .annotate(
            received=Sum("amount"),
            by_due=Sum("amount", filter=Q(entry__date__lte=F("invoice__due_on"))),
        )
        .values_list("invoice_id", "received", "by_due")
        .order_by()
    }
    grouped: dict[tuple[int, int], list] = defaultdict(lambda: [None, ZERO, ZERO, ZERO, None])
    for pk, state_id, year, due_on, amount, region in invoices:
        item = grouped[(state_id, year)]
        item[0] = region or REGION_NOT_KNOWN
        item[1] += money(amount) - money(credited.get(pk))
        all_received, by_due = received.get(pk, (ZERO, ZERO))
        item[2] += all_received
        item[3] += by_due
        item[4] = due_on if item[4] is None else min(item[4], due_on)
    return [
        StateYear(state_id, year, region, assessed, all_received, by_due, due_on)
        for (state_id, year), (region, assessed, all_received, by_due, due_on) in grouped.items()
        if assessed > 0
    ]


def payment_pattern(*, as_of: dt.date, fund: Fund | None = None) -> PaymentPattern:
    fund = fund or Fund.general()
    cells: dict[tuple[int, str], PatternFigures] = defaultdict(PatternFigures)
    for item in state_years(as_of=as_of, fund=fund):
        key = (item.year, item.region)
        cells[key] = cells[key] + item.figures(as_of)
    return PaymentPattern(as_of=as_of, currency=fund.currency, cells=dict(cells))


# ---------------------------------------------------------------------------- the charts' numbers
# Each chart draws exactly the rows of its table; the page shows the table and the CSV download
# writes it (the same approach as reporting/compliance.py).


def region_label(region: str) -> str:
    if region == ALL_REGIONS:
        return str(_("All regions"))
    return dict(region_choices()).get(region, region)


def states_by_year_table(pattern: PaymentPattern, *, region: str, year: int | None) -> ChartTable:
    columns = [
        Column("year", str(_("Financial year"))),
        *(Column(key, str(label), True) for key, label in OUTCOMES),
        Column("assessed_states", str(_("States assessed"))),
        Column("on_time_rate", str(_("Paid on time (%)"))),
    ]
    rows = [
        [year_, *(getattr(figures, key) for key, _label in OUTCOMES), figures.assessed_states, figures.on_time_rate]
        for year_, figures in pattern.by_year(region=region)
    ]
    return ChartTable(
        "states-by-year",
        str(_("States assessed by financial year: paid on time, late, in part, unpaid")),
        str(
            _(
                "Stacked bars, one per financial year (%(where)s): each bar is the number of States assessed, "
                "divided by how they had paid on %(day)s."
            )
            % {"where": region_label(region), "day": pattern.as_of.isoformat()}
        ),
        columns,
        rows,
    )


def on_time_by_region_table(pattern: PaymentPattern, *, region: str, year: int | None) -> ChartTable:
    columns = [
        Column("region", str(_("UN regional group"))),
        Column("on_time", str(_("Paid on time"))),
        Column("due_states", str(_("States whose contribution is due"))),
        Column("on_time_rate", str(_("Paid on time (%)")), True),
    ]
    rows = [
        [label, figures.on_time, figures.due_states, figures.on_time_rate]
        for _key, label, figures in pattern.by_region(year=year)
    ]
    return ChartTable(
        "on-time-by-region",
        str(_("Contributions for %(year)s paid in full by the due date, by UN regional group") % {"year": year or "—"}),
        str(
            _(
                "Horizontal bars, one per UN regional group and one for all regions: the percentage of the States "
                "whose contribution for %(year)s is due that paid it in full by the due date."
            )
            % {"year": year or "—"}
        ),
        columns,
        rows,
    )


def amounts_by_year_table(pattern: PaymentPattern, *, region: str, year: int | None) -> ChartTable:
    thousands = Decimal(1000)

    def kilo(amount: Decimal) -> int:
        return int((amount / thousands).quantize(Decimal(1), rounding=ROUND_HALF_UP))

    columns = [
        Column("year", str(_("Financial year"))),
        Column("received_by_due_date", str(_("Received by the due date")), True),
        Column("received_after_due_date", str(_("Received after the due date")), True),
        Column("outstanding", str(_("Outstanding")), True),
        Column("assessed", str(_("Assessed (net of credit notes)"))),
    ]
    rows = [
        [
            year_,
            kilo(figures.received_by_due_date),
            kilo(figures.received_after_due_date),
            kilo(figures.outstanding),
            kilo(figures.assessed),
        ]
        for year_, figures in pattern.by_year(region=region)
    ]
    return ChartTable(
        "amounts-by-year",
        str(
            _("Amounts assessed by financial year, in thousands of %(currency)s: received on time, late, outstanding")
            % {"currency": pattern.currency}
        ),
        str(
            _(
                "Stacked bars, one per financial year (%(where)s): each bar is the amount assessed net of credit "
                "notes, in thousands of %(currency)s, divided into what was received by the due date, after it, "
                "and what was outstanding on %(day)s."
            )
            % {"where": region_label(region), "currency": pattern.currency, "day": pattern.as_of.isoformat()}
        ),
        columns,
        rows,
    )


CHART_TABLES = {
    "states-by-year": states_by_year_table,
    "on-time-by-region": on_time_by_region_table,
    "amounts-by-year": amounts_by_year_table,
}


def chart_table(pattern: PaymentPattern, key: str, *, region: str, year: int | None) -> ChartTable:
    """The numbers of one chart (KeyError for an unknown chart)."""
    return CHART_TABLES[key](pattern, region=region, year=year)

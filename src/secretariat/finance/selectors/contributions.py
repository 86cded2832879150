"""The status of contributions to the General Budget on a date, and the summary ledger of every fund.

For each State and financial year, on the date `as_of`:
- assessed: the amounts of the invoices issued on or before `as_of`;
- credited: the credit notes on those invoices issued on or before `as_of`;
- received: the allocations of payments to those invoices dated on or before `as_of`, less those
  whose reversal is also dated on or before `as_of` (an allocation reversed later still counted on
  that date: the figures are what the books said then);
- outstanding: assessed − credited − received, which is the ledger's receivable on that date.
Per State also the "credit held": what its payments left unallocated on that date (the balance of
account 2100 "payments not yet allocated", from the ledger).

`contribution_status` reads these from the ledger through the ORM in two queries (one grouped
aggregate with filters, and the State names), never a query per State. `contribution_status_sql`
is the same reading as ONE hand-written SQL statement, portable to SQLite and PostgreSQL with its
values bound; it exists only so the tests and the benchmark can prove that the ORM answer is
identical and not much slower.

Both return a `ContributionFigures`, which is also what a publication freezes as JSON
(`to_json` / `from_json`): the public pages render the frozen figures with the same code.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import F, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from secretariat.states.models import Region, State

from ..ledger import ZERO, cents
from ..models import (
    AccountCode,
    ContributionStatus,
    EntryKind,
    Fund,
    FundCode,
    JournalLine,
)

FIGURES_VERSION = 1
LANGUAGES = ("en", "fr", "es", "zh")


def money(value: Any) -> Decimal:
    """A database sum as Decimal to the cent (SQLite gives floats or ints for sums of decimals)."""
    if value is None:
        return ZERO
    if isinstance(value, float):
        value = repr(value)
    return cents(Decimal(value))


@dataclass(frozen=True)
class Amounts:
    """What was assessed, credited and received, and what is outstanding (all to the cent)."""

    assessed: Decimal = ZERO
    credited: Decimal = ZERO
    received: Decimal = ZERO

    @property
    def outstanding(self) -> Decimal:
        return self.assessed - self.credited - self.received

    @property
    def net_assessed(self) -> Decimal:
        return self.assessed - self.credited

    def __add__(self, other: Amounts) -> Amounts:
        return Amounts(self.assessed + other.assessed, self.credited + other.credited, self.received + other.received)

    def to_json(self) -> dict[str, str]:
        return {
            "assessed": str(self.assessed),
            "credited": str(self.credited),
            "received": str(self.received),
            "outstanding": str(self.outstanding),
        }

    @classmethod
    def from_json(cls, data: dict[str, str]) -> Amounts:
        return cls(Decimal(data["assessed"]), Decimal(data["credited"]), Decimal(data["received"]))


def total(amounts: Iterable[Amounts]) -> Amounts:
    result = Amounts()
    for item in amounts:
        result = result + item
    return result


@dataclass(frozen=True)
class StateStatus:
    """One State: its figures per financial year (oldest first) and the credit it holds."""

    iso3: str
    names: dict[str, str]  # language code -> name (frozen with the figures)
    region: str
    years: tuple[tuple[int, Amounts], ...]
    credit_held: Decimal = ZERO

    @property
    def name(self) -> str:
        language = (get_language() or "en")[:2]
        return self.names.get(language) or self.names.get("en", self.iso3)

    @property
    def region_label(self) -> str:
        return str(dict(Region.choices).get(self.region, _("Not known")))

    @property
    def total(self) -> Amounts:
        return total(amounts for _year, amounts in self.years)

    def amounts_for(self, year: int) -> Amounts | None:
        return dict(self.years).get(year)


@dataclass(frozen=True)
class ContributionFigures:
    """The status of contributions on `as_of`: States ordered by English name."""

    as_of: dt.date
    currency: str
    states: tuple[StateStatus, ...] = field(default_factory=tuple)

    @property
    def financial_years(self) -> list[int]:
        return sorted({year for state in self.states for year, _amounts in state.years})

    def by_year(self) -> list[tuple[int, Amounts]]:
        """Totals per financial year, oldest first."""
        sums: dict[int, Amounts] = defaultdict(Amounts)
        for state in self.states:
            for year, amounts in state.years:
                sums[year] = sums[year] + amounts
        return sorted(sums.items())

    @property
    def total(self) -> Amounts:
        return total(state.total for state in self.states)

    @property
    def credit_held(self) -> Decimal:
        return sum((state.credit_held for state in self.states), ZERO)

    def for_year(self, year: int | None) -> ContributionFigures:
        """The same status restricted to one financial year (None: unchanged). States with nothing
        assessed that year are left out."""
        if year is None:
            return self
        states = tuple(
            StateStatus(s.iso3, s.names, s.region, tuple((y, a) for y, a in s.years if y == year), s.credit_held)
            for s in self.states
            if any(y == year for y, _a in s.years)
        )
        return ContributionFigures(self.as_of, self.currency, states)

    # ------------------------------------------------------------------ frozen form

    def to_json(self) -> dict[str, Any]:
        return {
            "version": FIGURES_VERSION,
            "as_of": self.as_of.isoformat(),
            "currency": self.currency,
            "states": [
                {
                    "iso3": state.iso3,
                    "names": state.names,
                    "region": state.region,
                    "credit_held": str(state.credit_held),
                    "years": [{"year": year, **amounts.to_json()} for year, amounts in state.years],
                }
                for state in self.states
            ],
            # Redundant with the rows, kept so a reader of the JSON needs no arithmetic.
            "totals": {**self.total.to_json(), "credit_held": str(self.credit_held)},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ContributionFigures:
        return cls(
            as_of=dt.date.fromisoformat(data["as_of"]),
            currency=data["currency"],
            states=tuple(
                StateStatus(
                    iso3=state["iso3"],
                    names=state["names"],
                    region=state["region"],
                    years=tuple((row["year"], Amounts.from_json(row)) for row in state["years"]),
                    credit_held=Decimal(state["credit_held"]),
                )
                for state in data["states"]
            ),
        )


# ---------------------------------------------------------------------------- assembling rows

StateInfo = tuple[str, str, str, str, str, str]  # iso3, name_en, name_fr, name_es, name_zh, region


def _assemble(
    as_of: dt.date,
    currency: str,
    info: dict[int, StateInfo],
    per_year: dict[tuple[int, int], Amounts],
    credits: dict[int, Decimal],
) -> ContributionFigures:
    """The figures from the (state id, year) amounts and the credits per State id."""
    years: dict[int, list[tuple[int, Amounts]]] = defaultdict(list)
    for (state_id, year), amounts in sorted(per_year.items(), key=lambda item: item[0][1]):
        years[state_id].append((year, amounts))
    state_ids = set(years) | {state_id for state_id, credit in credits.items() if credit}
    states = []
    for state_id in state_ids:
        iso3, name_en, name_fr, name_es, name_zh, region = info[state_id]
        states.append(
            StateStatus(
                iso3=iso3,
                names={"en": name_en, "fr": name_fr, "es": name_es, "zh": name_zh},
                region=region,
                years=tuple(years.get(state_id, ())),
                credit_held=credits.get(state_id, ZERO),
            )
        )
    states.sort(key=lambda state: (state.names["en"], state.iso3))
    return ContributionFigures(as_of=as_of, currency=currency, states=tuple(states))


# ---------------------------------------------------------------------------- through the ORM
# Every figure is read from the fund's ledger in one grouped query. The receivable lines (1200) are
# grouped by the State and financial year of their invoice and split by the kind of their entry:
# invoice lines are the amounts assessed, credit-note lines the amounts credited, allocation lines
# less reversed allocations the amounts received (only allocations are ever reversed on the
# receivable: ledger.reverse refuses invoices and credit notes). The lines of payments not yet
# allocated (2100) are grouped by the paying State: credits less debits is its credit held. The
# ledger holds exactly the documents' amounts (`ledger.invariant_problems` checks it), so these are
# the sums of the invoices, credit notes and allocations the module docstring describes.


# What a State's receivable lines of one financial year add up to. The one definition of assessed,
# credited and received: the status of contributions below and the arrears (selectors/arrears.py)
# both read them. A reversal on the receivable account undoes an allocation (ledger.reverse refuses
# to reverse invoices and credit notes).
RECEIVED_KINDS = (EntryKind.ALLOCATION, EntryKind.REVERSAL)


def receivable_amounts() -> dict[str, Any]:
    """Aggregates over receivable (1200) lines: `assessed`, `credited`, `received`."""
    return {
        "assessed": Sum("debit", filter=Q(entry__kind=EntryKind.INVOICE)),
        "credited": Sum("credit", filter=Q(entry__kind=EntryKind.CREDIT_NOTE)),
        "received": Sum(F("credit") - F("debit"), filter=Q(entry__kind__in=RECEIVED_KINDS)),
    }


def _status_lines(fund: Fund, as_of: dt.date) -> QuerySet[JournalLine]:
    return JournalLine.objects.filter(
        account__fund=fund,
        account__code__in=[AccountCode.RECEIVABLE, AccountCode.STATE_CREDITS],
        entry__date__lte=as_of,
    )


def contribution_status(*, as_of: dt.date, fund: Fund | None = None) -> ContributionFigures:
    """The status of contributions on `as_of` (see the module docstring). Two queries (three
    without `fund`), whatever the number of States, invoices and payments."""
    fund = fund or Fund.general()
    rows = (
        _status_lines(fund, as_of)
        .values("invoice__state_id", "invoice__year", "payment__state_id")
        .annotate(
            assessed=receivable_amounts()["assessed"],
            credited=receivable_amounts()["credited"],
            # Receivable rows: `received` of receivable_amounts(). Rows of payments not yet
            # allocated: every line (the credit held). One aggregate serves both, in one query.
            net_credit=Sum(
                F("credit") - F("debit"),
                filter=Q(entry__kind__in=RECEIVED_KINDS) | Q(account__code=AccountCode.STATE_CREDITS),
            ),
        )
        .values_list("invoice__state_id", "invoice__year", "payment__state_id", "assessed", "credited", "net_credit")
        .order_by()
    )
    per_year: dict[tuple[int, int], Amounts] = {}
    credits: dict[int, Decimal] = {}
    for state_id, year, payer_id, assessed, credited, net_credit in rows:
        if state_id is None:  # the lines of a State's payments not yet allocated (2100)
            credits[payer_id] = money(net_credit)
        else:
            per_year[(state_id, year)] = Amounts(money(assessed), money(credited), money(net_credit))
    info = {
        row[0]: row[1:]
        for row in State.objects.values_list("pk", "iso3", "name_en", "name_fr", "name_es", "name_zh", "region")
    }
    return _assemble(as_of, fund.currency, info, per_year, credits)


# ---------------------------------------------------------------------------- hand-written SQL

# The same grouped reading as `contribution_status`, written by hand as ONE statement that also
# joins the State names. Every value is a bound parameter; the table and column names are the
# models' own. Aggregate FILTER clauses: PostgreSQL 9.4+, SQLite 3.30+ (Django 5.2 needs 3.31).
STATUS_SQL = """
SELECT s.id, s.iso3, s.name_en, s.name_fr, s.name_es, s.name_zh, s.region,
       g.year, g.assessed, g.credited, g.net_credit
FROM (
    SELECT COALESCE(i.state_id, p.state_id) AS state_id,
           i.year AS year,
           SUM(l.debit) FILTER (WHERE e.kind = %(invoice)s) AS assessed,
           SUM(l.credit) FILTER (WHERE e.kind = %(credit_note)s) AS credited,
           SUM(l.credit - l.debit) FILTER (
               WHERE e.kind IN (%(allocation)s, %(reversal)s) OR a.code = %(credits)s
           ) AS net_credit
    FROM finance_journalline l
    JOIN finance_account a ON a.id = l.account_id
    JOIN finance_journalentry e ON e.id = l.entry_id
    LEFT JOIN finance_invoice i ON i.id = l.invoice_id
    LEFT JOIN finance_payment p ON p.id = l.payment_id
    WHERE a.fund_id = %(fund)s AND a.code IN (%(receivable)s, %(credits)s) AND e.date <= %(as_of)s
    GROUP BY COALESCE(i.state_id, p.state_id), i.year
) g
JOIN states_state s ON s.id = g.state_id
"""


def contribution_status_sql(*, as_of: dt.date, fund: Fund | None = None) -> ContributionFigures:
    """The same figures as `contribution_status`, from one hand-written SQL statement (for the
    tests and the benchmark only)."""
    fund = fund or Fund.general()
    params = {
        "as_of": as_of,
        "fund": fund.pk,
        "receivable": str(AccountCode.RECEIVABLE),
        "credits": str(AccountCode.STATE_CREDITS),
        "invoice": str(EntryKind.INVOICE),
        "credit_note": str(EntryKind.CREDIT_NOTE),
        "allocation": str(EntryKind.ALLOCATION),
        "reversal": str(EntryKind.REVERSAL),
    }
    with connection.cursor() as cursor:
        cursor.execute(STATUS_SQL, params)
        rows = cursor.fetchall()
    info: dict[int, StateInfo] = {}
    per_year: dict[tuple[int, int], Amounts] = {}
    credits: dict[int, Decimal] = {}
    for state_id, iso3, en, fr, es, zh, region, year, assessed, credited, net_credit in rows:
        info[state_id] = (iso3, en, fr, es, zh, region)
        if year is None:
            credits[state_id] = money(net_credit)
        else:
            per_year[(state_id, year)] = Amounts(money(assessed), money(credited), money(net_credit))
    return _assemble(as_of, fund.currency, info, per_year, credits)


# ---------------------------------------------------------------------------- summary ledger

SUMMARY_ITEMS = [
    # key, label, what it is (movements of the period, or balances at its end)
    ("assessed", _("Assessed contributions"), "period"),
    ("credited", _("Reductions by credit notes"), "period"),
    ("received", _("Assessed contributions received (payments allocated to invoices)"), "period"),
    ("voluntary", _("Voluntary contributions received"), "period"),
    ("expenditure", _("Expenditure"), "period"),
    ("bank", _("Cash at the bank at the end of the period"), "balance"),
    ("receivable", _("Contributions receivable at the end of the period"), "balance"),
    ("credits", _("Payments held as credit (not yet allocated) at the end of the period"), "balance"),
]


def summary_ledger(*, as_of: dt.date) -> dict[str, Any]:
    """Per fund and financial year (calendar year) up to `as_of`, the totals of the ledger by kind
    of account (JSON-ready: amounts as strings). The last period ends on `as_of`. One query.

    Movements of the period: assessed contributions (4100, credits less debits), reductions by
    credit notes (4900), assessed contributions received (receivable 1200 credited by allocations
    of payments, less reversed allocations), voluntary contributions (4200) and expenditure (5100).
    Balances at the end of each period: bank (1100 and 1110), receivables (1200), payments held as
    credit (2100)."""
    rows = (
        JournalLine.objects.filter(entry__date__lte=as_of)
        .annotate(year=ExtractYear("entry__date"))
        .values("account__fund__code", "account__code", "year", "entry__kind")
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
        .values_list("account__fund__code", "account__code", "year", "entry__kind", "debit", "credit")
        .order_by()
    )
    movements: dict[str, dict[int, dict[str, Decimal]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(Decimal)))
    for fund_code, account, year, kind, debit_sum, credit_sum in rows:
        debit, credit = money(debit_sum), money(credit_sum)
        period = movements[fund_code][year]
        if account == AccountCode.ASSESSED:
            period["assessed"] += credit - debit
        elif account == AccountCode.REDUCTIONS:
            period["credited"] += debit - credit
        elif account == AccountCode.VOLUNTARY:
            period["voluntary"] += credit - debit
        elif account == AccountCode.EXPENDITURE:
            period["expenditure"] += debit - credit
        elif account in (AccountCode.BANK, AccountCode.ADMIN_BANK):
            period["bank_change"] += debit - credit
        elif account == AccountCode.RECEIVABLE:
            period["receivable_change"] += debit - credit
            if kind == EntryKind.ALLOCATION:
                period["received"] += credit
            elif kind == EntryKind.REVERSAL:  # only allocations are reversed on the receivable
                period["received"] -= debit
        elif account == AccountCode.STATE_CREDITS:
            period["credits_change"] += credit - debit
    currencies = dict(Fund.objects.values_list("code", "currency"))
    funds = []
    for code, _label in FundCode.choices:
        if code not in movements:
            continue
        years = movements[code]
        balances = {"bank": ZERO, "receivable": ZERO, "credits": ZERO}
        periods = []
        for year in range(min(years), as_of.year + 1):
            period = years.get(year, {})
            for name in balances:
                balances[name] += period.get(f"{name}_change", ZERO)
            values = {key: period.get(key, ZERO) for key, _l, kind in SUMMARY_ITEMS if kind == "period"}
            values.update(balances)
            periods.append(
                {
                    "year": year,
                    "start": dt.date(year, 1, 1).isoformat(),
                    "end": min(dt.date(year, 12, 31), as_of).isoformat(),
                    **{key: str(cents(value)) for key, value in values.items()},
                }
            )
        funds.append({"fund": code, "currency": currencies.get(code, "USD"), "periods": periods})
    return {"as_of": as_of.isoformat(), "funds": funds}


# ---------------------------------------------------------------------------- publications


def publications() -> QuerySet[ContributionStatus]:
    """Every published status of the General Budget, the latest first."""
    return ContributionStatus.objects.filter(fund__code=FundCode.GENERAL).select_related("fund").order_by("-as_of")


def published_dates() -> list[dt.date]:
    """The as-of dates of every publication, the latest first."""
    return list(publications().values_list("as_of", flat=True))


def latest_publication() -> ContributionStatus | None:
    return publications().first()


def publication_on(as_of: dt.date) -> ContributionStatus:
    """The status published as of `as_of` (404 if there is none)."""
    return get_object_or_404(publications(), as_of=as_of)


def published_figures(status: ContributionStatus) -> ContributionFigures:
    """The figures frozen in a publication."""
    return ContributionFigures.from_json(status.figures)

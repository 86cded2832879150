"""Compliance analytics of Article 13 reporting: who reported on what, when and how (reads only).

The figures are about submission, never about the content of a report: how many reports were
expected, received on time, in the grace period or late, or not at all; how many were nil
reports, made public or restricted, or withheld information. The Secretariat publishes these
rates, so every figure here is public. They count only the reports recorded in this platform.

Definitions (for an as-of day, normally today):

- An *obligation* is one computed by `obligations.obligations_for` for a State that is or was a
  State Party with a known entry into force (EIF), with every reporting rule: the initial report,
  and the annual report on each calendar year from the first one covered up to the year of the
  as-of day (none after the year a withdrawal takes effect). States that deposited an instrument
  but whose EIF is not known have no computable obligations: they are listed apart, not counted.
- A report is *received* on the `received_on` day of its first non-draft version, if that day is
  on or before the as-of day (amendments never move it, as in `selectors.submissions_for`).
  Drafts are never counted, nor are reports on years for which the State had no obligation.
- An obligation is *expected* when its due date is before the as-of day, or when its report
  has already been received (a report received early counts as expected and on time, so the
  submission rate never exceeds 100 %). Every other obligation is *not yet due*.
- An expected obligation is *on time* (received on or before the due date), *in the grace
  period* (received after the due date, within the grace days of the rule), *late* (received
  after the grace period) or *not submitted*. "Not submitted" includes a report still within
  its grace period on the as-of day. *Submitted* = on time + in grace + late; the *rate* is
  submitted / expected, as a percentage.
- What a received annual report says is read from its *latest* non-draft version received by
  the as-of day: a *nil report* has both forms recorded and both nil (a report with one nil form
  reports transfers in the other, so it is not a nil report: it is counted under "one nil form");
  *public*: every recorded form public; *restricted*: every recorded form restricted to States
  Parties; *partly public*: one public and one restricted form; *forms not recorded*: the
  Secretariat recorded the report without its forms (a report received by email). "Withheld
  information" counts reports declaring commercially sensitive and/or national-security
  information withheld. Initial reports have no forms: only their timeliness is counted.
- Annual reports are grouped by the calendar year covered; initial reports by the year their
  due date falls in. Both are grouped by the UN regional group of the State (`State.region`).

Three queries whatever the number of States and years: the States, the reporting rules and the
received versions (with their forms counted in the same query).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import models
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from secretariat.core.access import Principal
from secretariat.states.models import Region, State
from secretariat.states.selectors import DossierPanel

from .charts import Cell, status_strip
from .models import ReportVersion, VersionStatus, Visibility
from .obligations import (
    Obligation,
    ObligationKind,
    ObligationStatus,
    RuleTerms,
    obligations_for,
    rule_for,
    status_on,
)
from .selectors import all_rules

ALL_REGIONS = "all"
REGION_NOT_KNOWN = "unknown"
FIRST_YEAR = 2014  # the Treaty entered into force on 24 December 2014: no obligation is older


class Outcome(models.TextChoices):
    """Where an obligation stands on the as-of day (see the module docstring)."""

    ON_TIME = "on_time", _("On time")
    IN_GRACE = "in_grace", _("In the grace period")
    LATE = "late", _("Late")
    NOT_SUBMITTED = "not_submitted", _("Not submitted")
    NOT_YET_DUE = "not_yet_due", _("Not yet due")


SUBMITTED_OUTCOMES = (Outcome.ON_TIME, Outcome.IN_GRACE, Outcome.LATE)
_OUTCOME_OF_STATUS = {
    ObligationStatus.SUBMITTED_ON_TIME: Outcome.ON_TIME,
    ObligationStatus.SUBMITTED_IN_GRACE: Outcome.IN_GRACE,
    ObligationStatus.SUBMITTED_LATE: Outcome.LATE,
}


class Openness(models.TextChoices):
    """Whether the forms of a received annual report are public."""

    PUBLIC = "public", _("Public")
    PARTLY = "partly", _("Partly public")
    RESTRICTED = "restricted", _("Restricted")
    NOT_RECORDED = "not_recorded", _("Forms not recorded")


def outcome_of(obligation: Obligation, received_on: dt.date | None, as_of: dt.date) -> Outcome:
    """The obligation's outcome on `as_of`; a report counts from the day it was received."""
    if received_on is not None and received_on <= as_of:
        return _OUTCOME_OF_STATUS[status_on(obligation, as_of, received_on)]
    if obligation.due_on < as_of:
        return Outcome.NOT_SUBMITTED
    return Outcome.NOT_YET_DUE


@dataclass(frozen=True)
class Received:
    """What the platform holds of one report on the as-of day (never its content)."""

    first_received_on: dt.date
    versions: int
    forms: int  # of the latest version
    nil_forms: int
    public_forms: int
    withheld_commercial: bool
    withheld_security: bool

    @property
    def is_nil(self) -> bool:
        return self.forms == 2 and self.nil_forms == 2

    @property
    def has_one_nil_form(self) -> bool:
        return self.nil_forms == 1

    @property
    def openness(self) -> Openness:
        if self.forms == 0:
            return Openness.NOT_RECORDED
        if self.public_forms == self.forms:
            return Openness.PUBLIC
        if self.public_forms == 0:
            return Openness.RESTRICTED
        return Openness.PARTLY

    @property
    def withheld_any(self) -> bool:
        return self.withheld_commercial or self.withheld_security

    @property
    def amendments(self) -> int:
        return self.versions - 1


@dataclass
class Figures:
    """Counts of obligations (one group: a year and a region, or a sum of groups)."""

    on_time: int = 0
    in_grace: int = 0
    late: int = 0
    not_submitted: int = 0
    not_yet_due: int = 0
    # Annual reports only, from the latest version of each report received:
    nil: int = 0
    one_nil_form: int = 0
    public: int = 0
    partly_public: int = 0
    restricted: int = 0
    forms_not_recorded: int = 0
    withheld_commercial: int = 0
    withheld_security: int = 0
    withheld_any: int = 0

    @property
    def submitted(self) -> int:
        return self.on_time + self.in_grace + self.late

    @property
    def expected(self) -> int:
        return self.submitted + self.not_submitted

    @property
    def rate(self) -> Decimal | None:
        """Submitted / expected as a percentage with one decimal; None when nothing was expected."""
        return percentage(self.submitted, self.expected)

    @property
    def on_time_rate(self) -> Decimal | None:
        return percentage(self.on_time, self.expected)

    def count(self, outcome: Outcome, received: Received | None, *, with_forms: bool) -> None:
        setattr(self, outcome.value, getattr(self, outcome.value) + 1)
        if received is None or outcome not in SUBMITTED_OUTCOMES or not with_forms:
            return
        self.nil += received.is_nil
        self.one_nil_form += received.has_one_nil_form
        openness_field = {
            Openness.PUBLIC: "public",
            Openness.PARTLY: "partly_public",
            Openness.RESTRICTED: "restricted",
            Openness.NOT_RECORDED: "forms_not_recorded",
        }[received.openness]
        setattr(self, openness_field, getattr(self, openness_field) + 1)
        self.withheld_commercial += received.withheld_commercial
        self.withheld_security += received.withheld_security
        self.withheld_any += received.withheld_any

    def __add__(self, other: Figures) -> Figures:
        return Figures(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})


def percentage(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def region_key(state: State) -> str:
    return state.region or REGION_NOT_KNOWN


def region_choices() -> list[tuple[str, str]]:
    """Every regional group a figure can be grouped by, in the registry's order."""
    return [*((value, str(label)) for value, label in Region.choices), (REGION_NOT_KNOWN, str(_("Not known")))]


def region_label(key: str) -> str:
    if key == ALL_REGIONS:
        return str(_("All regions"))
    return dict(region_choices()).get(key, key)


ReportKey = tuple[int, str, int | None]  # (state id, kind, year)


def received_reports(*, as_of: dt.date, state_ids: Iterable[int] | None = None) -> dict[ReportKey, Received]:
    """Every report received by `as_of` (non-draft versions only), by (state id, kind, year). One query."""
    versions = ReportVersion.objects.exclude(status=VersionStatus.DRAFT).filter(received_on__lte=as_of)
    if state_ids is not None:
        versions = versions.filter(report__state_id__in=list(state_ids))
    rows = (
        versions.annotate(
            form_count=Count("forms"),
            nil_count=Count("forms", filter=Q(forms__is_nil=True)),
            public_count=Count("forms", filter=Q(forms__visibility=Visibility.PUBLIC)),
        )
        .order_by("report_id", "number")
        .values_list(
            "report__state_id",
            "report__kind",
            "report__year",
            "received_on",
            "withheld_commercial",
            "withheld_security",
            "form_count",
            "nil_count",
            "public_count",
        )
    )
    received: dict[ReportKey, Received] = {}
    for state_id, kind, year, received_on, commercial, security, forms, nil, public in rows:
        key = (state_id, kind, year)
        earlier = received.get(key)
        # Ordered by version number: the last row of a report is its latest version.
        received[key] = Received(
            first_received_on=min(received_on, earlier.first_received_on) if earlier else received_on,
            versions=(earlier.versions if earlier else 0) + 1,
            forms=forms,
            nil_forms=nil,
            public_forms=public,
            withheld_commercial=commercial,
            withheld_security=security,
        )
    return received


def cannot_compute(state: State, as_of: dt.date) -> bool:
    """The State had deposited an instrument by `as_of`, but its entry into force is not known."""
    if state.entry_into_force is not None or not state.has_deposited:
        return False
    earliest = state.earliest_possible_entry_into_force
    return earliest is not None and earliest <= as_of


@dataclass(frozen=True)
class RegionFigures:
    key: str
    label: str
    figures: Figures


@dataclass
class ComplianceStatistics:
    """Counts of obligations by (year, region key) for annual and initial reports."""

    as_of: dt.date
    last_due_year: int  # the last year covered whose annual report has fallen due
    annual: dict[tuple[int, str], Figures] = field(default_factory=dict)
    initial: dict[tuple[int, str], Figures] = field(default_factory=dict)
    states_counted: int = 0
    not_computable: list[tuple[State, str]] = field(default_factory=list)

    def _table(self, kind: str) -> dict[tuple[int, str], Figures]:
        return self.annual if kind == ObligationKind.ANNUAL else self.initial

    def years(self, kind: str = ObligationKind.ANNUAL) -> list[int]:
        return sorted({year for year, _region in self._table(kind)})

    def figures(self, kind: str, *, years: Iterable[int], region: str = ALL_REGIONS) -> Figures:
        """The sum over `years` for one region (or all)."""
        wanted = set(years)
        total = Figures()
        for (year, key), figures in self._table(kind).items():
            if year in wanted and region in (ALL_REGIONS, key):
                total = total + figures
        return total

    def by_year(self, kind: str, *, years: Iterable[int], region: str = ALL_REGIONS) -> list[tuple[int, Figures]]:
        """One row per year asked for (zeros included)."""
        return [(year, self.figures(kind, years=[year], region=region)) for year in years]

    def by_region(self, kind: str, *, years: Iterable[int]) -> list[RegionFigures]:
        """One row per regional group with States counted, then "All regions"."""
        years = list(years)
        keys = {key for _year, key in self._table(kind)}
        rows = [
            RegionFigures(key, label, self.figures(kind, years=years, region=key))
            for key, label in region_choices()
            if key in keys
        ]
        rows.append(RegionFigures(ALL_REGIONS, region_label(ALL_REGIONS), self.figures(kind, years=years)))
        return rows


def compliance_statistics(*, as_of: dt.date, states: Iterable[State] | None = None) -> ComplianceStatistics:
    """The compliance figures on `as_of` for every State (or only `states`). Three queries."""
    only = states is not None
    states = list(State.objects.all() if states is None else states)
    rules = all_rules()
    received = received_reports(as_of=as_of, state_ids=[state.pk for state in states] if only else None)
    stats = ComplianceStatistics(as_of=as_of, last_due_year=last_due_year(rules, as_of))
    for state in states:
        obligations = obligations_for(state, rules, until=as_of)
        if not obligations.computable:
            if cannot_compute(state, as_of):
                stats.not_computable.append((state, obligations.reason))
            continue
        stats.states_counted += 1
        region = region_key(state)
        for obligation in obligations.obligations:
            report = received.get((state.pk, obligation.kind, obligation.year))
            outcome = outcome_of(obligation, report.first_received_on if report else None, as_of)
            if obligation.kind == ObligationKind.ANNUAL:
                assert obligation.year is not None  # noqa: S101 - annual obligations have a year
                group = stats.annual.setdefault((obligation.year, region), Figures())
                group.count(outcome, report, with_forms=True)
            else:
                group = stats.initial.setdefault((obligation.due_on.year, region), Figures())
                group.count(outcome, report, with_forms=False)
    stats.not_computable.sort(key=lambda pair: pair[0].name)
    return stats


def last_due_year(rules: Sequence[RuleTerms], as_of: dt.date) -> int:
    """The last calendar year whose annual report has fallen due by `as_of` under the rule then in
    force (the default end of the range of the compliance page)."""
    rule = rule_for(rules, as_of)
    due = dt.date(as_of.year, rule.annual_due_month, rule.annual_due_day)
    return as_of.year - 1 if due < as_of else as_of.year - 2


# ---------------------------------------------------------------------------- what the page and the CSVs show


@dataclass(frozen=True)
class ComplianceFilters:
    year_from: int
    year_to: int
    region: str = ALL_REGIONS  # a region key or ALL_REGIONS
    chart_year: int | None = None  # the year of the region comparison (default: year_to)

    @property
    def years(self) -> list[int]:
        return list(range(self.year_from, self.year_to + 1))

    @property
    def comparison_year(self) -> int:
        return self.chart_year if self.chart_year is not None else self.year_to


@dataclass(frozen=True)
class Column:
    key: str  # the CSV header
    label: str  # the table header
    series: bool = False  # drawn as a bar (segment)


@dataclass(frozen=True)
class ChartTable:
    """The numbers one chart draws: its data-table alternative and its CSV are these rows."""

    key: str
    title: str
    description: str
    columns: list[Column]
    rows: list[list[Any]]

    @property
    def series(self) -> list[Column]:
        return [column for column in self.columns if column.series]

    def column_values(self, key: str) -> list[Any]:
        index = [column.key for column in self.columns].index(key)
        return [row[index] for row in self.rows]


TIMELINESS_COLUMNS = [
    (Outcome.ON_TIME, "on_time"),
    (Outcome.IN_GRACE, "in_grace"),
    (Outcome.LATE, "late"),
    (Outcome.NOT_SUBMITTED, "not_submitted"),
]
OPENNESS_COLUMNS = [
    (Openness.PUBLIC, "public"),
    (Openness.PARTLY, "partly_public"),
    (Openness.RESTRICTED, "restricted"),
    (Openness.NOT_RECORDED, "forms_not_recorded"),
]


def _where(filters: ComplianceFilters) -> str:
    return region_label(filters.region)


def _timeliness_table(
    stats: ComplianceStatistics, filters: ComplianceFilters, *, kind: str, key: str, title: str, description: str
) -> ChartTable:
    columns = [
        Column("year", str(_("Year"))),
        *(Column(attr, str(outcome.label), True) for outcome, attr in TIMELINESS_COLUMNS),
    ]
    columns.append(Column("expected", str(_("Expected"))))
    rows = [
        [year, *(getattr(figures, attr) for _outcome, attr in TIMELINESS_COLUMNS), figures.expected]
        for year, figures in stats.by_year(kind, years=filters.years, region=filters.region)
    ]
    return ChartTable(key, title, description, columns, rows)


def annual_timeliness_table(stats: ComplianceStatistics, filters: ComplianceFilters) -> ChartTable:
    return _timeliness_table(
        stats,
        filters,
        kind=ObligationKind.ANNUAL,
        key="annual-timeliness",
        title=str(_("Annual reports by year covered: on time, in the grace period, late, not submitted")),
        description=str(
            _(
                "Stacked bars, one per calendar year covered from %(start)s to %(end)s (%(where)s); "
                "each bar is the number of annual reports expected."
            )
            % {"start": filters.year_from, "end": filters.year_to, "where": _where(filters)}
        ),
    )


def initial_timeliness_table(stats: ComplianceStatistics, filters: ComplianceFilters) -> ChartTable:
    return _timeliness_table(
        stats,
        filters,
        kind=ObligationKind.INITIAL,
        key="initial-timeliness",
        title=str(_("Initial reports by year due: on time, in the grace period, late, not submitted")),
        description=str(
            _(
                "Stacked bars, one per year in which initial reports fell due, from %(start)s to %(end)s "
                "(%(where)s); each bar is the number of initial reports expected."
            )
            % {"start": filters.year_from, "end": filters.year_to, "where": _where(filters)}
        ),
    )


def visibility_table(stats: ComplianceStatistics, filters: ComplianceFilters) -> ChartTable:
    columns = [
        Column("year", str(_("Year"))),
        *(Column(attr, str(kind.label), True) for kind, attr in OPENNESS_COLUMNS),
    ]
    columns.append(Column("submitted", str(_("Submitted"))))
    rows = [
        [year, *(getattr(figures, attr) for _kind, attr in OPENNESS_COLUMNS), figures.submitted]
        for year, figures in stats.by_year(ObligationKind.ANNUAL, years=filters.years, region=filters.region)
    ]
    return ChartTable(
        "visibility",
        str(_("Annual reports submitted by year covered: public, partly public or restricted")),
        str(
            _(
                "Stacked bars, one per calendar year covered from %(start)s to %(end)s (%(where)s); each bar "
                "is the number of annual reports submitted, divided by whether their forms are public."
            )
            % {"start": filters.year_from, "end": filters.year_to, "where": _where(filters)}
        ),
        columns,
        rows,
    )


def region_rates_table(stats: ComplianceStatistics, filters: ComplianceFilters) -> ChartTable:
    year = filters.comparison_year
    columns = [
        Column("region", str(_("UN regional group"))),
        Column("submitted", str(_("Submitted"))),
        Column("expected", str(_("Expected"))),
        Column("rate", str(_("Submission rate (%)")), True),
    ]
    rows = [
        [row.label, row.figures.submitted, row.figures.expected, row.figures.rate]
        for row in stats.by_region(ObligationKind.ANNUAL, years=[year])
    ]
    return ChartTable(
        "region-rates",
        str(_("Submission rate of the annual reports on %(year)s by UN regional group") % {"year": year}),
        str(
            _(
                "Horizontal bars, one per UN regional group and one for all regions: the percentage of the "
                "annual reports on %(year)s expected that were submitted (all regions are compared, "
                "whatever the region chosen)."
            )
            % {"year": year}
        ),
        columns,
        rows,
    )


CHART_TABLES = {
    "annual-timeliness": annual_timeliness_table,
    "region-rates": region_rates_table,
    "visibility": visibility_table,
    "initial-timeliness": initial_timeliness_table,
}


def chart_table(stats: ComplianceStatistics, filters: ComplianceFilters, key: str) -> ChartTable:
    """The numbers of one chart (KeyError for an unknown chart)."""
    return CHART_TABLES[key](stats, filters)


# ---------------------------------------------------------------------------- the State dossier


@dataclass(frozen=True)
class HistoryRow:
    """One report a State owed, with what the platform recorded of it."""

    obligation: Obligation
    outcome: Outcome
    received: Received | None

    @property
    def kind_label(self) -> str:
        return self.obligation.kind_label

    @property
    def year(self) -> int | None:
        return self.obligation.year

    @property
    def is_initial(self) -> bool:
        return self.obligation.kind == ObligationKind.INITIAL


@dataclass(frozen=True)
class ReportingHistory:
    as_of: dt.date
    initial: HistoryRow | None
    annual: list[HistoryRow]  # newest year first
    grace_days: int


def reporting_history(*, state: State, as_of: dt.date) -> ReportingHistory | None:
    """The State's reports year by year on `as_of`; None when no obligation can be computed
    (never a State Party, or its entry into force is not known). Two queries."""
    if state.entry_into_force is None or state.entry_into_force > as_of:
        return None
    rules = all_rules()
    obligations = obligations_for(state, rules, until=as_of)
    if not obligations.computable:
        return None
    received = received_reports(as_of=as_of, state_ids=[state.pk])
    rows = []
    for obligation in obligations.obligations:
        report = received.get((state.pk, obligation.kind, obligation.year))
        outcome = outcome_of(obligation, report.first_received_on if report else None, as_of)
        rows.append(HistoryRow(obligation, outcome, report))
    initial = next((row for row in rows if row.is_initial), None)
    annual = sorted((row for row in rows if not row.is_initial), key=lambda row: row.year or 0, reverse=True)
    return ReportingHistory(as_of=as_of, initial=initial, annual=annual, grace_days=rule_for(rules, as_of).grace_days)


def history_strip(history: ReportingHistory, *, svg_id: str) -> SafeString:
    """One cell per year covered (oldest first), filled by the annual report's outcome."""
    cells = [
        Cell(
            label=str(row.year),
            key=row.outcome.value,
            title=str(_("Annual report on %(year)s: %(status)s") % {"year": row.year, "status": row.outcome.label}),
        )
        for row in reversed(history.annual)
    ]
    return status_strip(
        svg_id=svg_id,
        title=str(_("Annual reports by year covered")),
        description=str(
            _("One square per calendar year covered, oldest first, filled according to the report's status.")
        ),
        cells=cells,
        legend=[(outcome.value, str(outcome.label)) for outcome in Outcome],
    )


def compliance_dossier_panel(state: State, principal: Principal) -> DossierPanel | None:
    """The "Reporting history" panel of the State dossier, public like the compliance page. None for a State
    that never was a Party, or whose entry into force is not known (the obligations panel says why).
    Two queries."""
    today = timezone.localdate()
    history = reporting_history(state=state, as_of=today)
    if history is None:
        return None
    return DossierPanel(
        key="reporting-history",
        title=str(_("Reporting history")),
        template_name="reporting/compliance/_dossier_panel.html",
        context={"history": history, "strip": history_strip(history, svg_id=f"history-{state.iso3.lower()}")},
    )

"""Reads of the State registry: treaty status lists, their summary by region, and the dossier.

The status of a State on a day is computed in Python by `State.status_on(day)`, because it
depends on partial dates and withdrawal rules the database cannot express. The registry
holds about 195 rows, so every list here is one query, then filtered and summarised in
Python: the number of queries does not grow with the number of States.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import Any

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from secretariat.core.access import Principal, can_view_registry_history
from secretariat.core.history import HistoryEntry, history_entries

from .models import Region, ScaleRate, State, StatusAnswer, TreatyStatus

STATUS_ORDER = [TreatyStatus.PARTY, TreatyStatus.SIGNATORY, TreatyStatus.NOT_JOINED, TreatyStatus.UNKNOWN]
REGION_NOT_KNOWN = ""


@cache
def _choice_labels(field: str, language: str | None) -> dict[str, str]:
    """The labels of a State field's choices in `language` (the active one when called), read once
    per process: `get_FOO_display()` hashes every lazy label of the field on each call, which for
    a list of every State cost more than the rest of its rows."""
    return {value: str(label) for value, label in State._meta.get_field(field).flatchoices}


def _label(state: State, field: str) -> str:
    value = getattr(state, field)
    return _choice_labels(field, get_language()).get(value, value) if value else ""


@dataclass(frozen=True)
class StateStatusRow:
    """One State and its relation to the Treaty on the day asked about.

    The values a list shows are computed once per row (cached), not once per template lookup:
    the status page renders every State.
    """

    state: State
    answer: StatusAnswer

    @property
    def status(self) -> TreatyStatus:
        return self.answer.status

    @property
    def reason(self) -> str:
        return self.answer.reason

    @cached_property
    def name(self) -> str:
        return self.state.name

    @cached_property
    def entry_into_force(self) -> dt.date | None:
        return self.state.entry_into_force

    @cached_property
    def has_deposited(self) -> bool:
        return self.state.has_deposited

    @cached_property
    def region_label(self) -> str:
        return _label(self.state, "region")

    @cached_property
    def instrument_label(self) -> str:
        return _label(self.state, "instrument")


@dataclass(frozen=True)
class StatusFilters:
    """What a status list is narrowed to; empty values mean "any"."""

    day: dt.date
    status: str = ""
    region: str = ""
    query: str = ""


@dataclass
class RegionCounts:
    region: str
    label: str
    counts: list[int]
    total: int


@dataclass
class StatusSummary:
    """How many States have each status, overall and per UN regional group."""

    statuses: list[TreatyStatus]
    overall: dict[str, int]
    total: int
    regions: list[RegionCounts]
    column_totals: list[int]

    @property
    def overall_figures(self) -> list[tuple[TreatyStatus, int]]:
        return [(status, self.overall[status]) for status in self.statuses]


def _fold(text: str) -> str:
    """Lower case without accents, so that "cote" finds "Côte d'Ivoire"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def _matches(state: State, folded_query: str) -> bool:
    if not folded_query:
        return True
    if folded_query == state.iso3.casefold():
        return True
    names = (state.name, state.name_en, state.iso3)
    return any(folded_query in _fold(name) for name in names)


def state_status_rows(*, filters: StatusFilters) -> list[StateStatusRow]:
    """Every State matching `filters` with its status on `filters.day`, sorted by localised name.

    One query whatever the number of States.
    """
    rows = [StateStatusRow(state, state.status_on(filters.day)) for state in State.objects.all()]
    return filter_status_rows(rows, filters=filters)


def filter_status_rows(rows: list[StateStatusRow], *, filters: StatusFilters) -> list[StateStatusRow]:
    folded_query = _fold(filters.query.strip())
    selected = [
        row
        for row in rows
        if (not filters.status or row.status == filters.status)
        and (not filters.region or row.state.region == filters.region)
        and _matches(row.state, folded_query)
    ]
    return sorted(selected, key=lambda row: (_fold(row.name), row.state.iso3))


def status_summary(rows: list[StateStatusRow]) -> StatusSummary:
    """Counts by status, overall and per UN regional group (a region × status table with totals)."""
    by_region: dict[str, Counter[str]] = {}
    for row in rows:
        by_region.setdefault(row.state.region, Counter())[row.status] += 1
    region_labels: list[tuple[str, str]] = [(value, str(label)) for value, label in Region.choices]
    if REGION_NOT_KNOWN in by_region:
        region_labels.append((REGION_NOT_KNOWN, str(_("Regional group not known"))))
    regions = []
    for value, label in region_labels:
        counts = by_region.get(value)
        if not counts:
            continue
        regions.append(
            RegionCounts(
                region=value,
                label=label,
                counts=[counts[status] for status in STATUS_ORDER],
                total=sum(counts.values()),
            )
        )
    overall: Counter[str] = Counter(row.status for row in rows)
    return StatusSummary(
        statuses=list(STATUS_ORDER),
        overall={status: overall[status] for status in STATUS_ORDER},
        total=len(rows),
        regions=regions,
        column_totals=[overall[status] for status in STATUS_ORDER],
    )


# ---------------------------------------------------------------------------- the dossier


def state_for_dossier(*, iso3: str) -> State:
    """The State with its scale rates (newest year first); 404 for an unknown code."""
    rates = Prefetch("scale_rates", queryset=ScaleRate.objects.order_by("-year"))
    return get_object_or_404(State.objects.prefetch_related(rates), iso3=iso3.upper())


def state_for_update(*, iso3: str) -> State:
    return get_object_or_404(State, iso3=iso3.upper())


def state_history(*, state: State, principal: Principal) -> list[HistoryEntry] | None:
    """Changes to the State record and its scale rates, newest first; None for those who may not see them."""
    if not can_view_registry_history(principal):
        return None
    if principal.needs_otp:
        return None
    entries = history_entries(state.history.all())
    entries += history_entries(ScaleRate.history.filter(state_id=state.id))
    return sorted(entries, key=lambda entry: entry.when, reverse=True)


@dataclass(frozen=True)
class DossierPanel:
    """A section another module adds to the State dossier.

    `template_name` is rendered inside a titled panel with `panel` in its context, so the
    template reads its data from `panel.context`.
    """

    key: str
    title: str
    template_name: str
    context: dict[str, Any] = field(default_factory=dict)


DossierPanelProvider = Callable[[State, Principal], "DossierPanel | None"]
_dossier_panel_providers: list[DossierPanelProvider] = []


def register_dossier_panel(provider: DossierPanelProvider) -> DossierPanelProvider:
    """Add a panel to every dossier. Call it from the module's AppConfig.ready().

    `provider(state, principal)` returns a DossierPanel, or None when the panel has nothing
    to show or the principal may not see it (the provider makes that access decision
    itself, through core.access).
    """
    if provider not in _dossier_panel_providers:
        _dossier_panel_providers.append(provider)
    return provider


def dossier_panels(*, state: State, principal: Principal) -> list[DossierPanel]:
    panels = (provider(state, principal) for provider in _dossier_panel_providers)
    return [panel for panel in panels if panel is not None]

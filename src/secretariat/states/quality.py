"""Gaps in the State registry: what the Secretariat still has to find out or complete.

The treaty data come from public sources that do not give every date (see the import
notes). Unknown dates stay unknown in the registry; this module lists them, with the
source each record came from, so that staff can complete them on the edit page.

The whole registry is checked in two queries: the States, and their scale rates for the
year (prefetched).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import Declaration, Instrument, RecordedStatus, ScaleRate, State, UNStanding


class GapKind(models.TextChoices):
    """What is missing; the data-quality page groups and filters by kind."""

    DEPOSIT_DATE = "deposit_date", _("Deposit date unknown or partial")
    INSTRUMENT = "instrument", _("Type of instrument missing")
    SIGNATURE_DATE = "signature_date", _("Signature date unknown or partial")
    ART23_DECLARATION = "art23_declaration", _("Article 23 declaration not known")
    ENTRY_INTO_FORCE = "entry_into_force", _("Entry into force cannot be computed")
    REGION = "region", _("UN regional group missing")
    SCALE_RATE = "scale_rate", _("UN scale rate missing")
    NAME = "name", _("Name missing in a language")


class Severity(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


SEVERITY_MEANING = {
    Severity.HIGH: _("the treaty status, the entry into force or an assessment cannot be computed"),
    Severity.MEDIUM: _("a published fact is incomplete"),
    Severity.LOW: _("a detail is missing"),
}

NAME_FIELDS = ("name_en", "name_fr", "name_es", "name_zh")

# The order of the fields within one State (the order of the edit form).
FIELD_ORDER = {
    name: position
    for position, name in enumerate(
        [
            *NAME_FIELDS,
            "region",
            "scale_rates",
            "signature_date",
            "instrument",
            "deposit_date",
            "entry_into_force",
            "art23_declaration",
        ]
    )
}


@dataclass(frozen=True)
class Gap:
    state: State
    kind: str
    field: str  # the model field (or attribute) to complete
    label: str | Promise
    problem: str | Promise
    source: str  # the State's treaty_source: where the record came from
    severity: str

    @property
    def kind_label(self) -> str:
        return str(GapKind(self.kind).label)

    @property
    def severity_label(self) -> str:
        return str(Severity(self.severity).label)


def _field_label(name: str) -> str | Promise:
    return State._meta.get_field(name).verbose_name


def _sort_name(state: State) -> str:
    """The localised name without accents, so that "Côte d'Ivoire" sorts among the C's."""
    decomposed = unicodedata.normalize("NFKD", state.name)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def _participates(state: State) -> bool:
    """The State has some relation to the Treaty: a signature, a deposit or a recorded status."""
    return state.signature.known or state.deposit.known or state.recorded_status != RecordedStatus.NONE


def _is_party(state: State) -> bool:
    """An instrument is on record (its date may be unknown)."""
    return state.has_deposited or bool(state.instrument)


def _has_signed(state: State) -> bool:
    """A signatory, or a party that ratified, accepted or approved (a State that acceded never signed)."""
    if state.signature.known:
        return True
    if state.recorded_status == RecordedStatus.SIGNATORY and not _is_party(state):
        return True
    return _is_party(state) and state.instrument != Instrument.ACCESSION


def _treaty_gaps(state: State) -> list[Gap]:
    gaps: list[Gap] = []
    source = state.treaty_source

    def add(kind: GapKind, field: str, problem: str | Promise, severity: Severity) -> None:
        label = _("entry into force") if field == "entry_into_force" else _field_label(field)
        gaps.append(Gap(state, kind.value, field, label, problem, source, severity.value))

    party = _is_party(state)
    if party and state.deposit_date is None:
        if state.deposit_date_partial:
            problem = _("The deposit of the instrument is known only as %(partial)s.") % {
                "partial": state.deposit_date_partial
            }
            add(GapKind.DEPOSIT_DATE, "deposit_date", problem, Severity.MEDIUM)
        else:
            add(GapKind.DEPOSIT_DATE, "deposit_date", _("The date of deposit is not known."), Severity.HIGH)
    if party and not state.instrument:
        add(
            GapKind.INSTRUMENT,
            "instrument",
            _("An instrument is on record but its type (ratification, acceptance, approval, accession) is not."),
            Severity.MEDIUM,
        )
    if _has_signed(state) and state.signature_date is None:
        if state.signature_date_partial:
            problem = _("The signature is known only as %(partial)s.") % {"partial": state.signature_date_partial}
            add(GapKind.SIGNATURE_DATE, "signature_date", problem, Severity.LOW)
        else:
            add(GapKind.SIGNATURE_DATE, "signature_date", _("The date of signature is not known."), Severity.MEDIUM)
    if state.art23_declaration == Declaration.UNKNOWN:
        add(
            GapKind.ART23_DECLARATION,
            "art23_declaration",
            _("Whether the State declared provisional application (Art. 23) is not known."),
            Severity.LOW,
        )
    reason = state.entry_into_force_unknown_reason
    if reason:
        add(GapKind.ENTRY_INTO_FORCE, "entry_into_force", reason, Severity.HIGH)
    return gaps


def _registry_gaps_of(state: State, year: int) -> list[Gap]:
    """Gaps that any State may have, whether or not it takes part in the Treaty."""
    gaps: list[Gap] = []
    source = state.treaty_source
    if not state.region:
        gaps.append(
            Gap(
                state,
                GapKind.REGION.value,
                "region",
                _field_label("region"),
                _("The UN regional group is not recorded."),
                source,
                Severity.MEDIUM.value,
            )
        )
    if state.un_standing == UNStanding.MEMBER and not state.current_scale_rates:
        gaps.append(
            Gap(
                state,
                GapKind.SCALE_RATE.value,
                "scale_rates",
                ScaleRate._meta.verbose_name,
                _("No UN scale of assessment rate for %(year)s.") % {"year": year},
                source,
                Severity.HIGH.value,
            )
        )
    for name in NAME_FIELDS:
        if not getattr(state, name).strip():
            gaps.append(
                Gap(
                    state,
                    GapKind.NAME.value,
                    name,
                    _field_label(name),
                    _("The name is missing in this language."),
                    source,
                    Severity.LOW.value,
                )
            )
    return gaps


def registry_gaps(states: Iterable[State] | None = None, *, year: int | None = None) -> list[Gap]:
    """Every gap in `states` (default: the whole registry), by State name then field.

    `year` is the scale-of-assessment year to check (default: this year). A queryset is
    read in two queries; a list of States costs one more for their scale rates.
    """
    year = year or timezone.localdate().year
    current_rates = Prefetch("scale_rates", queryset=ScaleRate.objects.filter(year=year), to_attr="current_scale_rates")
    if states is None:
        states = State.objects.all()
    if isinstance(states, models.QuerySet):
        state_list = list(states.prefetch_related(current_rates))
    else:
        state_list = list(states)
        models.prefetch_related_objects(state_list, current_rates)

    gaps: list[Gap] = []
    for state in state_list:
        gaps.extend(_registry_gaps_of(state, year))
        if _participates(state):
            gaps.extend(_treaty_gaps(state))
    gaps.sort(key=lambda gap: (_sort_name(gap.state), gap.state.iso3, FIELD_ORDER.get(gap.field, 99), gap.field))
    return gaps


def gap_counts(gaps: Iterable[Gap]) -> list[tuple[GapKind, int]]:
    """(kind, number of gaps) for every kind, in the order of GapKind, including kinds with none."""
    counts = dict.fromkeys(GapKind, 0)
    for gap in gaps:
        counts[GapKind(gap.kind)] += 1
    return list(counts.items())

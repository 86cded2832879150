"""Every write to the State registry goes through these functions."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history

from .importers import ParsedFile, ScaleRow, StateRow, parse_scale_file, parse_states_file, read_text
from .models import ReferenceImport, ScaleRate, State


@dataclass
class ImportReport:
    """What an import did: States (or rates) created and changed, and the fields that changed."""

    file_name: str
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    details: list[str] = field(default_factory=list)

    @property
    def total_changes(self) -> int:
        return self.created + self.changed


def _today():
    return timezone.localdate()


def _record_import(kind: str, parsed: ParsedFile, report: ImportReport) -> None:
    ReferenceImport.objects.get_or_create(
        kind=kind,
        sha256=parsed.sha256,
        defaults={"file_name": parsed.name, "changes": report.total_changes},
    )


@transaction.atomic
def states_import(*, path: Path, actor: Any = None) -> ImportReport:
    """Apply a States file (see importers.py). All rows or none; an unchanged row is not saved."""
    parsed = parse_states_file(path)
    reason = f"import {parsed.name}"
    existing = {state.iso3: state for state in State.objects.select_for_update()}
    report = ImportReport(parsed.name)
    row: StateRow
    for row in parsed.rows:
        state = existing.get(row.iso3)
        if state is None:
            state = State(iso3=row.iso3, **row.values)
            if state.recorded_status:
                state.recorded_status_as_of = _today()
            state._history_user = actor
            state._change_reason = reason
            state.full_clean()
            state.save()
            report.created += 1
            report.details.append(f"{row.iso3}: created")
            continue
        changed = [name for name, value in row.values.items() if getattr(state, name) != value]
        if not changed:
            report.unchanged += 1
            continue
        for name in changed:
            setattr(state, name, row.values[name])
        if "recorded_status" in changed:
            state.recorded_status_as_of = _today()
            changed.append("recorded_status_as_of")
        state._history_user = actor
        state._change_reason = reason
        state.full_clean()
        state.save(update_fields=changed)
        report.changed += 1
        report.details.append(f"{row.iso3}: {', '.join(changed)}")
    _record_import("states", parsed, report)
    return report


@transaction.atomic
def scale_import(*, path: Path, source: str = "", actor: Any = None) -> ImportReport:
    """Apply a UN scale file: one rate per State and year. All rows or none."""
    parsed = parse_scale_file(path)
    source = source or f"UN scale of assessment ({parsed.name})"
    current = {(rate.state_id, rate.year): rate for rate in ScaleRate.objects.select_for_update()}
    report = ImportReport(parsed.name)
    reason = f"import {parsed.name}"
    new_rates: list[ScaleRate] = []
    row: ScaleRow
    for row in parsed.rows:
        for year, percent in sorted(row.rates.items()):
            rate = current.get((row.state_id, year))
            if rate is None:
                new_rates.append(ScaleRate(state_id=row.state_id, year=year, rate_percent=percent, source=source))
            elif rate.rate_percent != percent:
                rate.rate_percent = percent
                rate.source = source
                rate._history_user = actor
                rate._change_reason = reason
                rate.save(update_fields=["rate_percent", "source"])
                report.changed += 1
            else:
                report.unchanged += 1
    # The parser has checked every value; the database constraints guard the rest.
    bulk_create_with_history(new_rates, ScaleRate, default_user=actor, default_change_reason=reason)
    report.created += len(new_rates)
    _record_import("un_scale", parsed, report)
    return report


def reference_file_imported(*, kind: str, path: Path) -> bool:
    return ReferenceImport.objects.filter(kind=kind, sha256=read_text(path)[1]).exists()


@transaction.atomic
def state_set_working_language(*, state: State, language: str, actor: Any) -> State:
    """Set the language the State's letters, invoices and reminders are sent in.

    The caller has checked core.access.can_set_state_preferences. Choosing the language
    the State already has writes nothing (no empty history row).
    """
    # The field's own check (one of its choices) raises ValidationError for anything else.
    language = State._meta.get_field("working_language").clean(language, state)
    if state.working_language == language:
        return state
    state.working_language = language
    state._history_user = actor
    state.save(update_fields=["working_language"])
    return state


# The fields staff may change on the registry edit page (states:edit).
REGISTRY_FIELDS = (
    "name_en",
    "name_fr",
    "name_es",
    "name_zh",
    "un_standing",
    "region",
    "working_language",
    "signature_date",
    "signature_date_partial",
    "signature_repudiated_on",
    "instrument",
    "deposit_date",
    "deposit_date_partial",
    "art23_declaration",
    "art23_date",
    "withdrawal_notified_on",
    "withdrawal_effective_on",
    "recorded_status",
    "recorded_status_as_of",
    "treaty_source",
    "treaty_verified",
)


def state_registry_version(state: State) -> str:
    """A fingerprint of the registry fields, so that an edit form can tell it is out of date."""
    values = "\x1f".join(str(getattr(state, name)) for name in REGISTRY_FIELDS)
    return hashlib.sha256(values.encode()).hexdigest()[:32]


@transaction.atomic
def state_update_registry(
    *, state: State, data: dict[str, Any], actor: Any, reason: str, expected_version: str = ""
) -> list[str]:
    """Apply staff corrections to a State's registry record; return the names of the fields that changed.

    The caller has checked core.access.can_edit_state_registry. The row is locked, only the
    fields whose value differs are written, the whole record is validated again (model
    rules and database constraints), and the history row names `actor` and `reason`.
    Nothing is written when nothing changed. `state` is updated in place.

    `expected_version` (from `state_registry_version` when the form was shown) refuses the
    change with a ValidationError (code "stale") if someone else saved the record since,
    instead of silently undoing their change.
    """
    unknown = set(data) - set(REGISTRY_FIELDS)
    if unknown:
        raise ValueError(f"Not registry fields: {', '.join(sorted(unknown))}")
    locked = State.objects.select_for_update().get(pk=state.pk)
    if expected_version and expected_version != state_registry_version(locked):
        raise ValidationError(
            _(
                "Someone else changed this record after you opened it. The form now shows the record as it is"
                " (see the history below): enter your change again."
            ),
            code="stale",
        )
    changed = [name for name in REGISTRY_FIELDS if name in data and getattr(locked, name) != data[name]]
    if not changed:
        return []
    for name in changed:
        setattr(locked, name, data[name])
    locked.full_clean()
    locked._history_user = actor
    locked._change_reason = reason
    locked.save(update_fields=changed)
    for name in changed:
        setattr(state, name, data[name])
    return changed

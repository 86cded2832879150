"""Reading the audit trail kept by django-simple-history: who changed what, when, from what to what."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

CHANGE_TYPES = {"+": _("created"), "~": _("changed"), "-": _("deleted")}


@dataclass
class FieldChange:
    field: str
    label: str
    before: str
    after: str


@dataclass
class HistoryEntry:
    when: Any
    who: Any
    change_type: str
    reason: str
    record: str
    changes: list[FieldChange] = field(default_factory=list)


def _display(model: type[models.Model], field_name: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    try:
        model_field = model._meta.get_field(field_name)
    except Exception:  # noqa: BLE001 - a field removed since the change was recorded
        return str(value)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    return str(value)


def history_entries(queryset: models.QuerySet, *, limit: int = 200) -> list[HistoryEntry]:
    """Turn historical rows (newest first) into entries with field-by-field before and after.

    `queryset` is a simple-history `history` queryset, possibly over several records
    (e.g. all role assignments of one user); each row is compared with the previous
    version of the same record.
    """
    rows = list(queryset.select_related("history_user").order_by("-history_date", "-history_id")[:limit])
    entries: list[HistoryEntry] = []
    for row in rows:
        model = row.instance_type
        entry = HistoryEntry(
            when=row.history_date,
            who=row.history_user,
            change_type=str(CHANGE_TYPES.get(row.history_type, row.history_type)),
            reason=row.history_change_reason or "",
            record=str(row.instance),
        )
        previous = row.prev_record
        if row.history_type == "~" and previous is not None:
            delta = row.diff_against(previous)
            for change in delta.changes:
                entry.changes.append(
                    FieldChange(
                        field=change.field,
                        label=str(model._meta.get_field(change.field).verbose_name),
                        before=_display(model, change.field, change.old),
                        after=_display(model, change.field, change.new),
                    )
                )
            if not entry.changes:
                continue  # a save that changed nothing is not worth showing
        entries.append(entry)
    return entries

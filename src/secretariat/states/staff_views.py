"""Staff pages of the State registry: the list of data gaps, and correcting a State's record."""

from __future__ import annotations

import copy
import csv
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import get_text_list
from django.utils.translation import gettext_lazy as _

from secretariat.core.access import can_edit_state_registry, principal_for, require, staff_only
from secretariat.core.exports import spreadsheet_safe
from secretariat.core.history import history_entries
from secretariat.core.roles import Role

from .forms import StateRegistryForm
from .models import State
from .quality import SEVERITY_MEANING, Gap, GapKind, gap_counts, registry_gaps
from .selectors import state_for_update
from .services import REGISTRY_FIELDS, state_registry_version, state_update_registry

# Where on the edit page each kind of gap is completed.
GAP_ANCHORS = {
    "entry_into_force": "id_deposit_date",
    "scale_rates": "",
}

# The edit form, section by section.
EDIT_SECTIONS: list[tuple[Any, tuple[str, ...]]] = [
    (_("Names"), ("name_en", "name_fr", "name_es", "name_zh")),
    (_("Standing, region and language"), ("un_standing", "region", "working_language")),
    (_("Signature"), ("signature_date", "signature_date_partial", "signature_repudiated_on")),
    (_("Instrument"), ("instrument", "deposit_date", "deposit_date_partial")),
    (_("Provisional application (Article 23)"), ("art23_declaration", "art23_date")),
    (_("Withdrawal (Article 24)"), ("withdrawal_notified_on", "withdrawal_effective_on")),
    (
        _("Recorded status and source"),
        ("recorded_status", "recorded_status_as_of", "treaty_source", "treaty_verified"),
    ),
]


def _gap_link(gap: Gap, *, may_edit: bool) -> str:
    if not may_edit:
        return reverse("states:dossier", args=[gap.state.iso3])
    url = reverse("states:edit", args=[gap.state.iso3])
    anchor = GAP_ANCHORS.get(gap.field, f"id_{gap.field}")
    return f"{url}#{anchor}" if anchor else url


def _gaps_csv(gaps: list[Gap]) -> HttpResponse:
    today = timezone.localdate().isoformat()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="registry-gaps-{today}.csv"'
    writer = csv.writer(response)
    writer.writerow(["iso3", "state", "kind", "field", "label", "problem", "severity", "source"])
    for gap in gaps:
        writer.writerow(
            spreadsheet_safe(value)
            for value in (
                gap.state.iso3,
                gap.state.name,
                gap.kind,
                gap.field,
                gap.label,
                gap.problem,
                gap.severity,
                gap.source,
            )
        )
    return response


@staff_only()
def data_quality(request: HttpRequest) -> HttpResponse:
    """Every gap in the registry, grouped by kind; `?kind=` narrows it, `?format=csv` downloads it."""
    principal = principal_for(request.user)
    gaps = registry_gaps()
    kind = request.GET.get("kind", "")
    if kind not in GapKind.values:
        kind = ""
    selected = [gap for gap in gaps if not kind or gap.kind == kind]
    if request.GET.get("format") == "csv":
        return _gaps_csv(selected)
    may_edit = can_edit_state_registry(principal)
    groups = []
    for gap_kind in GapKind:
        rows = [(gap, _gap_link(gap, may_edit=may_edit)) for gap in selected if gap.kind == gap_kind]
        if rows:
            groups.append({"kind": gap_kind, "rows": rows})
    context = {
        "counts": gap_counts(gaps),
        "total": len(gaps),
        "groups": groups,
        "kind": kind,
        "kinds": GapKind.choices,
        "may_edit": may_edit,
        "severities": list(SEVERITY_MEANING.items()),
        "states_with_gaps": len({gap.state.pk for gap in selected}),
    }
    return render(request, "states/data_quality.html", context)


def _changed_labels(names: list[str]) -> str:
    labels = [str(State._meta.get_field(name).verbose_name) for name in names]
    return str(get_text_list(labels, _("and")))


def _form_on_current_record(state: State, version: str, reason: str) -> StateRegistryForm:
    """After a conflict: the record as it now is (so nothing of the other change is undone by accident)."""
    return StateRegistryForm(instance=copy.copy(state), initial={"version": version, "reason": reason})


@staff_only(Role.STAFF_ADMIN, Role.STAFF_REPORTING)
def state_edit(request: HttpRequest, iso3: str) -> HttpResponse:
    """Correct or complete a State's registry record; every change is kept with its reason."""
    state = state_for_update(iso3=iso3)
    require(can_edit_state_registry(principal_for(request.user)))
    # The form writes submitted values onto its instance while validating: give it a copy,
    # so that the page keeps showing the record as stored. The version it carries lets the
    # service refuse a save based on an out-of-date page.
    if request.method == "POST":
        form = StateRegistryForm(request.POST, instance=copy.copy(state))
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in REGISTRY_FIELDS}
            try:
                changed = state_update_registry(
                    state=state,
                    data=data,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                    expected_version=form.cleaned_data["version"],
                )
            except ValidationError as error:
                if getattr(error, "code", None) == "stale":
                    state.refresh_from_db()
                    form = _form_on_current_record(state, state_registry_version(state), form.cleaned_data["reason"])
                    messages.error(request, error.messages[0])
                else:
                    form.add_error(None, error.messages)
            else:
                if changed:
                    messages.success(
                        request,
                        _("%(state)s saved. Changed: %(fields)s.")
                        % {"state": state.name, "fields": _changed_labels(changed)},
                    )
                else:
                    messages.info(request, _("Nothing was changed: the form had the values already on record."))
                return redirect("states:dossier", iso3=state.iso3)
    else:
        form = StateRegistryForm(instance=copy.copy(state), initial={"version": state_registry_version(state)})
    context = {
        "state": state,
        "form": form,
        "sections": [(title, [form[name] for name in names]) for title, names in EDIT_SECTIONS],
        "entry_into_force": state.entry_into_force,
        "entry_into_force_reason": state.entry_into_force_unknown_reason,
        "status": state.status_today(),
        "history": history_entries(state.history.all()),
    }
    return render(request, "states/edit.html", context)

"""Public pages of the State registry (treaty status, CSV export, the State dossier) and a
State's preferences. The staff pages are in staff_views.py."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from secretariat.core.access import (
    can_edit_state_registry,
    can_set_state_preferences,
    principal_for,
    public,
    require,
    signed_in,
)
from secretariat.core.exports import spreadsheet_safe

from .forms import StatePreferencesForm, TreatyStatusFilterForm
from .selectors import (
    StatusFilters,
    dossier_panels,
    filter_status_rows,
    state_for_dossier,
    state_for_update,
    state_history,
    state_status_rows,
    status_summary,
)
from .services import state_set_working_language

CSV_COLUMNS = [
    "iso3",
    "iso2",
    "name_en",
    "name",
    "region",
    "un_standing",
    "status",
    "status_reason",
    "signature",
    "instrument",
    "deposit",
    "entry_into_force",
    "art23_declaration",
    "art23_date",
    "treaty_source",
]


def _status_filters(form: TreatyStatusFilterForm) -> StatusFilters:
    """The filters of a bound form; invalid fields fall back to "any" (and today)."""
    data = form.cleaned_data if form.is_valid() else {}
    return StatusFilters(
        day=data.get("as_of") or timezone.localdate(),
        status=data.get("status", ""),
        region=data.get("region", ""),
        query=data.get("q", ""),
    )


@public
def treaty_status(request: HttpRequest) -> HttpResponse:
    form = TreatyStatusFilterForm(request.GET)
    filters = _status_filters(form)
    # One query for every State; the summary counts all of them, the list only the filtered ones.
    all_rows = state_status_rows(filters=StatusFilters(day=filters.day))
    rows = filter_status_rows(all_rows, filters=filters)
    context = {
        "form": form,
        "day": filters.day,
        "is_today": filters.day == timezone.localdate(),
        "summary": status_summary(all_rows),
        "rows": rows,
        "is_filtered": bool(filters.status or filters.region or filters.query),
        "query_string": request.GET.urlencode(),
    }
    return render(request, "states/status.html", context)


@public
def treaty_status_csv(request: HttpRequest) -> HttpResponse:
    form = TreatyStatusFilterForm(request.GET)
    if not form.is_valid():
        errors = "; ".join(f"{name}: {' '.join(problems)}" for name, problems in form.errors.items())
        return HttpResponseBadRequest(errors, content_type="text/plain; charset=utf-8")
    filters = _status_filters(form)
    rows = state_status_rows(filters=filters)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="att-treaty-status-{filters.day.isoformat()}.csv"'
    response.write("\ufeff")  # the byte order mark makes Excel read the file as UTF-8
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        state = row.state
        writer.writerow(
            spreadsheet_safe(value)
            for value in (
                state.iso3,
                state.iso2,
                state.name_en,
                state.name,
                state.region,
                state.un_standing,
                row.status.value,
                row.reason,
                str(state.signature),
                state.instrument,
                str(state.deposit),
                state.entry_into_force,
                state.art23_declaration,
                state.art23_date,
                state.treaty_source,
            )
        )
    return response


@public
def dossier(request: HttpRequest, iso3: str) -> HttpResponse:
    state = state_for_dossier(iso3=iso3)
    principal = principal_for(request.user)
    scale_rates = list(state.scale_rates.all())
    context = {
        "state": state,
        "status": state.status_today(),
        "events": state.treaty_events(),
        "scale_rates": scale_rates,
        "scale_sources": sorted({rate.source for rate in scale_rates if rate.source}),
        # Sections other modules add to the dossier (reports, contacts, contributions...):
        # each is a selectors.DossierPanel from a provider registered with
        # selectors.register_dossier_panel() in the app's AppConfig.ready() (reporting does).
        "panels": dossier_panels(state=state, principal=principal),
        # None for everyone but staff who have passed the second factor.
        "history": state_history(state=state, principal=principal),
        "may_edit": can_edit_state_registry(principal) and not principal.needs_otp,
        "may_set_preferences": can_set_state_preferences(principal, state.id),
    }
    return render(request, "states/dossier.html", context)


@signed_in
def state_preferences(request: HttpRequest, iso3: str) -> HttpResponse:
    state = state_for_update(iso3=iso3)
    require(can_set_state_preferences(principal_for(request.user), state.id))
    if request.method == "POST":
        form = StatePreferencesForm(request.POST)
        if form.is_valid():
            try:
                state_set_working_language(
                    state=state, language=form.cleaned_data["working_language"], actor=request.user
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("The preferred working language of %(state)s is now %(language)s.")
                    % {"state": state.name, "language": state.get_working_language_display()},
                )
                return redirect("states:dossier", iso3=state.iso3)
    else:
        form = StatePreferencesForm(initial={"working_language": state.working_language})
    return render(request, "states/preferences.html", {"state": state, "form": form})

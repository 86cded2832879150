"""Pages of the national control lists (Art. 5(4)): the public overview, a State's lists, downloads,
and recording a list (a State's representatives for their own State, the admin and reporting staff
for any).

Thin views: who may open a list is decided by `selectors` (404 for a file one may not open), who
may record or change one by `core.access.can_record_control_lists` (403); every write is a call to
a service.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from secretariat.core.access import can_record_control_lists, principal_for, public, require, signed_in
from secretariat.core.files import download_response
from secretariat.core.roles import Role
from secretariat.states import converters  # noqa: F401 - registers <iso3:...>
from secretariat.states.models import State

from . import selectors, services
from .forms import AddFileForm, ControlListForm, OverviewFilterForm, VisibilityForm
from .models import ListVisibility


def _error_messages(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _form_errors(request: HttpRequest, form: AddFileForm | VisibilityForm) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


@public
def overview(request: HttpRequest) -> HttpResponse:
    """Which States Parties have provided a list, which lists are public, and their files."""
    form = OverviewFilterForm(request.GET)
    region = form.cleaned_data["region"] if form.is_valid() else ""
    result = selectors.control_lists_overview(principal=principal_for(request.user), region=region)
    return render(request, "controllists/overview.html", {"form": form, "overview": result, "region": region})


@public
def state_lists(request: HttpRequest, iso3: str) -> HttpResponse:
    """A State's current list and the earlier versions, as far as the reader may open them."""
    principal = principal_for(request.user)
    state = get_object_or_404(State, iso3=iso3)
    lists = selectors.state_lists(state=state, principal=principal)
    context = {
        "state": state,
        "lists": lists,
        "may_record": lists.may_record,
        "add_file_form": AddFileForm(auto_id="add-file-%s"),
        "visibilities": ListVisibility,
    }
    return render(request, "controllists/state.html", context)


@public
def file_download(request: HttpRequest, pk: int) -> FileResponse:
    """A file of a list, for whoever may open the list (404 for anyone else), always as a download."""
    list_file = selectors.file_for_download(principal=principal_for(request.user), pk=pk)
    return download_response(
        list_file.file,
        filename=list_file.original_name,
        missing=_("The file of this list is missing from the storage."),
    )


@signed_in
def record(request: HttpRequest, iso3: str) -> HttpResponse:
    """Record a version of a State's list: its dates, who may see it, its files and/or link."""
    principal = principal_for(request.user)
    state = get_object_or_404(State, iso3=iso3)
    require(can_record_control_lists(principal, state.pk))
    # The Secretariat records the day it received a list; a State's own list is received the day it is sent.
    with_received_on = principal.has_staff_role(Role.STAFF_ADMIN, Role.STAFF_REPORTING)
    if request.method == "POST":
        form = ControlListForm(request.POST, request.FILES, with_received_on=with_received_on)
        if form.is_valid():
            data = form.cleaned_data
            try:
                control_list = services.control_list_record(
                    state=state,
                    recorded_by=request.user,
                    list_date=data["list_date"],
                    received_on=data.get("received_on"),
                    visibility=data["visibility"],
                    link=data["link"],
                    notes=data["notes"],
                    files=form.files_by_language(),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("The list of %(state)s dated %(date)s is recorded.")
                    % {"state": state.name, "date": services.day_label(control_list.list_date)},
                )
                return redirect("controllists:state", iso3=state.iso3)
    else:
        form = ControlListForm(with_received_on=with_received_on)
    return render(request, "controllists/record.html", {"state": state, "form": form})


@signed_in
@require_POST
def set_visibility(request: HttpRequest, pk: int) -> HttpResponse:
    """Make a version public, or restrict it to States Parties."""
    control_list = selectors.list_for_update(pk=pk)
    require(can_record_control_lists(principal_for(request.user), control_list.state_id))
    form = VisibilityForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        try:
            control_list = services.control_list_set_visibility(
                control_list=control_list, visibility=form.cleaned_data["visibility"], changed_by=request.user
            )
        except ValidationError as error:
            _error_messages(request, error)
        else:
            messages.success(
                request,
                _("The list dated %(date)s: %(visibility)s.")
                % {
                    "date": services.day_label(control_list.list_date),
                    "visibility": control_list.get_visibility_display(),
                },
            )
    return redirect("controllists:state", iso3=control_list.state.iso3)


@signed_in
@require_POST
def add_file(request: HttpRequest, pk: int) -> HttpResponse:
    """Add the list in another language to a recorded version."""
    control_list = selectors.list_for_update(pk=pk)
    require(can_record_control_lists(principal_for(request.user), control_list.state_id))
    form = AddFileForm(request.POST, request.FILES)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        try:
            list_file = services.control_list_add_file(
                control_list=control_list,
                language=form.cleaned_data["language"],
                upload=form.cleaned_data["file"],
                added_by=request.user,
            )
        except ValidationError as error:
            _error_messages(request, error)
        else:
            messages.success(
                request,
                _("%(name)s is added to the list dated %(date)s.")
                % {"name": list_file.original_name, "date": services.day_label(control_list.list_date)},
            )
    return redirect("controllists:state", iso3=control_list.state.iso3)

"""The contacts pages: the directory (States Parties' representatives and staff), the public list of
designations, a State's contacts with their history, proposals and their verification, the Note
Verbale downloads and the staff exports.

Thin views: who may see or do what is decided by core.access (and selectors.contacts_visible_to),
every write is a call to a service, every read goes through the selectors.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from secretariat.core.access import (
    can_propose_contacts,
    can_see_contact_directory,
    can_verify_contacts,
    principal_for,
    public,
    require,
    signed_in,
    staff_only,
)
from secretariat.core.files import download_response, file_extension
from secretariat.core.forms import add_service_error
from secretariat.core.roles import Role
from secretariat.states.models import State

from . import exports, selectors, services
from .forms import ContactForm, DirectoryFilterForm, EndForm, RefuseForm
from .models import Contact, ContactStatus

VERIFIERS = (Role.STAFF_ADMIN, Role.STAFF_REPORTING)


def _state(iso3: str) -> State:
    return get_object_or_404(State, iso3=iso3.upper())


def _contact(pk: int) -> Contact:
    return get_object_or_404(Contact.objects.select_related("state", "replaces"), pk=pk)


def _state_page(state: State) -> str:
    return reverse("contacts:state", args=[state.iso3])


def _back(request: HttpRequest, contact: Contact) -> HttpResponse:
    """After an action: back to the staff's queue when it was done there, else to the State's page."""
    if request.POST.get("from") == "pending":
        return redirect("contacts:pending")
    return redirect(_state_page(contact.state))


def _error_messages(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _form_errors(request: HttpRequest, form: Any) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


def _directory_filters(request: HttpRequest) -> tuple[DirectoryFilterForm, selectors.DirectoryFilters | None]:
    """The filter form and the filters it gives (None: invalid, show nothing)."""
    form = DirectoryFilterForm(request.GET or None, states=selectors.directory_states())
    if not form.is_bound:
        return form, selectors.DirectoryFilters()
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    return form, selectors.DirectoryFilters(iso3=data["state"], role=data["role"], region=data["region"])


# ---------------------------------------------------------------------------- reading


@signed_in
def directory(request: HttpRequest) -> HttpResponse:
    """The current contacts of every State, for States Parties' representatives and staff."""
    principal = principal_for(request.user)
    require(can_see_contact_directory(principal))
    form, filters = _directory_filters(request)
    rows = selectors.directory_rows(filters=filters) if filters is not None else []
    context: dict[str, Any] = {
        "form": form,
        "rows": rows,
        "today": timezone.localdate(),
        "is_staff": principal.is_staff_member,
        "may_verify": can_verify_contacts(principal),
        "query_string": request.GET.urlencode(),
        "own_states": selectors.states_represented(principal),
    }
    return render(request, "contacts/directory.html", context)


@public
def designations(request: HttpRequest) -> HttpResponse:
    """For the public: whether each State Party has a designated national point of contact, and since when."""
    rows = selectors.designations()
    return render(
        request,
        "contacts/designations.html",
        {
            "rows": rows,
            "today": timezone.localdate(),
            "designated": sum(1 for row in rows if row.since is not None),
            "may_see_directory": can_see_contact_directory(principal_for(request.user)),
        },
    )


@signed_in
def state_detail(request: HttpRequest, iso3: str) -> HttpResponse:
    """A State's contacts: current ones, proposals, and the past, with the actions each reader may take."""
    principal = principal_for(request.user)
    state = _state(iso3)
    require(selectors.contacts_visible_to(principal, state))
    contacts = selectors.state_contacts(state=state)
    may_verify = can_verify_contacts(principal)
    # Proposals, refusals and the audit trail stay between the State and the Secretariat.
    internal = principal.represents_state(state.pk) or principal.is_staff_member
    context = {
        "state": state,
        "today": timezone.localdate(),
        "contacts": contacts,
        "proposals": selectors.proposals(contacts.pending) if internal else [],
        "show_internal": internal,
        "past": [c for c in contacts.past if internal or c.status != ContactStatus.REFUSED],
        "pending_changes_of": contacts.pending_changes_of,
        "may_propose": can_propose_contacts(principal, state.pk),
        "may_verify": may_verify,
        "may_download": internal,
        "refuse_form": RefuseForm(),
        "end_form": EndForm(),
        "history": selectors.state_contacts_history(state=state) if internal else None,
    }
    return render(request, "contacts/state.html", context)


@staff_only(*VERIFIERS)
def pending(request: HttpRequest) -> HttpResponse:
    """The proposals waiting for verification, oldest first."""
    require(can_verify_contacts(principal_for(request.user)))
    return render(
        request,
        "contacts/pending.html",
        {"proposals": selectors.proposals(selectors.pending_contacts()), "refuse_form": RefuseForm()},
    )


@signed_in
def note_verbale(request: HttpRequest, pk: int) -> FileResponse:
    """The designating Note Verbale of a contact: for staff and the State's own representatives."""
    principal = principal_for(request.user)
    contact = _contact(pk)
    require(principal.represents_state(contact.state_id) or principal.is_staff_member)
    extension = file_extension(contact.note_verbale.name, "bin")
    dated = contact.note_verbale_date.isoformat()
    filename = f"{contact.state.iso3}-note-verbale-{dated}-{contact.role}.{extension}"
    return download_response(
        contact.note_verbale, filename=filename, missing=_("The file of this Note Verbale is missing from the storage.")
    )


@staff_only()
def export_xlsx(request: HttpRequest) -> FileResponse:
    _form, filters = _directory_filters(request)
    rows = selectors.directory_rows(filters=filters) if filters is not None else []
    return exports.xlsx_response(rows=rows, day=timezone.localdate())


@staff_only()
def export_pdf(request: HttpRequest) -> HttpResponse:
    _form, filters = _directory_filters(request)
    rows = selectors.directory_rows(filters=filters) if filters is not None else []
    return exports.pdf_response(rows=rows, day=timezone.localdate())


# ---------------------------------------------------------------------------- proposals and records


def _contact_form_page(
    request: HttpRequest, *, state: State, form: ContactForm, title: str, action: str, replaces: Contact | None = None
) -> HttpResponse:
    return render(
        request,
        "contacts/form.html",
        {"state": state, "form": form, "title": title, "action": action, "replaces": replaces},
    )


@signed_in
def propose(request: HttpRequest, iso3: str) -> HttpResponse:
    """A State's representative proposes a new contact, with the designating Note Verbale."""
    principal = principal_for(request.user)
    state = _state(iso3)
    require(can_propose_contacts(principal, state.pk))
    title = _("Propose a contact for %(state)s") % {"state": state.name}
    form = ContactForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_propose(
                state=state,
                proposed_by=request.user,
                data=form.data_for_service(),
                note_verbale=form.note_verbale_upload(),
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The contact was proposed. The Secretariat will verify it."))
            return redirect(_state_page(state))
    return _contact_form_page(request, state=state, form=form, title=title, action=request.path)


@staff_only(*VERIFIERS)
def add(request: HttpRequest, iso3: str) -> HttpResponse:
    """Staff record a contact from a Note Verbale received: verified at once."""
    require(can_verify_contacts(principal_for(request.user)))
    state = _state(iso3)
    title = _("Record a contact of %(state)s from a Note Verbale") % {"state": state.name}
    form = ContactForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_create_verified(
                state=state,
                created_by=request.user,
                data=form.data_for_service(),
                note_verbale=form.note_verbale_upload(),
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The contact was recorded as verified."))
            return redirect(_state_page(state))
    return _contact_form_page(request, state=state, form=form, title=title, action=request.path)


@signed_in
def change(request: HttpRequest, pk: int) -> HttpResponse:
    """A State's representative proposes a change to one of its verified contacts."""
    principal = principal_for(request.user)
    contact = _contact(pk)
    require(can_propose_contacts(principal, contact.state_id))
    if contact.status != ContactStatus.VERIFIED:
        messages.error(request, _("Only a verified contact can be changed; propose a new contact instead."))
        return redirect(_state_page(contact.state))
    title = _("Propose a change to %(name)s") % {"name": contact.name}
    if request.method == "POST":
        form = ContactForm(request.POST, request.FILES, change=True)
    else:
        form = ContactForm(initial=ContactForm.initial_from(contact), change=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_propose(
                state=contact.state,
                proposed_by=request.user,
                data=form.data_for_service(),
                note_verbale=form.note_verbale_upload(),
                replaces=contact,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The change was proposed. The Secretariat will verify it."))
            return redirect(_state_page(contact.state))
    return _contact_form_page(
        request, state=contact.state, form=form, title=title, action=request.path, replaces=contact
    )


# ---------------------------------------------------------------------------- decisions


@signed_in
@require_POST
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """The State's representatives (or verifying staff) confirm a contact is still current."""
    principal = principal_for(request.user)
    contact = _contact(pk)
    require(can_propose_contacts(principal, contact.state_id) or can_verify_contacts(principal))
    try:
        services.contact_confirm(contact=contact, confirmed_by=request.user)
    except ValidationError as error:
        _error_messages(request, error)
    else:
        messages.success(request, _("Confirmed: %(name)s is still current.") % {"name": contact.name})
    return _back(request, contact)


@staff_only(*VERIFIERS)
@require_POST
def verify(request: HttpRequest, pk: int) -> HttpResponse:
    require(can_verify_contacts(principal_for(request.user)))
    contact = _contact(pk)
    try:
        services.contact_verify(contact=contact, verified_by=request.user)
    except ValidationError as error:
        _error_messages(request, error)
    else:
        messages.success(request, _("Verified: %(name)s.") % {"name": contact.name})
    return _back(request, contact)


@staff_only(*VERIFIERS)
@require_POST
def refuse(request: HttpRequest, pk: int) -> HttpResponse:
    require(can_verify_contacts(principal_for(request.user)))
    contact = _contact(pk)
    form = RefuseForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(request, contact)
    reason = form.cleaned_data["reason"]
    try:
        services.contact_refuse(contact=contact, refused_by=request.user, reason=reason)
    except ValidationError as error:
        _error_messages(request, error)
    else:
        messages.success(request, _("Refused: %(name)s.") % {"name": contact.name})
    return _back(request, contact)


@staff_only(*VERIFIERS)
@require_POST
def end(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff end a verified designation (a Note Verbale withdrew it)."""
    require(can_verify_contacts(principal_for(request.user)))
    contact = _contact(pk)
    form = EndForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(request, contact)
    try:
        services.contact_end(contact=contact, ended_by=request.user, valid_to=form.cleaned_data["valid_to"])
    except ValidationError as error:
        _error_messages(request, error)
    else:
        messages.success(request, _("The designation of %(name)s ends on the day given.") % {"name": contact.name})
    return _back(request, contact)

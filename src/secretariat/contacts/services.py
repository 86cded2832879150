"""Writes of the contacts module: proposals, verification, refusal, confirmation, end of a designation.

Every write is one transaction that first locks the State's row, so two proposals or
verifications for the same State are checked one after the other (the overlap rule reads the
other contacts of the State). Everything is checked before anything is written, the Note
Verbale file included: when a write is refused nothing is saved and no file is stored.

The checks of what people type (e-mail addresses, telephone numbers, dates, the Note Verbale)
are also used by the forms, so a page and a service give the same message.

The caller decides who may call what (core.access: can_propose_contacts, can_verify_contacts).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import EmailValidator
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from secretariat.core.files import check_document
from secretariat.states.models import State

from .models import Contact, ContactRole, ContactStatus, Language

# The fields a proposal or a record from a Note Verbale may set (`data` of the services).
CONTACT_FIELDS = (
    "role",
    "name",
    "title",
    "ministry",
    "email",
    "other_emails",
    "phones",
    "postal_address",
    "working_language",
    "valid_from",
    "valid_to",
    "note_verbale_date",
    "note_verbale_reference",
)
REQUIRED_TEXT = ("name", "email")

_email_validator = EmailValidator()


# ---------------------------------------------------------------------------- checks shared with the forms


def note_verbale_missing_message() -> str:
    return _("A designation needs its Note Verbale: attach it and give its date and reference.")


def clean_email(value: str) -> str:
    """One e-mail address, stripped; the message names the address."""
    address = (value or "").strip()
    try:
        _email_validator(address)
    except ValidationError as error:
        raise ValidationError(
            _("“%(address)s” is not a valid e-mail address.") % {"address": address}, code="invalid_email"
        ) from error
    return address


def _clean_lines(text: str, clean: Callable[[str], str]) -> str:
    """Several values, one per line: each cleaned by `clean`; duplicates (in any case) dropped; every
    bad line reported at once."""
    values: list[str] = []
    problems: list[ValidationError] = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        try:
            value = clean(line)
        except ValidationError as error:
            problems.append(error)
            continue
        if value.lower() not in {known.lower() for known in values}:
            values.append(value)
    if problems:
        raise ValidationError(problems)
    return "\n".join(values)


def clean_email_lines(text: str) -> str:
    """Several e-mail addresses, one per line (see `_clean_lines`)."""
    return _clean_lines(text, clean_email)


def clean_phone(value: str) -> str:
    """One telephone number in international form, returned as "+41 22 555 01 23"."""
    number_text = (value or "").strip()
    message = _(
        "“%(number)s” is not a valid telephone number: write it in international form, with + and the "
        "country code (for example +41 22 555 01 23)."
    ) % {"number": number_text}
    try:
        number = phonenumbers.parse(number_text, None)
    except phonenumbers.NumberParseException as error:
        raise ValidationError(message, code="invalid_phone") from error
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(message, code="invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def clean_phone_lines(text: str) -> str:
    """Several telephone numbers, one per line, each normalised (see `_clean_lines`)."""
    return _clean_lines(text, clean_phone)


def check_period(valid_from: dt.date | None, valid_to: dt.date | None) -> None:
    if valid_from is not None and valid_to is not None and valid_to < valid_from:
        raise ValidationError(
            {"valid_to": _("The designation cannot end before it starts: check the dates of validity.")}
        )


def check_note_verbale_date(day: dt.date | None) -> None:
    if day is not None and day > timezone.localdate():
        raise ValidationError({"note_verbale_date": _("The date of the Note Verbale cannot be in the future.")})


def check_note_verbale_file(upload: UploadedFile) -> None:
    """PDF, DOCX or XLSX, content matching its name, within the size limit (core.files)."""
    try:
        check_document(upload)
    except ValidationError as error:
        raise ValidationError({"note_verbale": error.messages}) from error


# ---------------------------------------------------------------------------- building a contact


def _day(day: dt.date) -> str:
    return date_format(day, "DATE_FORMAT")


def _clean_data(data: dict[str, Any]) -> dict[str, Any]:
    """The contact's fields from `data`, checked and normalised; every problem is reported at once."""
    unknown = set(data) - set(CONTACT_FIELDS)
    if unknown:
        raise ValueError(f"Unknown contact fields: {sorted(unknown)}")
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[Any]] = {}

    def text(name: str) -> str:
        value = data.get(name)
        return "" if value is None else str(value).strip()

    for name in ("name", "title", "ministry", "postal_address", "note_verbale_reference"):
        cleaned[name] = text(name)
    for name in REQUIRED_TEXT:
        if not text(name):
            errors.setdefault(name, []).append(_("This field is required."))
    if text("email"):
        try:
            cleaned["email"] = clean_email(text("email"))
        except ValidationError as error:
            errors.setdefault("email", []).extend(error.messages)
    for name, clean in (("other_emails", clean_email_lines), ("phones", clean_phone_lines)):
        try:
            cleaned[name] = clean(text(name))
        except ValidationError as error:
            errors.setdefault(name, []).extend(error.messages)
    role = text("role")
    if role and role not in ContactRole.values:
        errors.setdefault("role", []).append(_("Choose one of the roles offered."))
    cleaned["role"] = role
    language = text("working_language") or Language.ENGLISH
    if language not in Language.values:
        errors.setdefault("working_language", []).append(_("Choose one of the languages offered."))
    cleaned["working_language"] = language
    for name in ("valid_from", "valid_to", "note_verbale_date"):
        value = data.get(name)
        if value is not None and not isinstance(value, dt.date):
            raise ValueError(f"{name} must be a date")
        cleaned[name] = value
    if cleaned["valid_from"] is None:
        errors.setdefault("valid_from", []).append(_("Give the first day of the designation."))
    for check in (
        lambda: check_period(cleaned["valid_from"], cleaned["valid_to"]),
        lambda: check_note_verbale_date(cleaned["note_verbale_date"]),
    ):
        try:
            check()
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _lock_state(state: State) -> State:
    return State.objects.select_for_update().get(pk=state.pk)


def _overlap_error(contact: Contact, *, ignore: list[int]) -> None:
    """Refuse `contact` if a verified contact of the same State and role with the same e-mail
    address is designated for any day of its period (the contacts in `ignore` excepted)."""
    others = Contact.objects.filter(
        state_id=contact.state_id,
        role=contact.role,
        status=ContactStatus.VERIFIED,
        email__iexact=contact.email,
    ).exclude(pk__in=[pk for pk in ignore if pk is not None])
    if contact.valid_to is not None:
        others = others.filter(valid_from__lte=contact.valid_to)
    others = others.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=contact.valid_from))
    other = others.order_by("valid_from", "pk").first()
    if other is None:
        return
    role = ContactRole(other.role).label
    if other.valid_to is None:
        message = _(
            "%(name)s is already the State's %(role)s from %(start)s, with no end date; end that designation "
            "first or propose a change to it."
        ) % {"name": other.name, "role": role, "start": _day(other.valid_from)}
    else:
        message = _(
            "%(name)s is already the State's %(role)s from %(start)s to %(end)s; end that designation first "
            "or propose a change to it."
        ) % {"name": other.name, "role": role, "start": _day(other.valid_from), "end": _day(other.valid_to)}
    raise ValidationError(message, code="overlap")


def _pending_change_message() -> str:
    return _(
        "A change to this contact is already waiting for verification: wait for the Secretariat's decision "
        "before proposing another."
    )


def _build(
    *,
    state: State,
    user: Any,
    data: dict[str, Any],
    note_verbale: UploadedFile | None,
    replaces: Contact | None,
) -> Contact:
    """A new, unsaved contact from checked data; raises ValidationError before anything is written."""
    cleaned = _clean_data(data)
    if replaces is not None:
        if replaces.state_id != state.pk or replaces.status != ContactStatus.VERIFIED:
            raise ValidationError(_("A change can only be proposed to a verified contact of the same State."))
        cleaned["role"] = replaces.role
    elif not cleaned["role"]:
        raise ValidationError({"role": _("This field is required.")})
    given = [
        note_verbale is not None,
        cleaned["note_verbale_date"] is not None,
        bool(cleaned["note_verbale_reference"]),
    ]
    if replaces is not None and not any(given):
        # A change that does not come with a Note Verbale of its own rests on the one of the record it changes.
        cleaned["note_verbale_date"] = replaces.note_verbale_date
        cleaned["note_verbale_reference"] = replaces.note_verbale_reference
        file_name = replaces.note_verbale.name
    elif not all(given):
        raise ValidationError(note_verbale_missing_message(), code="note_verbale_missing")
    else:
        check_note_verbale_file(note_verbale)  # type: ignore[arg-type]
        file_name = None
    contact = Contact(state=state, replaces=replaces, proposed_by=user, **cleaned)
    if file_name is not None:
        contact.note_verbale.name = file_name
    else:
        contact.note_verbale = note_verbale
    contact._history_user = user  # type: ignore[attr-defined]
    return contact


def _insert(contact: Contact) -> Contact:
    """Save a new contact (its Note Verbale file is stored then); a refusal by the database leaves
    no stored file behind."""
    uploaded = contact.note_verbale and not contact.note_verbale._committed
    try:
        with transaction.atomic():
            contact.save()
    except IntegrityError as error:
        if uploaded and contact.note_verbale.name:
            contact.note_verbale.storage.delete(contact.note_verbale.name)
        if contact.replaces_id is not None:
            raise ValidationError(_pending_change_message(), code="pending_change") from error
        raise
    return contact


# ---------------------------------------------------------------------------- services


@transaction.atomic
def contact_propose(
    *,
    state: State,
    proposed_by: Any,
    data: dict[str, Any],
    note_verbale: UploadedFile | None,
    replaces: Contact | None = None,
) -> Contact:
    """A State's representative proposes a contact (replaces=None) or a change to a verified one.

    The proposal waits for the Secretariat's verification. A new designation needs its Note
    Verbale (file, date and reference); a change may come without one, and then rests on the
    Note Verbale of the record it changes. Only one change to a record may wait at a time.
    """
    state = _lock_state(state)
    if replaces is not None:
        replaces = Contact.objects.select_for_update().get(pk=replaces.pk)
    contact = _build(state=state, user=proposed_by, data=data, note_verbale=note_verbale, replaces=replaces)
    if replaces is not None and Contact.objects.filter(replaces=replaces, status=ContactStatus.PENDING).exists():
        raise ValidationError(_pending_change_message(), code="pending_change")
    _overlap_error(contact, ignore=[replaces.pk if replaces else None])
    contact.status = ContactStatus.PENDING
    return _insert(contact)


@transaction.atomic
def contact_create_verified(
    *, state: State, created_by: Any, data: dict[str, Any], note_verbale: UploadedFile | None
) -> Contact:
    """Staff record a contact from a Note Verbale the Secretariat received: verified at once."""
    state = _lock_state(state)
    contact = _build(state=state, user=created_by, data=data, note_verbale=note_verbale, replaces=None)
    _overlap_error(contact, ignore=[])
    contact.status = ContactStatus.VERIFIED
    contact.decided_by = created_by
    contact.decided_at = timezone.now()
    return _insert(contact)


def _lock_contact(contact: Contact) -> Contact:
    _lock_state(contact.state)
    return Contact.objects.select_for_update().select_related("state").get(pk=contact.pk)


@transaction.atomic
def contact_verify(*, contact: Contact, verified_by: Any) -> Contact:
    """Staff verify a proposal against its Note Verbale. A verified change supersedes the record it
    replaces, whose designation then ends the day before the change starts."""
    contact = _lock_contact(contact)
    if contact.status != ContactStatus.PENDING:
        raise ValidationError(_("Only a contact waiting for verification can be verified."))
    replaced = None
    if contact.replaces_id is not None:
        replaced = Contact.objects.select_for_update().get(pk=contact.replaces_id)
        if replaced.status != ContactStatus.VERIFIED:
            raise ValidationError(
                _("The contact this change replaces is no longer current: refuse the change and propose a new contact.")
            )
    _overlap_error(contact, ignore=[contact.pk, contact.replaces_id])
    now = timezone.now()
    if replaced is not None:
        if replaced.valid_to is None or replaced.valid_to >= contact.valid_from:
            replaced.valid_to = max(contact.valid_from - dt.timedelta(days=1), replaced.valid_from)
        replaced.status = ContactStatus.SUPERSEDED
        replaced._history_user = verified_by  # type: ignore[attr-defined]
        replaced.save(update_fields=["status", "valid_to"])
    contact.status = ContactStatus.VERIFIED
    contact.decided_by = verified_by
    contact.decided_at = now
    contact._history_user = verified_by  # type: ignore[attr-defined]
    contact.save(update_fields=["status", "decided_by", "decided_at"])
    return contact


@transaction.atomic
def contact_refuse(*, contact: Contact, refused_by: Any, reason: str) -> Contact:
    """Staff refuse a proposal, saying why (the State's representatives see the reason)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for refusing.")})
    contact = _lock_contact(contact)
    if contact.status != ContactStatus.PENDING:
        raise ValidationError(_("Only a contact waiting for verification can be refused."))
    contact.status = ContactStatus.REFUSED
    contact.refusal_reason = reason
    contact.decided_by = refused_by
    contact.decided_at = timezone.now()
    contact._history_user = refused_by  # type: ignore[attr-defined]
    contact.save(update_fields=["status", "refusal_reason", "decided_by", "decided_at"])
    return contact


@transaction.atomic
def contact_confirm(*, contact: Contact, confirmed_by: Any) -> Contact:
    """The State (or the Secretariat on its word) confirms the contact is still current today."""
    contact = _lock_contact(contact)
    today = timezone.localdate()
    if contact.status != ContactStatus.VERIFIED or (contact.valid_to is not None and contact.valid_to < today):
        raise ValidationError(_("Only a current, verified contact can be confirmed."))
    contact.confirmed_on = today
    contact._history_user = confirmed_by  # type: ignore[attr-defined]
    contact.save(update_fields=["confirmed_on"])
    return contact


@transaction.atomic
def contact_end(*, contact: Contact, ended_by: Any, valid_to: dt.date | None) -> Contact:
    """Staff end a verified designation on `valid_to` (its last day), e.g. on a Note Verbale
    withdrawing it."""
    if valid_to is None:
        raise ValidationError({"valid_to": _("Give the last day of the designation.")})
    contact = _lock_contact(contact)
    if contact.status != ContactStatus.VERIFIED:
        raise ValidationError(_("Only a verified designation can be ended."))
    check_period(contact.valid_from, valid_to)
    contact.valid_to = valid_to
    _overlap_error(contact, ignore=[contact.pk])
    contact._history_user = ended_by  # type: ignore[attr-defined]
    contact.save(update_fields=["valid_to"])
    return contact

"""Writes of the control lists module: recording a list, adding a file to it, changing who may see it.

The callers (views) have checked access with `core.access.can_record_control_lists`. Every check
runs before anything is written; files are stored last, and if anything fails after a file was
stored, the stored files are removed again: nothing is half-saved, not even on disk. (A caller
that wraps these services in its own transaction and then rolls it back must remove the files itself.)
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from secretariat.core.access import can_record_reports, principal_for
from secretariat.core.files import check_document
from secretariat.states.models import State

from .models import ControlList, ControlListFile, ListLanguage, ListVisibility

ORIGINAL_NAME_MAX = 255
NOTES_MAX = 2000


def day_label(value: dt.date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def _language_label(language: str) -> str:
    return str(dict(ListLanguage.choices).get(language, language))


def _records_for_secretariat(user: Any) -> bool:
    """The admin and reporting staff record lists received by e-mail or Note Verbale, with the day
    received; a State's representatives send their own, received the day they send it."""
    return can_record_reports(principal_for(user))


def _check_visibility(visibility: str) -> None:
    if visibility not in ListVisibility.values:
        raise ValidationError(_("Choose who may see the list: the public or States Parties only."))


def _check_language(language: str) -> None:
    if language not in ListLanguage.values:
        raise ValidationError(_("Choose the language of each file."))


def _check_link(link: str) -> str:
    link = link.strip()
    if not link:
        return ""
    if len(link) > 500:
        raise ValidationError(_("The link is too long (500 characters at most)."))
    try:
        URLValidator(schemes=["http", "https"])(link)
    except ValidationError as error:
        raise ValidationError(_("The link is not a web address (it starts with https://).")) from error
    return link


def _check_files(files: list[tuple[str, UploadedFile]]) -> None:
    """Each file's language and content; one file per language. The messages name the file."""
    seen: set[str] = set()
    for language, upload in files:
        _check_language(language)
        if language in seen:
            raise ValidationError(
                _("Two files are in %(language)s: send one file per language.")
                % {"language": _language_label(language)}
            )
        seen.add(language)
        check_document(upload)


def _store(control_list: ControlList, language: str, upload: UploadedFile, stored: list[ControlListFile]) -> None:
    list_file = ControlListFile(
        control_list=control_list,
        language=language,
        original_name=(upload.name or "list")[-ORIGINAL_NAME_MAX:],
        size=upload.size or 0,
    )
    list_file.file.save(upload.name or "list", upload, save=False)
    stored.append(list_file)
    list_file.save()


def _remove_stored(stored: list[ControlListFile]) -> None:
    for list_file in stored:
        if list_file.file.name:
            list_file.file.storage.delete(list_file.file.name)


def _store_all(control_list: ControlList, files: list[tuple[str, UploadedFile]]) -> list[ControlListFile]:
    """Store every file and its row; if one fails, the files already stored are removed (the
    transaction undoes the rows)."""
    stored: list[ControlListFile] = []
    try:
        for language, upload in files:
            _store(control_list, language, upload, stored)
    except BaseException:
        _remove_stored(stored)
        raise
    return stored


@transaction.atomic
def control_list_record(
    *,
    state: State,
    recorded_by: Any,
    list_date: dt.date,
    received_on: dt.date | None,
    visibility: str,
    link: str = "",
    notes: str = "",
    files: list[tuple[str, UploadedFile]] | None = None,
) -> ControlList:
    """Record a version of `state`'s national control list: its files (one per language) and/or link.

    When a representative records it, it is received today (`received_on` is ignored); the
    Secretariat gives the day it received the list. Raises ValidationError with a message for the
    user; nothing is saved then (no row, no stored file).
    """
    files = list(files or [])
    link = _check_link(link)
    notes = notes.strip()
    if len(notes) > NOTES_MAX:
        raise ValidationError(_("The notes are too long (%(limit)s characters at most).") % {"limit": NOTES_MAX})
    _check_visibility(visibility)
    if not files and not link:
        raise ValidationError(_("Attach the list in at least one language, or give its link."))
    today = timezone.localdate()
    if list_date is None:
        raise ValidationError(_("Give the date of the list."))
    if list_date > today:
        raise ValidationError(_("The date of the list cannot be in the future."))
    if not _records_for_secretariat(recorded_by):
        received_on = today
    if received_on is None:
        raise ValidationError(_("Give the day the Secretariat received the list."))
    if received_on > today:
        raise ValidationError(_("The day the list was received cannot be in the future."))
    if received_on < list_date:
        raise ValidationError(_("The list cannot have been received before its own date."))
    _check_files(files)
    list(State.objects.select_for_update().filter(pk=state.pk).values_list("pk"))  # one recording per State at a time
    if ControlList.objects.filter(state=state, list_date=list_date).exists():
        raise ValidationError(
            _("A list dated %(date)s is already recorded for %(state)s; add a file to it instead.")
            % {"date": day_label(list_date), "state": state.name}
        )
    control_list = ControlList(
        state=state,
        list_date=list_date,
        received_on=received_on,
        link=link,
        visibility=visibility,
        notes=notes,
        recorded_by=recorded_by,
    )
    control_list._history_user = recorded_by  # type: ignore[attr-defined]
    control_list.save()
    _store_all(control_list, files)
    return control_list


@transaction.atomic
def control_list_add_file(
    *, control_list: ControlList, language: str, upload: UploadedFile, added_by: Any
) -> ControlListFile:
    """Add the list in another language to a recorded version. Raises ValidationError; nothing is saved then."""
    control_list = ControlList.objects.select_for_update().select_related("state").get(pk=control_list.pk)
    _check_language(language)
    if control_list.files.filter(language=language).exists():
        raise ValidationError(
            _("The list dated %(date)s already has a file in %(language)s.")
            % {"date": day_label(control_list.list_date), "language": _language_label(language)}
        )
    check_document(upload)
    return _store_all(control_list, [(language, upload)])[0]


@transaction.atomic
def control_list_set_visibility(*, control_list: ControlList, visibility: str, changed_by: Any) -> ControlList:
    """Make a version public, or restrict it to States Parties."""
    _check_visibility(visibility)
    control_list = ControlList.objects.select_for_update().select_related("state").get(pk=control_list.pk)
    if control_list.visibility == visibility:
        return control_list
    control_list.visibility = visibility
    control_list._history_user = changed_by  # type: ignore[attr-defined]
    control_list.save(update_fields=["visibility"])
    return control_list

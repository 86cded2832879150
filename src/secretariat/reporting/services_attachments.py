"""Writes of the initial report's attached laws and regulations (and the initial draft page's save).

An attachment belongs to a draft while the draft is open; once the version is submitted it is as
immutable as the rest of the version. Stored files are never deleted here: an amendment may
share its predecessor's file, and the files are the record of what was sent.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ReportVersion, VersionAttachment, VersionStatus
from .services import check_received_file, draft_save_initial

TITLE_MAX_LENGTH = 300
STAGING_DIR = "staging"  # spreadsheet uploads that passed the checks and wait for confirmation


def _lock_draft(version: ReportVersion) -> ReportVersion:
    version = ReportVersion.objects.select_for_update().select_related("report__state").get(pk=version.pk)
    if version.status != VersionStatus.DRAFT:
        raise ValidationError(_("This version was submitted and can no longer change; amend it instead."))
    return version


@transaction.atomic
def attachment_add(*, version: ReportVersion, title: str, upload: UploadedFile, added_by: Any) -> VersionAttachment:
    """Attach a law, regulation or control list to a draft (checked like a report received by email)."""
    version = _lock_draft(version)
    title = " ".join(title.split())
    if not title:
        raise ValidationError(_("Give the title of the attached document."))
    if len(title) > TITLE_MAX_LENGTH:
        raise ValidationError(_("The title is too long (%(limit)s characters at most).") % {"limit": TITLE_MAX_LENGTH})
    check_received_file(upload)
    attachment = VersionAttachment(version=version, title=title)
    attachment.file.save(upload.name, upload, save=False)
    attachment.save()
    return attachment


@transaction.atomic
def attachment_remove(*, attachment: VersionAttachment, removed_by: Any) -> None:
    """Take an attachment off a draft (the stored file stays, see the module docstring)."""
    _lock_draft(attachment.version)
    VersionAttachment.objects.filter(pk=attachment.pk).delete()


@transaction.atomic
def initial_draft_save(
    *,
    version: ReportVersion,
    answers: dict[str, str],
    authority: str,
    contact: str,
    saved_by: Any,
    new_attachment: tuple[str, UploadedFile] | None = None,
    remove_attachment_ids: list[int] | tuple[int, ...] = (),
) -> ReportVersion:
    """What the initial report page saves, all or nothing: the answers and cover, the attachments
    ticked for removal, and one new attachment (title, file)."""
    version = draft_save_initial(
        version=version, answers=answers, authority=authority, contact=contact, saved_by=saved_by
    )
    for attachment in VersionAttachment.objects.filter(version=version, pk__in=list(remove_attachment_ids)):
        attachment_remove(attachment=attachment, removed_by=saved_by)
    if new_attachment is not None:
        title, upload = new_attachment
        attachment_add(version=version, title=title, upload=upload, added_by=saved_by)
    return version


def staged_uploads_purge(*, older_than: dt.timedelta) -> int:
    """Delete the staged spreadsheet uploads older than `older_than` (files whose import was never
    confirmed: the session that held their token has expired). Returns how many were deleted."""
    cutoff = timezone.now() - older_than
    try:
        _folders, names = default_storage.listdir(STAGING_DIR)
    except FileNotFoundError:
        return 0
    deleted = 0
    for name in names:
        path = f"{STAGING_DIR}/{name}"
        try:
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
                deleted += 1
        except FileNotFoundError:
            continue  # confirmed or purged by another request meanwhile
    return deleted

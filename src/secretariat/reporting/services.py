"""Every write of the reporting module.

Versions are numbered per report under a row lock on the report, so two people recording or
submitting at the same moment get versions 1 and 2, never two versions 1 (the unique constraint
on (report, number) is the last word).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from secretariat.states.models import TREATY_OPENED_FOR_SIGNATURE, State

from .models import (
    Channel,
    Direction,
    Report,
    ReportForm,
    ReportKind,
    ReportVersion,
    VersionStatus,
    Visibility,
    file_extension,
)

MAX_FILE_BYTES = 20 * 1024 * 1024
# What a report received by email may be, recognised by its first bytes, not by its name.
FILE_SIGNATURES = {
    "pdf": (b"%PDF-",),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "odt": (b"PK\x03\x04",),
    "ods": (b"PK\x03\x04",),
    "doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    "xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
}


def check_received_file(upload: UploadedFile) -> None:
    """Refuse a file that is too big, of another type, or whose content does not match its name."""
    if upload.size is not None and upload.size > MAX_FILE_BYTES:
        raise ValidationError(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": round(upload.size / 1024 / 1024, 1), "limit": MAX_FILE_BYTES // 1024 // 1024}
        )
    name = upload.name or ""
    extension = file_extension(name)
    signatures = FILE_SIGNATURES.get(extension)
    if signatures is None:
        raise ValidationError(
            _("Attach the report as PDF, Word, Excel or OpenDocument (%(types)s).")
            % {"types": ", ".join(sorted(FILE_SIGNATURES))}
        )
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if not any(head.startswith(signature) for signature in signatures):
        raise ValidationError(_("The file's content is not a .%(extension)s file.") % {"extension": extension})


@transaction.atomic
def report_record_received(
    *,
    state: State,
    kind: str,
    year: int | None,
    received_on: dt.date,
    recorded_by: Any,
    upload: UploadedFile | None = None,
    channel: str = Channel.EMAIL,
    authority: str = "",
    contact: str = "",
    report_date: dt.date | None = None,
    withheld_commercial: bool = False,
    withheld_security: bool = False,
    forms: dict[str, dict[str, Any]] | None = None,
    amendment_reason: str = "",
) -> ReportVersion:
    """Record a report the Secretariat received outside the online forms (by email, on paper).

    The caller has checked that `recorded_by` is reporting staff. The first version of a report
    is the submission that counts for the deadline; a later one is an amendment and needs a
    reason. `forms` ({"exports": {"is_nil": bool, "visibility": "public"|"restricted"}, ...})
    records what the annual report says of each form; the rows are transcribed separately.
    Raises ValidationError with a message for the user; nothing is saved then.
    """
    if kind not in ReportKind.values:
        raise ValidationError(_("Unknown kind of report."))
    if kind == ReportKind.INITIAL and year is not None:
        raise ValidationError(_("An initial report covers no calendar year."))
    if kind == ReportKind.ANNUAL and year is None:
        raise ValidationError(_("Give the calendar year the annual report covers."))
    today = timezone.localdate()
    if received_on > today:
        raise ValidationError(_("The date of receipt cannot be in the future."))
    if received_on < TREATY_OPENED_FOR_SIGNATURE:
        raise ValidationError(_("The date of receipt is before the Treaty existed."))
    if kind == ReportKind.ANNUAL and not 2014 <= year <= received_on.year:  # type: ignore[operator]
        raise ValidationError(_("An annual report can only cover a year that has begun before it was received."))
    if not state.has_deposited:
        raise ValidationError(_("%(state)s has no instrument on record: it has no reports to make.") % {"state": state})
    if upload is not None:
        check_received_file(upload)
    forms = forms or {}
    if kind == ReportKind.INITIAL and forms:
        raise ValidationError(_("An initial report has no exports or imports forms."))
    for direction, spec in forms.items():
        if direction not in Direction.values or spec.get("visibility", Visibility.RESTRICTED) not in Visibility.values:
            raise ValidationError(_("Unknown form or visibility."))

    report, _created = Report.objects.get_or_create(state=state, kind=kind, year=year)
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.versions.filter(status=VersionStatus.DRAFT).exists():
        raise ValidationError(_("A draft of this report is open; submit or discard it first."))
    number = (report.versions.aggregate(last=Max("number"))["last"] or 0) + 1
    if number > 1 and not amendment_reason.strip():
        raise ValidationError(_("This report was already received: say why this new version replaces it."))
    version = ReportVersion(
        report=report,
        number=number,
        status=VersionStatus.SUBMITTED,
        channel=channel,
        received_on=received_on,
        submitted_at=timezone.now(),
        submitted_by=recorded_by,
        amendment_reason=amendment_reason.strip() if number > 1 else "",
        authority=authority,
        contact=contact,
        report_date=report_date,
        withheld_commercial=withheld_commercial,
        withheld_security=withheld_security,
    )
    version.full_clean(exclude=["original_file"])
    version.save()
    if upload is not None:
        version.original_file.save(upload.name, upload, save=False)
        version.save(update_fields=["original_file"])
    for direction, spec in forms.items():
        ReportForm.objects.create(
            version=version,
            direction=direction,
            is_nil=bool(spec.get("is_nil")),
            visibility=spec.get("visibility", Visibility.RESTRICTED),
        )
    return version

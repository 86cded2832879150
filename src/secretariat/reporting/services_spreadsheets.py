"""The spreadsheet import's write: a filled template becomes the State's draft annual report.

The rows go to the database a batch at a time as the file is read (spreadsheets.parse_workbook
with a row sink), so memory holds one batch whatever the size of the file. All or nothing: the
whole import is one transaction, rolled back when the file turns out to have an error.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from secretariat.states.models import State

from . import services
from .contents import RowContents
from .models import Channel, ReportForm, ReportVersion, Visibility
from .spreadsheets import ImportResult, parse_workbook


class ImportRefused(ValidationError):
    """The file has errors (every one is in `result`); nothing was written."""

    def __init__(self, result: ImportResult) -> None:
        super().__init__(_("The file has errors: nothing was imported."))
        self.result = result


@transaction.atomic
def draft_import_workbook(
    *,
    state: State,
    year: int,
    data: Any,
    imported_by: Any,
    original_file: UploadedFile | None = None,
    amendment_reason: str = "",
) -> tuple[ReportVersion, ImportResult]:
    """Read the filled template `data` into the State's open draft of its annual report on `year`
    (or a new draft; an amendment needs `amendment_reason`), replacing what the draft said, and
    keep `original_file` with it. Raises ImportRefused when the file has an error."""
    draft = services.draft_for_import(
        state=state, year=year, imported_by=imported_by, channel=Channel.SPREADSHEET, amendment_reason=amendment_reason
    )
    draft = services.annual_draft_lock(draft)
    draft.forms.all().delete()  # rows go with their form (CASCADE)
    made: dict[str, ReportForm] = {}

    def write(direction: str, rows: list[RowContents]) -> None:
        form = made.get(direction)
        if form is None:
            # Restricted until the end of the sheet says otherwise (its answers are read last).
            form = ReportForm.objects.create(
                version=draft, direction=direction, is_nil=False, visibility=Visibility.RESTRICTED
            )
            made[direction] = form
        services.write_rows(form, rows)

    result = parse_workbook(data, state=state, year=year, row_sink=write)
    if result.has_errors or result.contents is None:
        raise ImportRefused(result)
    contents = result.contents
    services.write_cover(draft, contents)
    for direction, form_contents in contents.forms.items():
        form = made.get(direction) or ReportForm(version=draft, direction=direction)
        form.is_nil, form.visibility = form_contents.is_nil, form_contents.visibility
        form.save()
    draft.channel = Channel.SPREADSHEET
    if original_file is not None:
        services.check_received_file(original_file)
        draft.original_file.save(original_file.name, original_file, save=False)
    draft.save(update_fields=["original_file", "channel"])
    return draft, result

"""Staff downloads of the directory of current contacts: XLSX (openpyxl, write-only) and PDF
(WeasyPrint, from a template).

The directory holds a few hundred rows, so both files are made in memory-light ways but without
streaming. Text typed by States is stored as text in the workbook, never as a formula. The PDF
template carries its own CSS and loads nothing from outside (base_url=None).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Sequence
from typing import Any

from django.http import FileResponse, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from .models import Contact


def _filename(day: dt.date, extension: str) -> str:
    return f"att-national-contacts-{day.isoformat()}.{extension}"


def columns() -> list[tuple[str, Any]]:
    """(header, value of a contact) for every column of the exports."""
    return [
        (_("State"), lambda c: c.state.name),
        (_("ISO3"), lambda c: c.state.iso3),
        (_("UN regional group"), lambda c: str(c.state.get_region_display()) if c.state.region else ""),
        (_("Role"), lambda c: str(c.get_role_display())),
        (_("Name"), lambda c: c.name),
        (_("Title or position"), lambda c: c.title),
        (_("Ministry or department"), lambda c: c.ministry),
        (_("E-mail address"), lambda c: c.email),
        (_("Other e-mail addresses"), lambda c: "\n".join(c.all_emails[1:])),
        (_("Telephone numbers"), lambda c: "\n".join(c.phone_list)),
        (_("Postal address"), lambda c: c.postal_address),
        (_("Working language"), lambda c: str(c.get_working_language_display())),
        (_("Valid from"), lambda c: c.valid_from),
        (_("Valid to"), lambda c: c.valid_to),
        (_("Date of the Note Verbale"), lambda c: c.note_verbale_date),
        (_("Reference of the Note Verbale"), lambda c: c.note_verbale_reference),
        (_("Verified on"), lambda c: c.decided_at.date() if c.decided_at else None),
        (_("Last confirmed on"), lambda c: c.confirmed_on),
    ]


# ---------------------------------------------------------------------------- XLSX


def _cell(sheet: Any, value: Any) -> Any:
    if isinstance(value, str) and value:
        # Stored as text whatever it starts with ("=..." would otherwise become a formula).
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    return value


def xlsx_file(*, rows: Sequence[Contact], day: dt.date) -> Any:
    """The workbook in an anonymous temporary file (deleted when closed), positioned at its start."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Contacts"))
    spec = columns()
    sheet.append([_("National contacts on %(day)s") % {"day": day.isoformat()}])
    sheet.append([header for header, _value in spec])
    for contact in rows:
        sheet.append([_cell(sheet, value(contact)) for _header, value in spec])
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
    workbook.save(handle)
    handle.seek(0)
    return handle


def xlsx_response(*, rows: Sequence[Contact], day: dt.date) -> FileResponse:
    return FileResponse(
        xlsx_file(rows=rows, day=day),
        as_attachment=True,
        filename=_filename(day, "xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


# ---------------------------------------------------------------------------- PDF


def pdf_html(*, rows: Sequence[Contact], day: dt.date) -> str:
    """The HTML the PDF is printed from (A4 landscape, the date of export in every page's header)."""
    return render_to_string("contacts/export_pdf.html", {"rows": rows, "day": day})


def pdf_bytes(*, rows: Sequence[Contact], day: dt.date) -> bytes:
    from weasyprint import HTML  # imported here: loading WeasyPrint (pango) is slow

    return HTML(string=pdf_html(rows=rows, day=day), base_url=None, url_fetcher=_no_fetch).write_pdf()


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict:
    """The PDF loads nothing: its CSS is inline and it has no images."""
    raise ValueError(f"The contacts PDF loads no resource ({url}).")


def pdf_response(*, rows: Sequence[Contact], day: dt.date) -> HttpResponse:
    response = HttpResponse(pdf_bytes(rows=rows, day=day), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_filename(day, "pdf")}"'
    return response

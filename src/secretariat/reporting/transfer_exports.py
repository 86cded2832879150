"""Downloads of the filtered transfer database: CSV, JSON (both streamed) and XLSX.

Rows are read by keyset in chunks (transfers.transfer_rows_iter), so memory holds one chunk at a
time whatever the number of rows: a million rows export with a few megabytes. CSV and JSON are
written to the client as they are read (StreamingHttpResponse). An XLSX file is a zip archive
whose index comes last, so it cannot be streamed as it is made: openpyxl's write-only mode
writes the sheet to a temporary file on disk, which is then streamed (FileResponse) and deleted
when the response is closed.

Text typed by States could be read as a formula by a spreadsheet: in CSV every cell goes
through core.exports.spreadsheet_safe; in XLSX text cells are stored as text, never formulas.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import tempfile
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from secretariat.core.exports import spreadsheet_safe

from .transfers import Reference, TransferFilters, transfer_rows_iter, version_url_pattern

CHUNK = 2000
XLSX_MAX_ROWS = 1_048_575  # Excel's limit, less the header row
COLUMNS = [
    "year",
    "form",
    "reporter_iso3",
    "reporter",
    "reporter_region",
    "partner_iso3",
    "partner",
    "partner_region",
    "category",
    "category_label",
    "origin_iso3",
    "origin",
    "intermediate_location",
    "items",
    "value",
    "currency",
    "basis",
    "description",
    "comments",
    "synthetic_demo_data",
    "published_on",
    "report_url",
]
TEXT_COLUMNS = {"intermediate_location", "description", "comments", "reporter", "partner", "origin", "category_label"}


def _records(filters: TransferFilters, sort: str, reference: Reference) -> Iterator[list[dict[str, Any]]]:
    """The export's records, a chunk at a time (one query for the rows and one for the report
    links of each chunk)."""
    states = reference.state_by_pk
    categories = reference.category_by_pk
    regions = {state["pk"]: state["region"] for state in reference.states}
    link = settings.SITE_URL.rstrip("/") + version_url_pattern()
    chunk: list[dict[str, Any]] = []

    def finish(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        records = []
        for row in rows:
            reporter = states.get(row["reporter_id"], {})
            partner = states.get(row["partner_id"], {})
            origin = states.get(row["origin_id"], {}) if row["origin_id"] else {}
            category = categories.get(row["category_id"], {})
            version = row["version_id"]
            records.append(
                {
                    "year": row["year"],
                    "form": row["direction"],
                    "reporter_iso3": reporter.get("iso3", ""),
                    "reporter": reporter.get("name", ""),
                    "reporter_region": regions.get(row["reporter_id"], ""),
                    "partner_iso3": partner.get("iso3", ""),
                    "partner": partner.get("name", ""),
                    "partner_region": regions.get(row["partner_id"], ""),
                    "category": category.get("code", ""),
                    "category_label": category.get("label", ""),
                    "origin_iso3": origin.get("iso3", ""),
                    "origin": origin.get("name", ""),
                    "intermediate_location": row["intermediate_location"],
                    "items": row["items"],
                    "value": row["value"],
                    "currency": row["currency"],
                    "basis": row["basis"],
                    "description": row["description"],
                    "comments": row["comments"],
                    "synthetic_demo_data": row["is_synthetic"],
                    "published_on": row["published_on"],
                    "report_url": link.format(pk=version) if version else "",
                }
            )
        return records

    for row in transfer_rows_iter(filters=filters, sort=sort, chunk=CHUNK):
        chunk.append(row)
        if len(chunk) >= CHUNK:
            yield finish(chunk)
            chunk = []
    if chunk:
        yield finish(chunk)


def _filename(extension: str) -> str:
    return f"att-transfers-{timezone.localdate().isoformat()}.{extension}"


# ---------------------------------------------------------------------------- CSV


def _csv_cell(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return spreadsheet_safe(value)


def csv_lines(filters: TransferFilters, sort: str, reference: Reference) -> Iterator[str]:
    """The CSV file as text pieces: a byte order mark and the header, then one piece per chunk."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    yield "\ufeff" + buffer.getvalue()  # the byte order mark makes Excel read the file as UTF-8
    for records in _records(filters, sort, reference):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows([_csv_cell(record[column]) for column in COLUMNS] for record in records)
        yield buffer.getvalue()


def csv_response(*, filters: TransferFilters, sort: str, reference: Reference) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        (piece.encode("utf-8") for piece in csv_lines(filters, sort, reference)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
    return response


# ---------------------------------------------------------------------------- JSON


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"Cannot write {type(value).__name__} as JSON")


def json_pieces(filters: TransferFilters, sort: str, reference: Reference) -> Iterator[str]:
    """A JSON array of objects (one per row; values as decimal strings), one piece per chunk."""
    yield "["
    first = True
    for records in _records(filters, sort, reference):
        text = ",\n".join(json.dumps(record, default=_json_default, ensure_ascii=False) for record in records)
        yield ("\n" if first else ",\n") + text
        first = False
    yield "\n]\n"


def json_response(*, filters: TransferFilters, sort: str, reference: Reference) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        (piece.encode("utf-8") for piece in json_pieces(filters, sort, reference)),
        content_type="application/json",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename("json")}"'
    return response


# ---------------------------------------------------------------------------- XLSX


def xlsx_file(filters: TransferFilters, sort: str, reference: Reference) -> Any:
    """The workbook in an anonymous temporary file (deleted when closed), positioned at its start."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Transfers"))
    sheet.append(COLUMNS)
    written = 0
    truncated = False
    for records in _records(filters, sort, reference):
        for record in records:
            if written >= XLSX_MAX_ROWS - 1:
                truncated = True
                break
            sheet.append([_xlsx_cell(sheet, column, record[column]) for column in COLUMNS])
            written += 1
        if truncated:
            break
    if truncated:
        note = _("The Excel format holds at most %(rows)s rows: download CSV or JSON for all.") % {"rows": written}
        sheet.append([note])
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
    workbook.save(handle)
    handle.seek(0)
    return handle


def _xlsx_cell(sheet: Any, column: str, value: Any) -> Any:
    if column in TEXT_COLUMNS and value:
        # Stored as text whatever it starts with ("=..." would otherwise become a formula).
        cell = WriteOnlyCell(sheet, value=str(value))
        cell.data_type = "s"
        return cell
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def xlsx_response(*, filters: TransferFilters, sort: str, reference: Reference) -> FileResponse:
    return FileResponse(
        xlsx_file(filters, sort, reference),
        as_attachment=True,
        filename=_filename("xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )

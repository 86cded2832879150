"""Filled spreadsheet templates for the import tests, the access matrix and the benchmark.

`filled_template` generates the platform's template and types into it with openpyxl, as a State
would in Excel. A row is a tuple in the template's column order: category, partner, origin,
intermediate location, items, value, currency, basis, description, comments.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

from openpyxl import load_workbook

from secretariat.reporting.spreadsheets import (
    FIRST_DATA_ROW,
    FORM_NIL_ROW,
    FORM_PUBLIC_ROW,
    TITLE_FIELDS,
    TITLE_FIRST_ROW,
    template_workbook,
)

TITLE_ROWS = {key: TITLE_FIRST_ROW + index for index, key in enumerate(TITLE_FIELDS)}
SHEET_INDEX = {"instructions": 0, "title": 1, "exports": 2, "imports": 3, "definitions": 4, "lists": 5}

EXPORT_ROW = ("I — Battle tanks", "Mexico", "", "", 3, 1500000, "USD", "Actual", "T-72 tanks", "")
IMPORT_ROW = ("VIII.SA.4", "MEX", "Mexico", "Panama", 250, None, None, "Authorised", "Assault rifles", "Police")


def filled_template(
    state: Any,
    year: int,
    *,
    language: str = "en",
    exports: list[tuple] | tuple = (EXPORT_ROW,),
    imports: list[tuple] | tuple = (IMPORT_ROW,),
    title: dict[str, Any] | None = None,
    nil: dict[str, Any] | None = None,
    public: dict[str, Any] | None = None,
    definitions: list[str] | tuple = (),
    edit: Any = None,
) -> bytes:
    """The template of `state` on `year`, filled in; `edit(workbook)` may change anything else."""
    workbook = load_workbook(io.BytesIO(template_workbook(state=state, year=year, language=language)))
    sheets = workbook.worksheets
    answers = {"authority": "Ministry of Defence", "contact": "A. Officer", **(title or {})}
    for key, value in answers.items():
        sheets[SHEET_INDEX["title"]].cell(row=TITLE_ROWS[key], column=2).value = value
    for key, rows in (("exports", exports), ("imports", imports)):
        sheet = sheets[SHEET_INDEX[key]]
        if nil and key in nil:
            sheet.cell(row=FORM_NIL_ROW, column=2).value = nil[key]
        if public and key in public:
            sheet.cell(row=FORM_PUBLIC_ROW, column=2).value = public[key]
        for offset, row in enumerate(rows):
            for column, value in enumerate(row, start=1):
                sheet.cell(row=FIRST_DATA_ROW + offset, column=column, value=value)
    for offset, text in enumerate(definitions):
        sheets[SHEET_INDEX["definitions"]].cell(row=4 + offset, column=1, value=text)
    if edit is not None:
        edit(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rezip(data: bytes, *, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None) -> bytes:
    """The same XLSX with some zip members replaced or added (for hostile files)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = (replace or {}).get(info.filename, source.read(info.filename))
            target.writestr(info.filename, content)
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return buffer.getvalue()

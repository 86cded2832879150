"""Import of a filled 10,000-row spreadsheet template vs openpyxl's own read-only pass (issue 3:
"at most 3x the time of openpyxl's own read-only pass over the same file and at most 2x its peak
memory").

The file is the platform's template for Ghana, filled with openpyxl: 5,000 export rows and 5,000
import rows, every column used (partners named in English or by ISO3 code, values with currencies
on two rows in three, a different description on every row). The baseline opens the same bytes
with `load_workbook(read_only=True, data_only=False)` and iterates every row of every sheet
(`values_only=True`); the candidate is the confirmed import,
`services_spreadsheets.draft_import_workbook` (container checks, XML scan for hidden rows and
merged cells, the same openpyxl pass, validation, and every row written to the draft in batches
as it is read), in a transaction rolled back after each round. Time and peak memory
(tracemalloc) are measured in separate runs, in interleaved rounds after a warm-up; the median
ratios are printed.

Run alone: `.venv/bin/python -m benchmarks.bench_import` (BENCH_IMPORT_ROWS, BENCH_IMPORT_ROUNDS).
"""

from __future__ import annotations

import io
import os
import re
import statistics
import time
import tracemalloc
import zipfile

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "10000"))
ROUNDS = int(os.environ.get("BENCH_IMPORT_ROUNDS", "3"))
YEAR = 2022
TIME_LIMIT, MEMORY_LIMIT = 3.0, 2.0


def build_file(state, rows: int) -> bytes:
    """The template of `state` on YEAR with `rows` transfer rows (half exports, half imports)."""
    from openpyxl import load_workbook

    from secretariat.reporting.models import Category
    from secretariat.reporting.spreadsheets import FIRST_DATA_ROW, category_label, template_workbook
    from secretariat.states.models import State

    workbook = load_workbook(io.BytesIO(template_workbook(state=state, year=YEAR, language="en")))
    categories = [category_label(c.code, c.label_en) for c in Category.objects.order_by("position")]
    partners = list(State.objects.exclude(pk=state.pk).order_by("iso3"))
    currencies = ["USD", "EUR", "GBP", "CHF", "JPY"]
    sheets = {"exports": workbook.worksheets[2], "imports": workbook.worksheets[3]}
    for index in range(rows):
        sheet = sheets["exports" if index % 2 == 0 else "imports"]
        row = FIRST_DATA_ROW + index // 2
        partner = partners[index % len(partners)]
        origin = partners[(index * 7) % len(partners)] if index % 5 == 0 else None
        has_value = index % 3 != 0
        values = (
            categories[index % len(categories)],
            partner.iso3 if index % 4 == 0 else partner.name_en,
            origin.name_en if origin else None,
            "Port of transit" if index % 9 == 0 else None,
            1 + index % 400,
            round(1000 + index * 37.25, 2) if has_value else None,
            currencies[index % len(currencies)] if has_value else None,
            "Actual" if index % 2 else "Authorised",
            f"Model {index % 300}-{chr(65 + index % 26)}, lot {index}",
            "Temporary export for repair" if index % 11 == 0 else None,
        )
        for column, value in enumerate(values, start=1):
            if value is not None:
                sheet.cell(row=row, column=column, value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


_INLINE = re.compile(rb'<c ([^>]*?)t="inlineStr"([^>]*)><is><t(?: [^>]*)?>(.*?)</t></is></c>', re.DOTALL)
SHEET_MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SST_TYPE = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
SST_REL = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def excel_style(data: bytes) -> bytes:
    """The same workbook with its text in a shared-strings table, as Excel saves it (openpyxl
    writes every text inline in the sheets; a State's file comes back from Excel)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    strings: dict[bytes, int] = {}

    def shared(match: re.Match) -> bytes:
        index = strings.setdefault(match.group(3), len(strings))
        return b"<c " + match.group(1) + b't="s"' + match.group(2) + b"><v>%d</v></c>" % index

    members = {}
    for info in source.infolist():
        content = source.read(info.filename)
        if info.filename.startswith("xl/worksheets/"):
            content = _INLINE.sub(shared, content)
        members[info.filename] = content
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="' + SST_TYPE + b'" /></Types>'
    )
    members["xl/_rels/workbook.xml.rels"] = members["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Type="' + SST_REL + b'" Target="sharedStrings.xml" Id="rIdStrings" /></Relationships>',
    )
    members["xl/sharedStrings.xml"] = (
        b'<sst xmlns="'
        + SHEET_MAIN
        + b'" uniqueCount="%d">' % len(strings)
        + b"".join(b'<si><t xml:space="preserve">' + text + b"</t></si>" for text in strings)
        + b"</sst>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name, content in members.items():
            target.writestr(name, content)
    return buffer.getvalue()


def openpyxl_pass(data: bytes) -> None:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    for sheet in workbook.worksheets:
        for _row in sheet.iter_rows(values_only=True):
            pass
    workbook.close()


def import_pass(data: bytes, state, rows: int):
    """The confirmed import (services_spreadsheets.draft_import_workbook: the file read and every
    row written to the draft), in a transaction rolled back so that each round starts afresh."""
    from django.db import transaction

    from secretariat.reporting.models import TransferRow
    from secretariat.reporting.services_spreadsheets import draft_import_workbook

    with transaction.atomic():
        draft, result = draft_import_workbook(state=state, year=YEAR, data=data, imported_by=None)
        imported = TransferRow.objects.filter(form__version=draft).count()
        transaction.set_rollback(True)
    if imported != rows:
        raise SystemExit(f"imported {imported} rows, expected {rows}")
    return result


def seconds(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def peak_bytes(function) -> int:
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        result = function()
        _current, peak = tracemalloc.get_traced_memory()
        del result
    finally:
        tracemalloc.stop()
    return peak


def compare(name: str, data: bytes, state) -> list[str]:
    """Time and peak memory of the import vs openpyxl's read-only pass over `data`."""

    def baseline():
        openpyxl_pass(data)

    def candidate():
        return import_pass(data, state, ROWS)

    baseline()
    candidate()  # warm up both (imports, the currency table, the translation catalogues)
    time_ratios, memory_ratios, times, peaks = [], [], [], []
    for _ in range(ROUNDS):
        base_time, cand_time = seconds(baseline), seconds(candidate)
        base_peak, cand_peak = peak_bytes(baseline), peak_bytes(candidate)
        time_ratios.append(cand_time / base_time)
        memory_ratios.append(cand_peak / base_peak)
        times.append((base_time, cand_time))
        peaks.append((base_peak, cand_peak))
    time_ratio, memory_ratio = statistics.median(time_ratios), statistics.median(memory_ratios)
    base_time = statistics.median(t[0] for t in times)
    cand_time = statistics.median(t[1] for t in times)
    base_peak = statistics.median(p[0] for p in peaks)
    cand_peak = statistics.median(p[1] for p in peaks)
    mb = 1024 * 1024
    return [
        f"spreadsheet import, {name} ({ROWS:,} rows, {len(data) / mb:.1f} MB file, {ROUNDS} rounds)",
        f"{'  time: import / openpyxl read-only pass':<52} {time_ratio:6.2f}x  "
        f"(range {min(time_ratios):.2f}-{max(time_ratios):.2f}; {cand_time * 1000:.0f} ms vs "
        f"{base_time * 1000:.0f} ms) target <= {TIME_LIMIT:g}x: {'met' if time_ratio <= TIME_LIMIT else 'NOT MET'}",
        f"{'  peak memory: import / openpyxl pass':<52} {memory_ratio:6.2f}x  "
        f"(range {min(memory_ratios):.2f}-{max(memory_ratios):.2f}; {cand_peak / mb:.1f} MB vs "
        f"{base_peak / mb:.1f} MB) target <= {MEMORY_LIMIT:g}x: "
        f"{'met' if memory_ratio <= MEMORY_LIMIT else 'NOT MET'}",
    ]


def run() -> list[str]:
    """The benchmark's printed lines (Django is set up and the registry loaded by the caller)."""
    from secretariat.states.models import State

    state = State.objects.get(iso3="GHA")
    written = build_file(state, ROWS)
    return [
        *compare("as saved by Excel (shared strings)", excel_style(written), state),
        *compare("as written by openpyxl (inline strings)", written, state),
    ]


if __name__ == "__main__":
    from django.core.management import call_command

    import benchmarks.run  # noqa: F401  (sets Django up on a throw-away SQLite database)

    call_command("migrate", verbosity=0)
    call_command("load_reference_data", verbosity=0)
    for line in run():
        print(line)

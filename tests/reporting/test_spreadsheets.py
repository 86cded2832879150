"""The spreadsheet template and its import: round trips in three languages, and every bad input
of issue 3 (each with its sheet, row, column and message)."""

from __future__ import annotations

import datetime as dt
import io
import tracemalloc
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import load_workbook

from secretariat.reporting import spreadsheets
from secretariat.reporting.contents import AnnualReportContents, FormContents, RowContents
from secretariat.reporting.models import Basis, Category
from secretariat.reporting.services import MAX_FILE_BYTES
from secretariat.reporting.spreadsheets import (
    PROPERTY_STATE,
    PROPERTY_VERSION,
    PROPERTY_YEAR,
    TEMPLATE_VERSION,
    category_label,
    parse_workbook,
    template_workbook,
)
from secretariat.states.models import State
from tests.reporting.factories_spreadsheets import (
    EXPORT_ROW,
    IMPORT_ROW,
    SHEET_INDEX,
    TITLE_ROWS,
    filled_template,
    rezip,
)

pytestmark = pytest.mark.django_db

YEAR = 2022
EXPORTS_SHEET = "Exports"
IMPORTS_SHEET = "Imports"
TITLE_SHEET = "Title page"


def parse(data, state, year=YEAR):
    return parse_workbook(data, state=state, year=year)


def only_error(result):
    """The one error of a result (and no contents)."""
    assert result.contents is None
    assert len(result.errors) == 1, result.errors
    return result.errors[0]


def where(issue):
    return issue.sheet, issue.row, issue.column


# ---------------------------------------------------------------------------- the template


@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_the_template_has_its_sheets_lists_and_marks(ghana, language):
    data = template_workbook(state=ghana, year=YEAR, language=language)
    workbook = load_workbook(io.BytesIO(data))
    with translation.override(language):
        expected_names = [str(spreadsheets.SHEETS[key])[:31] for key in SHEET_INDEX]
        yes = str(spreadsheets.YES)
    assert workbook.sheetnames == expected_names
    lists = workbook.worksheets[SHEET_INDEX["lists"]]
    assert lists.sheet_state == "veryHidden"
    categories = [row[0] for row in lists.iter_rows(min_col=1, max_col=1, values_only=True) if row[0]]
    assert len(categories) == Category.objects.count() == 23
    assert categories[0].startswith("I — ")
    names = [row[0] for row in lists.iter_rows(min_col=2, max_col=2, values_only=True) if row[0]]
    assert len(names) == State.objects.count()
    assert {"en": "Mexico", "fr": "Mexique", "es": "México"}[language] in names
    assert yes in [row[0] for row in lists.iter_rows(min_col=3, max_col=3, values_only=True)]
    # The title page carries the State (in the template's language) and the year, locked.
    title = workbook.worksheets[SHEET_INDEX["title"]]
    assert title.cell(row=TITLE_ROWS["state"], column=2).value == getattr(ghana, f"name_{language}")
    assert title.cell(row=TITLE_ROWS["year"], column=2).value == YEAR
    assert title.protection.sheet is True
    assert title.cell(row=TITLE_ROWS["state"], column=2).protection.locked is True
    assert title.cell(row=TITLE_ROWS["authority"], column=2).protection.locked is False
    # Drop-down lists for category, partner, origin and basis on both tables.
    exports = workbook.worksheets[SHEET_INDEX["exports"]]
    validated = {str(validation.sqref): validation.formula1 for validation in exports.data_validations.dataValidation}
    assert validated["A7:A20006"].endswith("!$A$1:$A$23")
    assert validated["B7:B20006"].endswith(f"!$B$1:$B${len(names)}")
    assert validated["C7:C20006"] == validated["B7:B20006"]
    assert validated["H7:H20006"].endswith("!$D$1:$D$2")
    properties = {prop.name: prop.value for prop in workbook.custom_doc_props}
    assert properties[PROPERTY_VERSION] == TEMPLATE_VERSION
    assert properties[PROPERTY_STATE] == "GHA"
    assert properties[PROPERTY_YEAR] == str(YEAR)


def test_an_unknown_language_is_refused(ghana):
    with pytest.raises(ValueError, match="language"):
        template_workbook(state=ghana, year=YEAR, language="de")


def test_an_empty_template_imports_as_a_draft_without_forms(ghana):
    result = parse(template_workbook(state=ghana, year=YEAR, language="en"), ghana)
    assert result.errors == []
    assert result.contents.forms == {}
    assert {issue.sheet for issue in result.warnings} >= {EXPORTS_SHEET, IMPORTS_SHEET}


# ---------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_round_trip_in_each_language(ghana, mexico, language):
    panama = State.objects.get(iso3="PAN")
    name = f"name_{language}"
    with translation.override(language):
        tanks = category_label("I", "Battle tanks")
        rifles = category_label("VIII.SA.4", "Assault rifles")
        yes, no = str(spreadsheets.YES), str(spreadsheets.NO)
        actual, authorised = str(Basis.ACTUAL.label), str(Basis.AUTHORISED.label)
    exports = [
        (tanks, getattr(mexico, name), None, None, 3, 1500000.5, "usd", actual, "T-72 tanks", "Refurbished"),
        (rifles, "PAN", getattr(mexico, name), "Port of Tema", 250, None, None, authorised, "AK-103", None),
    ]
    imports = [("VIII.LW.1", getattr(panama, name), None, None, None, 20000, "EUR", actual, None, "Donation")]
    data = filled_template(
        ghana,
        YEAR,
        language=language,
        exports=exports,
        imports=imports,
        title={
            "report_date": dt.date(2023, 5, 30),
            "withheld_commercial": yes,
            "withheld_security": no,
        },
        nil={"exports": no, "imports": no},
        public={"exports": yes, "imports": no},
        definitions=["Category VIII includes hunting rifles.", "Values are contract values."],
    )
    result = parse(data, ghana)
    assert result.issues == []
    category = {code: Category.objects.get(code=code) for code in ("I", "VIII.SA.4", "VIII.LW.1")}
    assert result.contents == AnnualReportContents(
        authority="Ministry of Defence",
        contact="A. Officer",
        report_date=dt.date(2023, 5, 30),
        withheld_commercial=True,
        withheld_security=False,
        national_definitions="Category VIII includes hunting rifles.\nValues are contract values.",
        forms={
            "exports": FormContents(
                is_nil=False,
                visibility="public",
                rows=[
                    RowContents(
                        category=category["I"],
                        partner=mexico,
                        basis="actual",
                        items=3,
                        value=Decimal("1500000.50"),
                        currency="USD",
                        description="T-72 tanks",
                        comments="Refurbished",
                    ),
                    RowContents(
                        category=category["VIII.SA.4"],
                        partner=panama,
                        basis="authorised",
                        items=250,
                        origin=mexico,
                        intermediate_location="Port of Tema",
                        description="AK-103",
                    ),
                ],
            ),
            "imports": FormContents(
                is_nil=False,
                visibility="restricted",
                rows=[
                    RowContents(
                        category=category["VIII.LW.1"],
                        partner=panama,
                        basis="actual",
                        value=Decimal("20000.00"),
                        currency="EUR",
                        comments="Donation",
                    )
                ],
            ),
        },
    )
    summary = {form.direction: (form.rows, form.is_nil, form.visibility) for form in result.forms}
    assert summary == {"exports": (2, False, "public"), "imports": (1, False, "restricted")}


@pytest.mark.parametrize(
    ("partner", "category", "basis", "yes"),
    [
        ("Mexique", "i", "actual", "oui"),  # French name, code in lower case
        ("méxico", "Battle tanks", "Efectivas", "Sí"),  # Spanish name, label without the code
        ("mex", "I - Battle tanks", "ACTUAL", "yes"),  # ISO3 in lower case, a hyphen for the dash
        ("MX", "I — anything after the code", "effectives", "TRUE"),
    ],
)
def test_names_codes_and_answers_in_any_language(ghana, mexico, partner, category, basis, yes):
    row = (category, partner, None, None, 1, None, None, basis, None, None)
    result = parse(filled_template(ghana, YEAR, exports=[row], imports=[], nil={"imports": yes}), ghana)
    assert result.errors == []
    exported = result.contents.forms["exports"].rows[0]
    assert (exported.partner, exported.category.code, exported.basis) == (mexico, "I", "actual")
    assert result.contents.forms["imports"] == FormContents(is_nil=True, visibility="restricted", rows=[])


def test_a_french_template_read_with_english_answers(ghana, mexico):
    data = filled_template(ghana, YEAR, language="fr", exports=[EXPORT_ROW], imports=[IMPORT_ROW])
    result = parse(data, ghana)
    assert result.errors == []
    assert result.contents.forms["imports"].rows[0].origin == mexico


def test_empty_rows_are_ignored_and_numbers_typed_as_text_are_read(ghana):
    rows = [
        EXPORT_ROW,
        (None,) * 10,
        ("", " ", None, "", None, None, None, "", None, None),
        ("II", "Mexico", None, None, "12", "1 500.25", "CHF", "Actual", 1234, None),
        (None,) * 10,
        ("",) * 10,
    ]
    result = parse(filled_template(ghana, YEAR, exports=rows), ghana)
    assert result.errors == []
    exported = result.contents.forms["exports"].rows
    assert len(exported) == 2
    assert (exported[1].items, exported[1].value, exported[1].description) == (12, Decimal("1500.25"), "1234")


def test_a_value_with_more_than_two_decimals_is_rounded_with_a_warning(ghana):
    row = ("I", "Mexico", None, None, None, 10.125, "USD", "Actual", None, None)
    result = parse(filled_template(ghana, YEAR, exports=[row]), ghana)
    assert result.contents.forms["exports"].rows[0].value == Decimal("10.12")
    warning = next(issue for issue in result.warnings if issue.column == "F")
    assert where(warning) == (EXPORTS_SHEET, 7, "F")


def test_an_unanswered_public_question_means_restricted_with_a_warning(ghana):
    result = parse(filled_template(ghana, YEAR, public={"exports": None}), ghana)
    assert result.contents.forms["exports"].visibility == "restricted"
    warning = next(issue for issue in result.warnings if issue.sheet == EXPORTS_SHEET)
    assert where(warning) == (EXPORTS_SHEET, 4, "B")
    assert "restricted to States Parties" in warning.message


def test_a_file_not_made_from_the_template_is_checked_by_its_title_page_only(ghana):
    data = filled_template(ghana, YEAR)
    data = rezip(data, replace={"docProps/custom.xml": b'<?xml version="1.0"?><Properties xmlns="x"/>'})
    result = parse(data, ghana)
    assert result.errors == []
    assert any("title page only" in issue.message for issue in result.warnings)


def test_a_template_of_another_year_with_the_right_title_page_is_a_warning(ghana):
    data = filled_template(ghana, 2021, title={"year": YEAR})
    result = parse(data, ghana)
    assert result.errors == []
    assert any("2021" in issue.message for issue in result.warnings)


def test_duplicate_rows_are_a_warning_not_an_error(ghana):
    other = ("II", "Mexico", None, None, 1, None, None, "Actual", None, None)
    result = parse(filled_template(ghana, YEAR, exports=[EXPORT_ROW, other, EXPORT_ROW]), ghana)
    assert result.errors == []
    assert len(result.contents.forms["exports"].rows) == 3
    (warning,) = result.warnings
    assert where(warning) == (EXPORTS_SHEET, 9, "")
    assert "repeats row 7" in warning.message


# ---------------------------------------------------------------------------- bad files


def test_a_file_that_is_not_xlsx(ghana):
    for data in (b"%PDF-1.4\n%%EOF\n", b"name,value\nGhana,1\n", b""):
        error = only_error(parse(data, ghana))
        assert "not an Excel workbook" in error.message or "empty" in error.message


def test_a_zip_that_is_not_a_workbook(ghana):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")
    assert "not an Excel workbook" in only_error(parse(buffer.getvalue(), ghana)).message


def test_a_damaged_zip(ghana):
    data = filled_template(ghana, YEAR)
    assert "not an Excel workbook" in only_error(parse(data[: len(data) // 2], ghana)).message


def test_a_damaged_sheet_gives_a_message_not_a_crash(ghana):
    data = rezip(filled_template(ghana, YEAR), replace={"xl/worksheets/sheet3.xml": b"<worksheet><sheetData><row"})
    assert "could not be read" in only_error(parse(data, ghana)).message


@pytest.mark.parametrize(
    "hostile",
    [
        {"add": {"xl/vbaProject.bin": b"\x00" * 64}},
        {"content_type": b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"},
    ],
)
def test_a_macro_enabled_workbook_is_refused(ghana, hostile):
    data = filled_template(ghana, YEAR)
    if "content_type" in hostile:
        types = zipfile.ZipFile(io.BytesIO(data)).read("[Content_Types].xml")
        types = types.replace(
            b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml", hostile["content_type"]
        )
        data = rezip(data, replace={"[Content_Types].xml": types})
    else:
        data = rezip(data, add=hostile["add"])
    assert "macros" in only_error(parse(data, ghana)).message


def test_a_password_protected_workbook_is_refused(ghana):
    # An encrypted OOXML file is an OLE compound file with an "EncryptionInfo" stream.
    data = spreadsheets.OLE_MAGIC + b"\x00" * 504 + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 1024
    assert "password" in only_error(parse(data, ghana)).message


def test_an_old_xls_file_is_refused(ghana):
    data = spreadsheets.OLE_MAGIC + b"\x00" * 2048
    assert ".xls" in only_error(parse(data, ghana)).message


def test_a_file_over_the_size_limit(ghana):
    error = only_error(parse(b"PK\x03\x04" + b"\x00" * MAX_FILE_BYTES, ghana))
    assert "the limit is 20 MB" in error.message


def test_an_uploaded_file_over_the_size_limit_is_not_even_read(ghana):
    class Huge(SimpleUploadedFile):
        def read(self, *args):
            raise AssertionError("a file over the limit must not be read")

    upload = Huge("report.xlsx", b"PK")
    upload.size = MAX_FILE_BYTES + 1
    assert "the limit is 20 MB" in only_error(parse(upload, ghana)).message


def test_a_zip_bomb_is_refused_before_openpyxl_opens_it(ghana, monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("openpyxl must not open a zip bomb")

    monkeypatch.setattr(spreadsheets, "load_workbook", never)
    bomb = rezip(filled_template(ghana, YEAR), add={"xl/media/padding.bin": b"\x00" * (8 * 1024 * 1024)})
    assert len(bomb) < 200 * 1024  # 8 MB of zeros deflate to a few kB: a 1000:1 ratio
    assert "zip bomb" in only_error(parse(bomb, ghana)).message


def test_a_zip_that_unpacks_to_too_much_is_refused(ghana, monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_UNCOMPRESSED_BYTES", 512 * 1024)
    data = rezip(filled_template(ghana, YEAR), add={"xl/media/photo.bin": bytes(range(256)) * 4096})
    assert "zip bomb" in only_error(parse(data, ghana)).message


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="7"><c r="I7" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>"""


@pytest.mark.parametrize("padding", [0, 100_000], ids=["entities-up-front", "entities-after-100kB-of-comment"])
def test_a_billion_laughs_workbook_gets_a_clear_error_and_no_memory_blow_up(ghana, padding):
    # With the padding our own first look (the head of each XML part) misses the DOCTYPE, and
    # defusedxml, which openpyxl parses through, refuses the entities.
    head, rest = BILLION_LAUGHS.split(b"\n", 1)
    attack = head + b"\n<!--" + b" " * padding + b"-->\n" + rest if padding else BILLION_LAUGHS
    data = rezip(filled_template(ghana, YEAR), replace={"xl/worksheets/sheet3.xml": attack})
    tracemalloc.start()
    try:
        result = parse(data, ghana)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    error = only_error(result)
    assert "entit" in error.message.lower()
    assert peak < 30 * 1024 * 1024  # the expansion would be 3 GB


# ---------------------------------------------------------------------------- bad structure


def test_a_missing_sheet(ghana):
    def drop_imports(workbook):
        del workbook[IMPORTS_SHEET]

    result = parse(filled_template(ghana, YEAR, edit=drop_imports), ghana)
    error = only_error(result)
    assert error.sheet == IMPORTS_SHEET
    assert "“Imports” is missing or was renamed" in error.message


def test_a_renamed_sheet(ghana):
    def rename(workbook):
        workbook[EXPORTS_SHEET].title = "Exp 2022"

    error = only_error(parse(filled_template(ghana, YEAR, edit=rename), ghana))
    assert error.sheet == EXPORTS_SHEET
    assert "“Exp 2022”" in error.message


def test_a_renamed_header(ghana):
    def rename(workbook):
        workbook[EXPORTS_SHEET]["C6"] = "Country of manufacture"

    error = only_error(parse(filled_template(ghana, YEAR, edit=rename), ghana))
    assert where(error) == (EXPORTS_SHEET, 6, "C")
    assert "“Country of manufacture”" in error.message
    assert "State of origin" in error.message


def test_a_deleted_header(ghana):
    def delete(workbook):
        workbook[IMPORTS_SHEET]["G6"] = None

    error = only_error(parse(filled_template(ghana, YEAR, edit=delete), ghana))
    assert where(error) == (IMPORTS_SHEET, 6, "G")
    assert "“Currency (ISO 4217)” is missing" in error.message


def test_a_missing_header_row(ghana):
    def wipe(workbook):
        for cell in workbook[EXPORTS_SHEET][6]:
            cell.value = None

    error = only_error(parse(filled_template(ghana, YEAR, exports=[], edit=wipe), ghana))
    assert error.sheet == EXPORTS_SHEET
    assert "header row of the table is missing" in error.message


def test_a_renamed_title_label(ghana):
    def rename(workbook):
        workbook[TITLE_SHEET].cell(row=TITLE_ROWS["contact"], column=1, value="Who to call")

    error = only_error(parse(filled_template(ghana, YEAR, edit=rename), ghana))
    assert where(error) == (TITLE_SHEET, None, "A")
    assert "“Contact person”" in error.message


def test_a_formula_in_the_table(ghana):
    row = ("I", "Mexico", None, None, "=1+2", None, None, "Actual", None, None)
    error = only_error(parse(filled_template(ghana, YEAR, exports=[EXPORT_ROW, row]), ghana))
    assert where(error) == (EXPORTS_SHEET, 8, "E")
    assert "formula" in error.message
    assert "type the value" in error.message


def test_a_formula_on_the_title_page(ghana):
    error = only_error(parse(filled_template(ghana, YEAR, title={"authority": '=CONCAT("Min", "istry")'}), ghana))
    assert where(error) == (TITLE_SHEET, TITLE_ROWS["authority"], "B")
    assert "formula" in error.message


def test_merged_cells_in_the_table(ghana):
    def merge(workbook):
        workbook[EXPORTS_SHEET].merge_cells("I7:J8")

    rows = [EXPORT_ROW, EXPORT_ROW[:8] + (None, "x")]
    result = parse(filled_template(ghana, YEAR, exports=rows, edit=merge), ghana)
    error = only_error(result)
    assert where(error) == (EXPORTS_SHEET, 7, "I")
    assert "I7:J8" in error.message


def test_merged_cells_above_the_table_are_fine(ghana):
    def merge(workbook):
        workbook[EXPORTS_SHEET].merge_cells("A1:J1")

    assert parse(filled_template(ghana, YEAR, edit=merge), ghana).errors == []


def test_a_hidden_row_in_the_table(ghana):
    def hide(workbook):
        workbook[IMPORTS_SHEET].row_dimensions[8].hidden = True

    result = parse(
        filled_template(ghana, YEAR, imports=[IMPORT_ROW, IMPORT_ROW[:4] + (9,) + IMPORT_ROW[5:]], edit=hide), ghana
    )
    error = only_error(result)
    assert where(error) == (IMPORTS_SHEET, 8, "")
    assert "hidden" in error.message


# ---------------------------------------------------------------------------- bad values


@pytest.mark.parametrize(
    ("typed", "suggestion"),
    [("Gahna", "Ghana"), ("Mexco", "Mexico"), ("Allemagne fédérale", "Allemagne")],
)
def test_an_unknown_state_gets_the_closest_known_one(ghana, typed, suggestion):
    row = ("I", typed, None, None, 1, None, None, "Actual", None, None)
    error = only_error(parse(filled_template(ghana, YEAR, exports=[row]), ghana))
    assert where(error) == (EXPORTS_SHEET, 7, "B")
    assert f"Unknown State “{typed}”. Did you mean “{suggestion}”?" == error.message


def test_an_unknown_state_of_origin(ghana):
    row = ("I", "Mexico", "Atlantis", None, 1, None, None, "Actual", None, None)
    error = only_error(parse(filled_template(ghana, YEAR, exports=[row]), ghana))
    assert where(error) == (EXPORTS_SHEET, 7, "C")
    assert "Unknown State “Atlantis”" in error.message


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        (("IX", "Mexico", None, None, 1, None, None, "Actual", None, None), "A", "Unknown category “IX”"),
        ((None, "Mexico", None, None, 1, None, None, "Actual", None, None), "A", "Give the category"),
        (("I", None, None, None, 1, None, None, "Actual", None, None), "B", "Give the partner State"),
        (("I", "Mexico", None, None, -2, None, None, "Actual", None, None), "E", "cannot be negative"),
        (("I", "Mexico", None, None, 2.5, None, None, "Actual", None, None), "E", "whole number (found 2.5)"),
        (("I", "Mexico", None, None, "a few", None, None, "Actual", None, None), "E", "not a number of items"),
        (("I", "Mexico", None, None, None, -10, "USD", "Actual", None, None), "F", "value cannot be negative"),
        (("I", "Mexico", None, None, None, "lots", "USD", "Actual", None, None), "F", "not an amount"),
        (("I", "Mexico", None, None, None, 100, None, "Actual", None, None), "G", "needs its currency"),
        (("I", "Mexico", None, None, None, 100, "XYZ", "Actual", None, None), "G", "Unknown currency “XYZ”"),
        (("I", "Mexico", None, None, None, None, None, "Actual", "Tanks", None), "E", "number of items, the value"),
        (("I", "Mexico", None, None, 1, None, None, None, None, None), "H", "authorised or actual"),
        (("I", "Mexico", None, None, 1, None, None, "Planned", None, None), "H", "“Planned” is neither"),
        (("I", "Mexico", None, "x" * 301, 1, None, None, "Actual", None, None), "D", "At most 300 characters"),
    ],
)
def test_a_bad_value_names_its_cell(ghana, row, column, message):
    error = only_error(parse(filled_template(ghana, YEAR, exports=[EXPORT_ROW, row]), ghana))
    assert where(error) == (EXPORTS_SHEET, 8, column)
    assert message in error.message


def test_every_bad_cell_of_a_row_is_reported(ghana):
    row = ("IX", "Gahna", None, None, -1, None, None, "Planned", None, None)
    result = parse(filled_template(ghana, YEAR, exports=[row]), ghana)
    assert [issue.column for issue in result.errors] == ["A", "B", "E", "H"]


@pytest.mark.parametrize(
    ("title", "row", "message"),
    [
        ({"year": 2021}, "year", "the year covered is “2021”, but you are uploading the report on 2022"),
        ({"state": "Mexico"}, "state", "The title page is for Mexico, but you are uploading the report of Ghana"),
        ({"state": "Narnia"}, "state", "Unknown State “Narnia”"),
        ({"state": None}, "state", "The reporting State is missing"),
        ({"report_date": "last May"}, "report_date", "“last May” is not a date"),
        ({"withheld_security": "Perhaps"}, "withheld_security", "Answer Yes or No (found “Perhaps”)"),
        ({"authority": "x" * 301}, "authority", "At most 300 characters"),
    ],
)
def test_a_bad_title_page(ghana, title, row, message):
    error = only_error(parse(filled_template(ghana, YEAR, title=title), ghana))
    assert where(error) == (TITLE_SHEET, TITLE_ROWS[row], "B")
    assert message in error.message


def test_uploading_to_another_year_than_the_file(ghana):
    result = parse(filled_template(ghana, YEAR), ghana, year=2021)
    error = only_error(result)
    assert where(error) == (TITLE_SHEET, TITLE_ROWS["year"], "B")
    assert any("2022" in warning.message for warning in result.warnings)  # the template's own mark


def test_a_nil_form_with_rows(ghana):
    error = only_error(parse(filled_template(ghana, YEAR, nil={"exports": "Yes"}), ghana))
    assert where(error) == (EXPORTS_SHEET, 3, "B")
    assert "nil report but its table has 1 rows" in error.message


def test_a_form_with_no_rows_and_no_nil_answer_is_left_out(ghana):
    result = parse(filled_template(ghana, YEAR, imports=[]), ghana)
    assert result.errors == []
    assert set(result.contents.forms) == {"exports"}
    (warning,) = [issue for issue in result.warnings if issue.sheet == IMPORTS_SHEET]
    assert "left out of the draft" in warning.message


def test_the_issue_list_is_capped(ghana, monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_ISSUES", 5)
    rows = [("IX", "Mexico", None, None, 1, None, None, "Actual", None, None)] * 8
    result = parse(filled_template(ghana, YEAR, exports=rows), ghana)
    assert len(result.issues) == 5
    assert result.issues_left_out == 3  # rows with errors are not compared for duplicates
    assert result.contents is None


def test_a_renamed_state_is_recognised_at_once(ghana, mexico):
    row = ("I", "Estados Unidos Mexicanos", None, None, 1, None, None, "Actual", None, None)
    assert only_error(parse(filled_template(ghana, YEAR, exports=[row]), ghana)).column == "B"
    mexico.name_es = "Estados Unidos Mexicanos"
    mexico.save()  # writes a history row, which tells the import to load the names again
    result = parse(filled_template(ghana, YEAR, exports=[row]), ghana)
    assert result.errors == []
    assert result.contents.forms["exports"].rows[0].partner == mexico


def test_duplicates_are_found_among_many_rows_as_the_bitmap_grows():
    from types import SimpleNamespace

    def fake(n):
        ref = SimpleNamespace(pk=n % 7)
        return SimpleNamespace(
            category=ref,
            partner=ref,
            origin=None,
            intermediate_location="",
            items=n,
            value=None,
            currency="",
            basis="actual",
            description=f"row {n}",
            comments="",
        )

    duplicates = spreadsheets._Duplicates()
    rows = []
    found = {}
    for n in [*range(20000), 5, 19999, 123]:
        earlier = duplicates.earlier(fake(n), 10 + len(rows), rows)
        if earlier is not None:
            found[10 + len(rows)] = earlier
        rows.append(fake(n))
    assert found == {20010: 15, 20011: 20009, 20012: 133}
    assert duplicates.bits >= 20000 * 16

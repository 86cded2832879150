"""The annual report as a spreadsheet: the template the platform generates, and its import.

`template_workbook` makes an XLSX (English, French or Spanish) with an Instructions sheet, a Title
page, an Exports and an Imports sheet (nil/public questions above a table), a National definitions
sheet and a very hidden Lists sheet that feeds the drop-down lists. The workbook carries custom
document properties (template version, State, year, language) so that the import can check them.

`parse_workbook` turns a filled template into an `AnnualReportContents`, or explains, cell by cell,
why it cannot. It is pure: it reads reference data (categories, States) and writes nothing. The
file is examined before openpyxl opens it: its size, its magic bytes (an encrypted Office file is
an OLE container, a macro-enabled one has a VBA project), the declared sizes and compression ratios
of the zip members (a zip bomb is refused before anything is inflated), and DOCTYPE/ENTITY
declarations (openpyxl parses through defusedxml, which refuses entities; we refuse them first,
with a clear message). openpyxl's read-only mode hides merged cells and row visibility, so the
two table sheets' XML is streamed once through two regular expressions to find them.

Speed and memory: one read-only pass of openpyxl (`iter_rows(values_only=True)`); States,
categories and currencies resolved through dicts built once and kept while the registry is
unchanged; duplicates found through a bitmap of row hashes (no dict of every row); the sheet XML
scanned in 256 kB chunks. `benchmarks/bench_import.py` compares it with openpyxl's own pass.
"""

from __future__ import annotations

import datetime as dt
import difflib
import io
import re
import unicodedata
import warnings
import zipfile
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import IO, Any

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as defused_fromstring
from django.db.models import Count, Max
from django.utils import translation
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook, load_workbook
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from secretariat.states.models import State

from .contents import AnnualReportContents, FormContents, RowContents
from .models import Basis, Category, Direction, ReportKind, ReportVersion, VersionStatus, Visibility
from .services import MAX_FILE_BYTES

TEMPLATE_VERSION = "att-annual-2017/platform-1"
KNOWN_TEMPLATE_VERSIONS = frozenset({TEMPLATE_VERSION})
TEMPLATE_LANGUAGES = ("en", "fr", "es")
FIRST_REPORTING_YEAR = 2014
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Custom document properties that mark a generated template.
PROPERTY_VERSION = "ATT template version"
PROPERTY_STATE = "ATT reporting State"
PROPERTY_YEAR = "ATT year covered"
PROPERTY_LANGUAGE = "ATT template language"

# Zip-bomb limits, checked on the declared sizes before anything is inflated (zipfile never
# inflates a member beyond its declared size: it stops there and the CRC check fails).
MAX_UNCOMPRESSED_BYTES = 400 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100  # a real sheet compresses 5-20x; a bomb 1000x and more
RATIO_CHECKED_FROM_BYTES = 1024 * 1024  # tiny members may have odd ratios and cannot hurt
MAX_ZIP_MEMBERS = 2000
XML_HEAD_BYTES = 64 * 1024  # where a DOCTYPE would be (it must come before the root element)
SCAN_CHUNK_BYTES = 256 * 1024

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
ENCRYPTION_STREAM = "EncryptionInfo".encode("utf-16-le")

# Layout of the generated sheets (the import finds labels and headers wherever they are).
TITLE_FIRST_ROW = 4
FORM_NIL_ROW, FORM_PUBLIC_ROW, HEADER_ROW = 3, 4, 6
FIRST_DATA_ROW = HEADER_ROW + 1
VALIDATED_ROWS = 20000  # rows of the tables that get drop-down lists
MAX_LABEL_ROWS = 40  # the title page labels and the header row are looked for in these rows
MAX_ISSUES = 500
MAX_TEXT = 300  # national authority, contact person, intermediate location (model max_length)
MAX_ITEMS = 2_147_483_647
MAX_VALUE = Decimal("1e16")

ERROR, WARNING = "error", "warning"
SINK_BATCH = 500  # rows handed to a row sink at a time
RowSink = Callable[[str, list[RowContents]], None]  # (direction, a batch of valid rows)

GREY = PatternFill("solid", fgColor="E7E6E6")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
BOLD = Font(bold=True)
TITLE_FONT = Font(bold=True, size=14)
WRAP = Alignment(wrap_text=True, vertical="top")

# ---------------------------------------------------------------------------- translatable texts

SHEETS = {
    "instructions": _("Instructions"),
    "title": _("Title page"),
    "exports": _("Exports"),
    "imports": _("Imports"),
    "definitions": _("National definitions"),
    "lists": pgettext_lazy("spreadsheet sheet", "Lists"),
}
REQUIRED_SHEETS = ("title", "exports", "imports")

TITLE_FIELDS = {
    "state": _("Reporting State"),
    "year": _("Calendar year covered"),
    "authority": _("National authority"),
    "contact": _("Contact person"),
    "report_date": _("Date of the report"),
    "withheld_commercial": _("Commercially sensitive information withheld"),
    "withheld_security": _("National security information withheld"),
}

FORM_FIELDS = {
    "nil": _("Nil report (nothing to report on this form)"),
    "public": _("This form may be made public"),
}

PARTNER_HEADERS = {
    "exports": _("Final importer State"),
    "imports": _("Exporter State"),
}
COLUMNS = {
    "category": _("Category"),
    "partner": _("Partner State"),  # the sheet shows PARTNER_HEADERS; this one is accepted too
    "origin": _("State of origin (if not the exporter)"),
    "intermediate": _("Intermediate location (if any)"),
    "items": _("Number of items"),
    "value": _("Value"),
    "currency": _("Currency (ISO 4217)"),
    "basis": _("Authorised or actual"),
    "description": _("Description of items"),
    "comments": _("Comments on the transfer"),
}
# Other spellings accepted in headers (any language); the template's own are added from gettext.
EXTRA_HEADERS = {
    "partner": ["Importer State", "Exporter", "Importer", "Partner", "State"],
    "origin": ["State of origin", "Origin"],
    "intermediate": ["Intermediate location", "Intermediate location(s)"],
    "items": ["Items", "Quantity"],
    "currency": ["Currency"],
    "basis": ["Authorised / actual", "Authorized or actual", "Authorised/actual"],
    "description": ["Description", "Description of item"],
    "comments": ["Comments", "Remarks"],
}

CATEGORY_LABELS = {
    "I": _("Battle tanks"),
    "II": _("Armoured combat vehicles"),
    "III": _("Large-calibre artillery systems"),
    "IV": _("Combat aircraft"),
    "V": _("Attack helicopters"),
    "VI": _("Warships"),
    "VII": _("Missiles and missile launchers"),
    "VIII": _("Small arms and light weapons"),
    "VIII.SA": _("Small arms"),
    "VIII.SA.1": _("Revolvers and self-loading pistols"),
    "VIII.SA.2": _("Rifles and carbines"),
    "VIII.SA.3": _("Sub-machine guns"),
    "VIII.SA.4": _("Assault rifles"),
    "VIII.SA.5": _("Light machine guns"),
    "VIII.SA.6": _("Others (small arms)"),
    "VIII.LW": _("Light weapons"),
    "VIII.LW.1": _("Heavy machine guns"),
    "VIII.LW.2": _("Hand-held under-barrel and mounted grenade launchers"),
    "VIII.LW.3": _("Portable anti-tank guns"),
    "VIII.LW.4": _("Recoilless rifles"),
    "VIII.LW.5": _("Portable launchers of anti-tank missiles and rocket systems"),
    "VIII.LW.6": _("Mortars of calibres less than 75 mm"),
    "VIII.LW.7": _("Others (light weapons)"),
}

YES, NO = _("Yes"), _("No")
# Spellings of yes/no and of the basis accepted besides the template's (accents are ignored).
YES_WORDS = {"yes", "y", "oui", "o", "si", "s", "true", "x", "1"}
NO_WORDS = {"no", "n", "non", "false", "0"}
BASIS_WORDS = {
    Basis.AUTHORISED: {"authorised", "authorized", "autorise", "autorisee", "autorises", "autorisees", "autorizado",
                       "autorizada", "autorizados", "autorizadas", "licence", "license", "licensed"},
    Basis.ACTUAL: {"actual", "actuals", "effectif", "effective", "effectifs", "effectives", "efectivo", "efectiva",
                   "efectivos", "efectivas", "real", "reales", "delivered"},
}  # fmt: skip

HEADING = _("Annual report in accordance with Article 13(3) of the Arms Trade Treaty")
FORM_HEADINGS = {
    "exports": _("Exports of conventional arms covered under Article 2(1): %(state)s, %(year)s"),
    "imports": _("Imports of conventional arms covered under Article 2(1): %(state)s, %(year)s"),
}
DEFINITIONS_HEADING = _("National definitions of the categories reported (optional)")
DEFINITIONS_HELP = _("Type your national definitions below, one paragraph per row.")
TITLE_NOTE = _("The reporting State and the year are filled in by the platform: do not change them.")
HINT_YES_NO = _("Yes or No")
HINT_DATE = _("A date, e.g. 2025-05-31")
INSTRUCTIONS = (
    _("How to fill in this template"),
    _(
        "1. Fill in the Title page, then the Exports and the Imports sheets. The National definitions sheet "
        "is optional."
    ),
    _("2. Do not rename, delete or reorder the sheets or the column headers, and do not insert columns."),
    _("3. Type values, not formulas. Do not merge cells and do not hide rows in the tables."),
    _(
        "4. One row per transfer. Choose the category and the States from the drop-down lists; you may also "
        "type a State's three-letter ISO code (e.g. GHA)."
    ),
    _(
        "5. Give the number of items, the value, or both. A value needs its currency as a three-letter "
        "ISO 4217 code (e.g. USD, EUR, CHF)."
    ),
    _("6. Say for each row whether the figures are for authorised or actual transfers."),
    _("7. If you have nothing to report on a form, answer Yes to 'Nil report' and leave its table empty."),
    _(
        "8. Answer Yes to 'This form may be made public' if the Secretariat may publish the form; otherwise "
        "only States Parties will see it."
    ),
    _(
        "9. Upload the completed file on the platform. It shows a row-by-row validation report; nothing is "
        "saved until you confirm the import."
    ),
)
TEMPLATE_FOOTER = _("Template version %(version)s, for %(state)s, year %(year)s.")


# ---------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Issue:
    level: str  # "error" | "warning"
    message: str
    sheet: str = ""
    row: int | None = None
    column: str = ""  # a column letter ("B")

    @property
    def cell(self) -> str:
        return f"{self.column}{self.row}" if self.column and self.row else ""


@dataclass
class FormSummary:
    direction: str
    label: str
    rows: int = 0
    is_nil: bool = False
    visibility: str = Visibility.RESTRICTED
    included: bool = False


@dataclass
class ImportResult:
    contents: AnnualReportContents | None
    issues: list[Issue] = field(default_factory=list)
    forms: list[FormSummary] = field(default_factory=list)
    issues_left_out: int = 0  # issues beyond MAX_ISSUES, counted but not listed

    @property
    def errors(self) -> list[Issue]:
        return [issue for issue in self.issues if issue.level == ERROR]

    @property
    def warnings(self) -> list[Issue]:
        return [issue for issue in self.issues if issue.level == WARNING]

    @property
    def has_errors(self) -> bool:
        return self.contents is None


class _Refused(Exception):
    """The file as a whole cannot be read; carries the one issue that says why."""

    def __init__(self, message: str, sheet: str = "") -> None:
        super().__init__(message)
        self.issue = Issue(ERROR, message, sheet)


class _Issues:
    def __init__(self) -> None:
        self.items: list[Issue] = []
        self.left_out = 0
        self.error_count = 0

    def add(self, level: str, message: str, sheet: str = "", row: int | None = None, column: str = "") -> None:
        if level == ERROR:
            self.error_count += 1
        if len(self.items) >= MAX_ISSUES:
            self.left_out += 1
            return
        self.items.append(Issue(level, message, sheet, row, column))

    def error(self, message: str, sheet: str = "", row: int | None = None, column: str = "") -> None:
        self.add(ERROR, message, sheet, row, column)

    def warning(self, message: str, sheet: str = "", row: int | None = None, column: str = "") -> None:
        self.add(WARNING, message, sheet, row, column)


# ---------------------------------------------------------------------------- small helpers

_DASHES = re.compile(r"[\u2010-\u2015\u2212-]")
_SPACES = re.compile(r"\s+")


def normalise(text: Any) -> str:
    """Lower case, no accents, one kind of dash, single spaces, no trailing colon: for matching."""
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(char for char in text if not unicodedata.combining(char))
    text = _DASHES.sub("-", text.casefold())
    return _SPACES.sub(" ", text).strip().rstrip(":*").strip()


def _in_languages(text: Any) -> set[str]:
    """`text` (a lazy translatable string) normalised in each template language."""
    found = set()
    for language in TEMPLATE_LANGUAGES:
        with translation.override(language):
            found.add(normalise(str(text)))
    return found


def _sheet_title(text: Any) -> str:
    """A valid Excel sheet name (31 characters, none of []:*?/\\)."""
    return re.sub(r"[\[\]:*?/\\]", " ", str(text)).strip()[:31]


def category_label(code: str, label_en: str) -> str:
    """The drop-down label of a category in the active language: "I — Battle tanks"."""
    return f"{code} — {CATEGORY_LABELS.get(code, label_en)}"


def _state_names(language: str) -> list[str]:
    field_name = {"fr": "name_fr", "es": "name_es"}.get(language, "name_en")
    names = [getattr(state, field_name) or state.name_en for state in State.objects.all()]
    return sorted(names, key=normalise)


def _is_blank(value: Any) -> bool:
    return value is None or (type(value) is str and not value.strip())


def _is_formula(value: Any) -> bool:
    # With data_only=False openpyxl gives a formula cell as "=..." (or a formula object).
    return (type(value) is str and value.startswith("=")) or isinstance(value, ArrayFormula | DataTableFormula)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if type(value) is float and value.is_integer():
        value = int(value)
    return str(value).strip()


# ---------------------------------------------------------------------------- reference data


@dataclass
class _Reference:
    """What an import resolves names against (two queries to build; `reference_data` keeps it)."""

    states: dict[str, State | None]  # normalised name or code -> State (None: ambiguous)
    state_names: list[str]  # every known spelling (English first), for suggestions
    categories: dict[str, Category]
    currencies: dict[str, str]  # code -> the same code (one string object for every row)

    @classmethod
    def load(cls) -> _Reference:
        states: dict[str, State | None] = {}
        names: dict[str, list[str]] = {"en": [], "fr": [], "es": [], "zh": []}
        for state in State.objects.only("pk", "iso3", "iso2", "name_en", "name_fr", "name_es", "name_zh"):
            spellings = {state.name_en, state.name_fr, state.name_es, state.name_zh}
            for language, spellings_of in names.items():
                spelling = getattr(state, f"name_{language}")
                if spelling:
                    spellings_of.append(spelling)
            for key in {normalise(spelling) for spelling in spellings if spelling} | {
                normalise(state.iso3),
                normalise(state.iso2),
            }:
                if not key:
                    continue
                if key in states and states[key] is not None and states[key].pk != state.pk:
                    states[key] = None
                else:
                    states[key] = state
        categories: dict[str, Category] = {}
        for category in Category.objects.all():
            categories[normalise(category.code)] = category
            for label in _in_languages(CATEGORY_LABELS.get(category.code, category.label_en)) | {
                normalise(category.label_en)
            }:
                categories.setdefault(label, category)
                categories.setdefault(f"{normalise(category.code)} - {label}", category)
        # Spellings for suggestions, English first: "Mexco" suggests "Mexico" rather than "México".
        return cls(states, [name for spellings in names.values() for name in spellings], categories, _currencies())

    def state(self, value: Any) -> tuple[State | None, str]:
        """The State `value` names, or (None, a message saying why not)."""
        key = normalise(_text(value))
        if key in self.states:
            found = self.states[key]
            if found is None:
                return None, gettext("“%(value)s” is ambiguous: use the State's three-letter ISO code.") % {
                    "value": _text(value)
                }
            return found, ""
        return None, self._unknown_state(_text(value))

    def _unknown_state(self, value: str) -> str:
        suggestion = _closest(value, tuple(self.state_names))
        if suggestion:
            return gettext("Unknown State “%(value)s”. Did you mean “%(suggestion)s”?") % {
                "value": value,
                "suggestion": suggestion,
            }
        return gettext("Unknown State “%(value)s”: choose it from the list or type its ISO code.") % {"value": value}

    def category(self, value: Any) -> Category | None:
        key = normalise(_text(value))
        found = self.categories.get(key)
        if found is None and key:
            # "VIII.SA.1 — something else": the code decides.
            found = self.categories.get(re.split(r"\s|-(?=\s)", key, maxsplit=1)[0])
        return found


_reference_cache: dict[tuple, _Reference] = {}


def reference_data() -> _Reference:
    """The names and codes an import resolves, built once and kept while the registry and the
    categories are unchanged (every change of a State writes a history row; one small query
    checks). Saves two queries and the building of the dicts on each import."""
    fingerprint = (
        tuple(State.history.aggregate(last=Max("history_id"), when=Max("history_date"), rows=Count("pk")).values()),
        tuple(Category.objects.aggregate(last=Max("pk"), rows=Count("pk")).values()),
    )
    found = _reference_cache.get(fingerprint)
    if found is None:
        found = _Reference.load()
        _reference_cache.clear()
        _reference_cache[fingerprint] = found
    return found


@cache
def _currencies() -> dict[str, str]:
    import pycountry  # a large table: loaded the first time a file is imported

    return {currency.alpha_3: currency.alpha_3 for currency in pycountry.currencies}


_suggestions: dict[tuple[str, int], str] = {}


def _closest(value: str, names: tuple[str, ...]) -> str:
    """The known spelling closest to `value` (difflib), remembered per value."""
    key = (normalise(value), len(names))
    if key not in _suggestions:
        by_normal: dict[str, str] = {}
        for name in names:
            by_normal.setdefault(normalise(name), name)
        matches = difflib.get_close_matches(key[0], list(by_normal), n=1, cutoff=0.6)
        if len(_suggestions) > 10000:
            _suggestions.clear()
        _suggestions[key] = by_normal[matches[0]] if matches else ""
    return _suggestions[key]


@cache
def _aliases() -> dict[str, dict[str, str]]:
    """Normalised spellings (every template language) -> key, for sheets, labels and headers."""
    sheets = {alias: key for key, text in SHEETS.items() for alias in _in_languages(text) | {key}}
    title = {alias: key for key, text in TITLE_FIELDS.items() for alias in _in_languages(text)}
    form = {alias: key for key, text in FORM_FIELDS.items() for alias in _in_languages(text)}
    form.update({normalise("Nil report"): "nil", normalise("Public"): "public"})
    headers: dict[str, str] = {}
    for key, text in COLUMNS.items():
        for alias in _in_languages(text) | {normalise(extra) for extra in EXTRA_HEADERS.get(key, [])}:
            headers[alias] = key
    for text in PARTNER_HEADERS.values():
        for alias in _in_languages(text):
            headers[alias] = "partner"
    yes = {normalise(word) for word in YES_WORDS} | _in_languages(YES)
    no = {normalise(word) for word in NO_WORDS} | _in_languages(NO)
    basis = {}
    for value, words in BASIS_WORDS.items():
        for alias in {normalise(word) for word in words} | _in_languages(Basis(value).label):
            basis[alias] = str(value)
    definitions = _in_languages(DEFINITIONS_HEADING) | _in_languages(DEFINITIONS_HELP)
    return {
        "sheets": sheets,
        "title": title,
        "form": form,
        "headers": headers,
        "yes": dict.fromkeys(yes, "yes"),
        "no": dict.fromkeys(no, "no"),
        "basis": basis,
        "definitions": dict.fromkeys(definitions, "skip"),
    }


def _yes_no(value: Any) -> bool | None:
    """True/False for a yes/no answer in any language; None when it is neither."""
    if type(value) is bool:
        return value
    aliases = _aliases()
    key = normalise(_text(value))
    if key in aliases["yes"]:
        return True
    if key in aliases["no"]:
        return False
    return None


# ---------------------------------------------------------------------------- the template


def template_workbook(*, state: State, year: int, language: str) -> bytes:
    """The annual report template of `state` on `year`, in `language` ("en", "fr" or "es")."""
    if language not in TEMPLATE_LANGUAGES:
        raise ValueError(f"unknown template language {language!r}")
    with translation.override(language):
        return _build_template(state, year, language)


def _build_template(state: State, year: int, language: str) -> bytes:
    state_name = getattr(state, {"fr": "name_fr", "es": "name_es"}.get(language, "name_en")) or state.name_en
    workbook = Workbook()
    instructions = workbook.active
    instructions.title = _sheet_title(SHEETS["instructions"])
    title = workbook.create_sheet(_sheet_title(SHEETS["title"]))
    forms = {key: workbook.create_sheet(_sheet_title(SHEETS[key])) for key in ("exports", "imports")}
    definitions = workbook.create_sheet(_sheet_title(SHEETS["definitions"]))
    lists = workbook.create_sheet(_sheet_title(SHEETS["lists"]))
    lists.sheet_state = "veryHidden"

    # Lists: categories, States, yes/no, authorised/actual (column A, B, C, D).
    categories = [category_label(c.code, c.label_en) for c in Category.objects.order_by("position", "code")]
    names = _state_names(language)
    yes_no = [str(YES), str(NO)]
    bases = [str(Basis.AUTHORISED.label), str(Basis.ACTUAL.label)]
    for column, values in enumerate((categories, names, yes_no, bases), start=1):
        for row, value in enumerate(values, start=1):
            lists.cell(row=row, column=column, value=value)
    quoted = "'" + lists.title.replace("'", "''") + "'"

    def list_range(column: str, count: int) -> str:
        return f"{quoted}!${column}$1:${column}${max(count, 1)}"

    def choice(column: str, count: int, *, strict: bool) -> DataValidation:
        validation = DataValidation(
            type="list",
            formula1=list_range(column, count),
            allow_blank=True,
            errorStyle="stop" if strict else "warning",
            showErrorMessage=True,
        )
        validation.error = str(_("Choose a value from the list."))
        return validation

    # Instructions
    instructions.column_dimensions["A"].width = 110
    instructions.cell(row=1, column=1, value=str(HEADING)).font = TITLE_FONT
    for row, text in enumerate(INSTRUCTIONS, start=3):
        cell = instructions.cell(row=row, column=1, value=str(text))
        cell.alignment = WRAP
        if row == 3:
            cell.font = BOLD
    footer = TEMPLATE_FOOTER % {"version": TEMPLATE_VERSION, "state": state_name, "year": year}
    instructions.cell(row=len(INSTRUCTIONS) + 4, column=1, value=footer)

    # Title page: labels in A, answers in B, hints in C. The State and the year are locked.
    title.column_dimensions["A"].width = 50
    title.column_dimensions["B"].width = 45
    title.column_dimensions["C"].width = 30
    title.cell(row=1, column=1, value=str(HEADING)).font = TITLE_FONT
    title.cell(row=2, column=1, value=str(TITLE_NOTE))
    answers: dict[str, Any] = {"state": state_name, "year": year}
    hints = {"report_date": HINT_DATE, "withheld_commercial": HINT_YES_NO, "withheld_security": HINT_YES_NO}
    yes_no_title = choice("C", 2, strict=True)
    title.add_data_validation(yes_no_title)
    for row, (key, label) in enumerate(TITLE_FIELDS.items(), start=TITLE_FIRST_ROW):
        title.cell(row=row, column=1, value=str(label)).font = BOLD
        cell = title.cell(row=row, column=2, value=answers.get(key))
        if key in answers:
            cell.fill = GREY
            cell.font = BOLD
        else:
            cell.fill = INPUT_FILL
            cell.protection = Protection(locked=False)
        if key in hints:
            title.cell(row=row, column=3, value=str(hints[key]))
        if key == "report_date":
            cell.number_format = "yyyy-mm-dd"
        if key.startswith("withheld"):
            cell.value = str(NO)
            yes_no_title.add(cell.coordinate)
    title.protection.sheet = True  # no password: it only guards the State and the year from slips

    # Exports and imports
    widths = [34, 28, 28, 24, 14, 16, 12, 20, 40, 40]
    last = FIRST_DATA_ROW + VALIDATED_ROWS - 1
    for key, sheet in forms.items():
        sheet.cell(row=1, column=1, value=FORM_HEADINGS[key] % {"state": state_name, "year": year}).font = TITLE_FONT
        form_yes_no = choice("C", 2, strict=True)
        sheet.add_data_validation(form_yes_no)
        for row, label in ((FORM_NIL_ROW, FORM_FIELDS["nil"]), (FORM_PUBLIC_ROW, FORM_FIELDS["public"])):
            sheet.cell(row=row, column=1, value=str(label)).font = BOLD
            answer = sheet.cell(row=row, column=2, value=str(NO))
            answer.fill = INPUT_FILL
            sheet.cell(row=row, column=3, value=str(HINT_YES_NO))
            form_yes_no.add(answer.coordinate)
        for column, text in enumerate(_headers_for(key), start=1):
            cell = sheet.cell(row=HEADER_ROW, column=column, value=text)
            cell.font = BOLD
            cell.fill = HEADER_FILL
            cell.alignment = WRAP
            sheet.column_dimensions[get_column_letter(column)].width = widths[column - 1]
        sheet.freeze_panes = f"A{FIRST_DATA_ROW}"
        category_choice = choice("A", len(categories), strict=True)
        partner_choice = choice("B", len(names), strict=False)
        origin_choice = choice("B", len(names), strict=False)
        basis_choice = choice("D", 2, strict=True)
        items_check = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
        items_check.error = str(_("Type a whole number, zero or more."))
        value_check = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
        value_check.error = str(_("Type an amount, zero or more."))
        for validation, column in (
            (category_choice, "A"),
            (partner_choice, "B"),
            (origin_choice, "C"),
            (items_check, "E"),
            (value_check, "F"),
            (basis_choice, "H"),
        ):
            validation.showErrorMessage = True
            validation.add(f"{column}{FIRST_DATA_ROW}:{column}{last}")
            sheet.add_data_validation(validation)

    # National definitions
    definitions.column_dimensions["A"].width = 110
    definitions.cell(row=1, column=1, value=str(DEFINITIONS_HEADING)).font = TITLE_FONT
    definitions.cell(row=2, column=1, value=str(DEFINITIONS_HELP))

    workbook.active = 1  # open on the title page
    properties = workbook.properties
    properties.title = str(HEADING)
    properties.creator = "ATT Secretariat Platform"
    for name, value in (
        (PROPERTY_VERSION, TEMPLATE_VERSION),
        (PROPERTY_STATE, state.iso3),
        (PROPERTY_YEAR, str(year)),
        (PROPERTY_LANGUAGE, language),
    ):
        workbook.custom_doc_props.append(StringProperty(name=name, value=value))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------------- reading the file


@dataclass
class _Container:
    """What the zip container says, learned before openpyxl opens it."""

    sheets: dict[str, str]  # sheet name -> its XML member in the zip
    properties: dict[str, str]


def _read_input(data: bytes | IO[bytes] | Any) -> bytes:
    if isinstance(data, bytes | bytearray | memoryview):
        raw = bytes(data)
    else:
        size = getattr(data, "size", None)
        if size is not None and size > MAX_FILE_BYTES:
            raise _Refused(_too_big(size))
        if hasattr(data, "seek"):
            data.seek(0)
        raw = data.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise _Refused(_too_big(len(raw)))
    return raw


def _too_big(size: int) -> str:
    return gettext("The file is %(size)s MB; the limit is %(limit)s MB.") % {
        "size": round(size / 1024 / 1024, 1),
        "limit": MAX_FILE_BYTES // 1024 // 1024,
    }


def _open_container(raw: bytes) -> tuple[zipfile.ZipFile, _Container]:
    """Check the container before openpyxl sees it; raise _Refused with the reason."""
    if not raw:
        raise _Refused(gettext("The file is empty."))
    if raw.startswith(OLE_MAGIC):
        if ENCRYPTION_STREAM in raw:
            raise _Refused(
                gettext(
                    "The workbook is protected by a password, so it cannot be read. Remove the password "
                    "(File > Info > Protect Workbook) and upload it again."
                )
            )
        raise _Refused(
            gettext(
                "This is an old Excel file (.xls) or another Office document, not an .xlsx workbook. "
                "Open it in Excel and save it as “Excel Workbook (.xlsx)”."
            )
        )
    not_xlsx = gettext("This file is not an Excel workbook (.xlsx). Download the template and fill it in.")
    if not raw.startswith(ZIP_MAGIC):
        raise _Refused(not_xlsx)
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as error:
        raise _Refused(not_xlsx) from error
    bomb = gettext("The file unpacks to far more data than a spreadsheet holds (a “zip bomb”?), so it was not opened.")
    if len(members) > MAX_ZIP_MEMBERS:
        raise _Refused(bomb)
    if sum(member.file_size for member in members) > MAX_UNCOMPRESSED_BYTES:
        raise _Refused(bomb)
    for member in members:
        if member.file_size > RATIO_CHECKED_FROM_BYTES and member.file_size > MAX_COMPRESSION_RATIO * max(
            member.compress_size, 1
        ):
            raise _Refused(bomb)
        if member.flag_bits & 0x1:
            raise _Refused(gettext("The file is encrypted, so it cannot be read. Remove the password first."))
    names = {member.filename for member in members}
    content_types = _member_bytes(archive, "[Content_Types].xml") if "[Content_Types].xml" in names else b""
    if any(name.lower().endswith("vbaproject.bin") for name in names) or b"macroenabled" in content_types.lower():
        raise _Refused(
            gettext(
                "The workbook contains macros (.xlsm). Macros are not accepted: save it as "
                "“Excel Workbook (.xlsx)” and upload it again."
            )
        )
    if "xl/workbook.bin" in names:
        raise _Refused(gettext("This is a binary Excel workbook (.xlsb). Save it as “Excel Workbook (.xlsx)”."))
    if "xl/workbook.xml" not in names:
        raise _Refused(not_xlsx)
    for member in members:
        if member.filename.endswith((".xml", ".rels")) and _declares_entities(archive, member.filename):
            raise _unreadable(DefusedXmlException())
    try:
        container = _Container(sheets=_sheet_members(archive), properties=_custom_properties(archive, names))
    except (DefusedXmlException, SyntaxError, KeyError, ValueError) as error:
        raise _Refused(not_xlsx) from error
    return archive, container


def _member_bytes(archive: zipfile.ZipFile, name: str) -> bytes:
    with archive.open(name) as stream:
        return stream.read()


def _declares_entities(archive: zipfile.ZipFile, name: str) -> bool:
    with archive.open(name) as stream:
        head = stream.read(XML_HEAD_BYTES)
    return b"<!DOCTYPE" in head or b"<!ENTITY" in head


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _sheet_members(archive: zipfile.ZipFile) -> dict[str, str]:
    workbook = defused_fromstring(_member_bytes(archive, "xl/workbook.xml"))
    rels = defused_fromstring(_member_bytes(archive, "xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels if _local(rel.tag) == "Relationship"}
    members = {}
    for element in workbook.iter():
        if _local(element.tag) != "sheet":
            continue
        rel_id = next((value for key, value in element.attrib.items() if _local(key) == "id"), None)
        target = targets.get(rel_id, "")
        target = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        members[element.get("name", "")] = target
    return members


def _custom_properties(archive: zipfile.ZipFile, names: set[str]) -> dict[str, str]:
    if "docProps/custom.xml" not in names:
        return {}
    root = defused_fromstring(_member_bytes(archive, "docProps/custom.xml"))
    found = {}
    for prop in root:
        if _local(prop.tag) == "property":
            found[prop.get("name", "")] = "".join(child.text or "" for child in prop)
    return found


_HIDDEN_ROW = re.compile(rb'<(?:\w+:)?row\b[^>]*?\bhidden="(?:1|true)"[^>]*>')
_ROW_NUMBER = re.compile(rb'\br="(\d+)"')
_MERGED = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Za-z$]+\d+(?::[A-Za-z$]+\d+)?)"')


def _scan_sheet(archive: zipfile.ZipFile, member: str) -> tuple[set[int], list[str]]:
    """Hidden rows and merged ranges of a sheet, from its XML streamed in chunks (read-only
    openpyxl exposes neither). Chunks are cut after a '>' so no tag is ever split."""
    hidden: set[int] = set()
    merged: list[str] = []
    tail = b""
    with archive.open(member) as stream:
        while True:
            chunk = stream.read(SCAN_CHUNK_BYTES)
            if not chunk:
                break
            buffer = tail + chunk
            cut = buffer.rfind(b">") + 1
            for match in _HIDDEN_ROW.finditer(buffer, 0, cut):
                number = _ROW_NUMBER.search(match.group(0))
                hidden.add(int(number.group(1)) if number else 0)
            merged.extend(match.group(1).decode("ascii") for match in _MERGED.finditer(buffer, 0, cut))
            tail = buffer[cut:]
    return hidden, merged


# ---------------------------------------------------------------------------- parsing


def parse_workbook(
    data: bytes | IO[bytes] | Any, *, state: State, year: int, row_sink: RowSink | None = None
) -> ImportResult:
    """Read a filled template for `state`'s annual report on `year`.

    Returns the contents (None when there is any error) and every issue found, each naming its
    sheet, row and column where it applies. Never raises for a bad file.

    With `row_sink`, the valid rows are not kept: they are handed to `row_sink(direction, rows)`
    a batch at a time (SINK_BATCH rows), as they are read, and the forms of the contents come
    back without rows. Memory then holds one batch, whatever the size of the file (the upload's
    check and the confirmed import use this; rows before an error may have been handed already,
    so the caller writes them in a transaction it rolls back when the result has errors).
    """
    issues = _Issues()
    forms: list[FormSummary] = []
    try:
        contents = _parse(data, state, year, issues, forms, row_sink)
    except _Refused as refused:
        issues.items.insert(0, refused.issue)
        issues.error_count += 1
        contents = None
    if issues.error_count:
        contents = None
    return ImportResult(contents=contents, issues=issues.items, forms=forms, issues_left_out=issues.left_out)


def _parse(
    data: Any, state: State, year: int, issues: _Issues, forms: list[FormSummary], row_sink: RowSink | None
) -> AnnualReportContents | None:
    raw = _read_input(data)
    archive, container = _open_container(raw)
    with archive:
        aliases = _aliases()
        by_key: dict[str, str] = {}
        for name in container.sheets:
            key = aliases["sheets"].get(normalise(name))
            if key and key not in by_key:
                by_key[key] = name
        missing = [key for key in REQUIRED_SHEETS if key not in by_key]
        for key in missing:
            issues.error(
                gettext("The sheet “%(sheet)s” is missing or was renamed. The workbook has: %(sheets)s.")
                % {"sheet": SHEETS[key], "sheets": ", ".join(f"“{name}”" for name in container.sheets)},
                sheet=str(SHEETS[key]),
            )
        scans = {
            key: _scan_sheet(archive, container.sheets[by_key[key]]) for key in ("exports", "imports") if key in by_key
        }
    reference = reference_data()
    _check_marker(container.properties, state, year, issues)
    contents = AnnualReportContents()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl's warnings are about features we do not use
        try:
            workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=False, keep_links=False)
        except Exception as error:  # noqa: BLE001 - openpyxl raises anything on a damaged file
            raise _unreadable(error) from error
        try:
            if "title" in by_key:
                _parse_title(workbook[by_key["title"]], by_key["title"], state, year, reference, contents, issues)
            for key in ("exports", "imports"):
                summary = FormSummary(direction=key, label=str(Direction(key).label))
                forms.append(summary)
                if key in by_key:
                    hidden, merged = scans[key]
                    form = _parse_form(
                        workbook[by_key[key]],
                        by_key[key],
                        key,
                        state,
                        reference,
                        hidden,
                        merged,
                        issues,
                        summary,
                        row_sink,
                    )
                    if form is not None:
                        contents.forms[key] = form
            if "definitions" in by_key:
                contents.national_definitions = _parse_definitions(
                    workbook[by_key["definitions"]], by_key["definitions"], issues
                )
        except _Refused:
            raise
        except Exception as error:  # noqa: BLE001 - a damaged sheet must give a message, never a 500
            raise _unreadable(error) from error
        finally:
            workbook.close()
    return contents


def _unreadable(error: BaseException) -> _Refused:
    """The message for an exception of openpyxl (which wraps defusedxml's refusals in ValueError)."""
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, DefusedXmlException):
            return _Refused(
                gettext(
                    "The file contains XML entity declarations (DOCTYPE or ENTITY) that a spreadsheet never "
                    "needs; they can be used to attack the server, so the file was refused."
                )
            )
        cause = cause.__cause__ or cause.__context__
    return _Refused(
        gettext("The workbook could not be read (%(reason)s). Save it again as .xlsx and retry.")
        % {"reason": type(error).__name__}
    )


def _check_marker(properties: dict[str, str], state: State, year: int, issues: _Issues) -> None:
    version = properties.get(PROPERTY_VERSION)
    if version is None:
        issues.warning(
            gettext(
                "This file was not made from the platform's template (or its properties were removed); "
                "it is checked by its title page only."
            )
        )
        return
    if version not in KNOWN_TEMPLATE_VERSIONS:
        issues.error(
            gettext("This template version (%(version)s) is not known here: download the template again.")
            % {"version": version}
        )
        return
    marked_state, marked_year = properties.get(PROPERTY_STATE, ""), properties.get(PROPERTY_YEAR, "")
    if marked_state != state.iso3 or marked_year != str(year):
        issues.warning(
            gettext(
                "This file was made as the template of %(marked_state)s for %(marked_year)s; it is imported "
                "as the report of %(state)s on %(year)s, as its title page must say."
            )
            % {"marked_state": marked_state, "marked_year": marked_year, "state": state.iso3, "year": year}
        )


def _rows(sheet: Any) -> Iterable[tuple[int, tuple]]:
    sheet.reset_dimensions()  # a wrong <dimension> must not make openpyxl drop rows
    return enumerate(sheet.iter_rows(values_only=True), start=1)


def _cell(values: tuple, index: int) -> Any:
    return values[index] if index < len(values) else None


def _parse_title(
    sheet: Any,
    sheet_name: str,
    state: State,
    year: int,
    reference: _Reference,
    contents: AnnualReportContents,
    issues: _Issues,
) -> None:
    labels = _aliases()["title"]
    found: dict[str, tuple[int, Any]] = {}
    for row, values in _rows(sheet):
        if row > MAX_LABEL_ROWS:
            break
        key = labels.get(normalise(_text(_cell(values, 0)))) if values else None
        if key and key not in found:
            found[key] = (row, _cell(values, 1))
    for key, label in TITLE_FIELDS.items():
        if key not in found:
            issues.error(
                gettext("The label “%(label)s” is missing from column A (was it renamed or deleted?).")
                % {"label": label},
                sheet=sheet_name,
                column="A",
            )
    for key, (row, value) in found.items():
        where = {"sheet": sheet_name, "row": row, "column": "B"}
        if _is_formula(value):
            issues.error(gettext("This cell holds a formula: type the value instead."), **where)
            continue
        if key == "state":
            named, problem = reference.state(value) if not _is_blank(value) else (None, "")
            if _is_blank(value):
                issues.error(gettext("The reporting State is missing."), **where)
            elif named is None:
                issues.error(problem, **where)
            elif named.pk != state.pk:
                issues.error(
                    gettext("The title page is for %(found)s, but you are uploading the report of %(state)s.")
                    % {"found": named.name, "state": state.name},
                    **where,
                )
        elif key == "year":
            text = _text(value)
            if not text.isdigit() or int(text) != year:
                issues.error(
                    gettext(
                        "The title page says the year covered is “%(found)s”, but you are uploading the report "
                        "on %(year)s."
                    )
                    % {"found": text, "year": year},
                    **where,
                )
        elif key in ("authority", "contact"):
            text = _text(value)
            if len(text) > MAX_TEXT:
                issues.error(gettext("At most %(limit)s characters.") % {"limit": MAX_TEXT}, **where)
            setattr(contents, key, text)
            if key == "authority" and not text:
                issues.warning(gettext("The national authority is needed before the report can be submitted."), **where)
        elif key == "report_date":
            contents.report_date = _date(value, issues, where)
        else:
            answer = _yes_no(value) if not _is_blank(value) else False
            if answer is None:
                issues.error(gettext("Answer Yes or No (found “%(value)s”).") % {"value": _text(value)}, **where)
            else:
                setattr(contents, key, answer)


def _date(value: Any, issues: _Issues, where: dict[str, Any]) -> dt.date | None:
    if _is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(_text(value))
    except ValueError:
        issues.error(
            gettext("“%(value)s” is not a date: type it as 2025-05-31 or use a date cell.") % {"value": _text(value)},
            **where,
        )
        return None


def _parse_form(
    sheet: Any,
    sheet_name: str,
    direction: str,
    state: State,
    reference: _Reference,
    hidden: set[int],
    merged: list[str],
    issues: _Issues,
    summary: FormSummary,
    row_sink: RowSink | None = None,
) -> FormContents | None:
    aliases = _aliases()
    labels, header_aliases = aliases["form"], aliases["headers"]
    answers: dict[str, tuple[int, Any]] = {}
    header_row = 0
    columns: dict[str, int] = {}
    rows: list[RowContents] = []
    duplicates = _Duplicates()
    broken = False
    letters: dict[str, str] = {}
    for row, values in _rows(sheet):
        if not header_row:
            if row > MAX_LABEL_ROWS:
                break
            if not values:
                continue
            key = labels.get(normalise(_text(values[0])))
            if key and key not in answers:
                answers[key] = (row, _cell(values, 1))
                continue
            matched = {index: header_aliases.get(normalise(_text(value))) for index, value in enumerate(values)}
            if sum(1 for key in matched.values() if key) >= 3:
                header_row = row
                columns = _check_headers(values, matched, sheet_name, row, issues)
                if len(columns) < len(COLUMNS):
                    broken = True
                letters = {key: get_column_letter(index + 1) for key, index in columns.items()}
            continue
        if all(_is_blank(value) for value in values):
            continue
        if row in hidden or 0 in hidden:
            issues.error(
                gettext("This row of the table is hidden: unhide it, or delete it if it should not be reported."),
                sheet=sheet_name,
                row=row,
            )
        if broken:
            summary.rows += 1
            continue
        parsed = _parse_row(values, row, columns, letters, sheet_name, state, reference, issues)
        summary.rows += 1
        if parsed is None:
            continue
        first = duplicates.earlier(parsed, row, None if row_sink else rows)
        if first is not None:
            issues.warning(
                gettext("This row repeats row %(row)s exactly. Is it reported twice?") % {"row": first},
                sheet=sheet_name,
                row=row,
            )
        rows.append(parsed)
        if row_sink is not None and len(rows) >= SINK_BATCH:
            if not issues.error_count:
                row_sink(direction, rows)
            rows = []
    if row_sink is not None:
        if rows and not issues.error_count:
            row_sink(direction, rows)
        rows = []

    if not header_row:
        issues.error(
            gettext("The header row of the table is missing or was renamed (expected: %(headers)s).")
            % {"headers": ", ".join(f"“{text}”" for text in _headers_for(direction))},
            sheet=sheet_name,
        )
    for key, label in FORM_FIELDS.items():
        if key not in answers:
            issues.error(
                gettext("The label “%(label)s” is missing from column A (was it renamed or deleted?).")
                % {"label": label},
                sheet=sheet_name,
                column="A",
            )
    for ref in merged:
        min_col, min_row, _max_col, max_row = range_boundaries(ref.replace("$", ""))
        if header_row and max_row >= header_row:
            issues.error(
                gettext("Cells %(range)s are merged: unmerge them, each row of the table must stand alone.")
                % {"range": ref},
                sheet=sheet_name,
                row=min_row,
                column=get_column_letter(min_col),
            )

    is_nil = False
    if "nil" in answers:
        row, value = answers["nil"]
        answer = _yes_no(value) if not _is_blank(value) else False
        if answer is None or _is_formula(value):
            issues.error(
                gettext("Answer Yes or No (found “%(value)s”).") % {"value": _text(value)},
                sheet=sheet_name,
                row=row,
                column="B",
            )
        else:
            is_nil = answer
        if is_nil and summary.rows:
            issues.error(
                gettext(
                    "This form is marked as a nil report but its table has %(count)s rows: answer No, or "
                    "delete the rows."
                )
                % {"count": summary.rows},
                sheet=sheet_name,
                row=row,
                column="B",
            )
    visibility = Visibility.RESTRICTED
    if "public" in answers:
        row, value = answers["public"]
        answer = _yes_no(value) if not _is_blank(value) else None
        if _is_blank(value):
            issues.warning(
                gettext("Not answered: the form will be restricted to States Parties."),
                sheet=sheet_name,
                row=row,
                column="B",
            )
        elif answer is None or _is_formula(value):
            issues.error(
                gettext("Answer Yes or No (found “%(value)s”).") % {"value": _text(value)},
                sheet=sheet_name,
                row=row,
                column="B",
            )
        elif answer:
            visibility = Visibility.PUBLIC
    summary.is_nil, summary.visibility = is_nil, str(visibility)
    if not is_nil and not summary.rows:
        issues.warning(
            gettext(
                "This form has no rows and is not marked as a nil report: it is left out of the draft "
                "(answer Yes to “Nil report” if there is nothing to report)."
            ),
            sheet=sheet_name,
        )
        return None
    summary.included = True
    return FormContents(is_nil=is_nil, visibility=str(visibility), rows=rows)


def _headers_for(direction: str) -> list[str]:
    return [str(PARTNER_HEADERS[direction]) if key == "partner" else str(text) for key, text in COLUMNS.items()]


def _check_headers(
    values: tuple, matched: dict[int, str | None], sheet_name: str, row: int, issues: _Issues
) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, key in matched.items():
        if key is None:
            if not _is_blank(values[index]):
                issues.warning(
                    gettext("The column “%(header)s” is not part of the template: its contents are ignored.")
                    % {"header": _text(values[index])},
                    sheet=sheet_name,
                    row=row,
                    column=get_column_letter(index + 1),
                )
            continue
        if key in columns:
            issues.error(
                gettext("The column “%(header)s” appears twice.") % {"header": _text(values[index])},
                sheet=sheet_name,
                row=row,
                column=get_column_letter(index + 1),
            )
            continue
        columns[key] = index
    for position, (key, text) in enumerate(COLUMNS.items()):
        if key in columns:
            continue
        found = _text(_cell(values, position))
        if found and matched.get(position) is None:
            message = gettext("The header “%(found)s” is not the template's: expected “%(expected)s”.") % {
                "found": found,
                "expected": text,
            }
        else:
            message = gettext("The column “%(expected)s” is missing.") % {"expected": text}
        issues.error(message, sheet=sheet_name, row=row, column=get_column_letter(position + 1))
    return columns


class _Duplicates:
    """Finds rows that repeat an earlier row exactly, in little memory (a dict of 10,000 row keys
    would cost a third of openpyxl's whole pass): a bitmap of row hashes says which rows may
    repeat one; only those are looked up, by a C-level scan of the array of hashes. The bitmap
    doubles as rows come, so that at most one row in sixteen is looked up for nothing."""

    def __init__(self) -> None:
        self.bits = 1 << 16
        self.bitmap = bytearray(self.bits // 8)
        self.hashes = array("q")
        self.row_numbers = array("i")

    def _mark(self, digest: int) -> bool:
        """Set the bit of `digest`; True if it was set already."""
        bit = digest & (self.bits - 1)
        byte, mask = bit >> 3, 1 << (bit & 7)
        was_set = bool(self.bitmap[byte] & mask)
        self.bitmap[byte] |= mask
        return was_set

    def earlier(self, parsed: RowContents, row: int, rows: list[RowContents] | None) -> int | None:
        """The sheet row of an earlier identical row, or None; remembers this one (call it once
        per row, in the order of `rows`, before appending `parsed` to them). Without `rows` (they
        were handed on), equal 64-bit hashes of the row's values count as a repeat: two different
        rows among 10,000 share one with a chance of about 3 in a trillion, and it is a warning."""
        key = _row_key(parsed)
        digest = hash(key)
        found = None
        if self._mark(digest):
            start = 0
            while found is None:
                try:
                    index = self.hashes.index(digest, start)
                except ValueError:
                    break
                if rows is None or _row_key(rows[index]) == key:
                    found = self.row_numbers[index]
                start = index + 1
        self.hashes.append(digest)
        self.row_numbers.append(row)
        if len(self.hashes) * 16 > self.bits:
            self.bits *= 2
            self.bitmap = bytearray(self.bits // 8)
            for earlier in self.hashes:
                self._mark(earlier)
        return found


def _row_key(row: RowContents) -> tuple:
    return (
        row.category.pk,
        row.partner.pk,
        row.origin.pk if row.origin else None,
        row.intermediate_location,
        row.items,
        row.value,
        row.currency,
        row.basis,
        row.description,
        row.comments,
    )


def _parse_row(
    values: tuple,
    row: int,
    columns: dict[str, int],
    letters: dict[str, str],
    sheet_name: str,
    state: State,
    reference: _Reference,
    issues: _Issues,
) -> RowContents | None:
    errors_before = issues.error_count
    cells = {key: _cell(values, index) for key, index in columns.items()}

    def error(key: str, message: str) -> None:
        issues.error(message, sheet=sheet_name, row=row, column=letters[key])

    for key, value in cells.items():
        if _is_formula(value):
            error(key, gettext("This cell holds a formula: type the value instead."))
            cells[key] = None
    if issues.error_count > errors_before:
        return None

    category = None
    if _is_blank(cells["category"]):
        error("category", gettext("Give the category."))
    else:
        category = reference.category(cells["category"])
        if category is None:
            error(
                "category",
                gettext("Unknown category “%(value)s”: choose one from the list (e.g. “I” or “VIII.SA.4”).")
                % {"value": _text(cells["category"])},
            )

    partner = None
    if _is_blank(cells["partner"]):
        error("partner", gettext("Give the partner State."))
    else:
        partner, problem = reference.state(cells["partner"])
        if partner is None:
            error("partner", problem)
        elif partner.pk == state.pk:
            issues.warning(
                gettext("The partner State is the reporting State itself."),
                sheet=sheet_name,
                row=row,
                column=letters["partner"],
            )
    origin = None
    if not _is_blank(cells["origin"]):
        origin, problem = reference.state(cells["origin"])
        if origin is None:
            error("origin", problem)

    intermediate = _text(cells["intermediate"])
    if len(intermediate) > MAX_TEXT:
        error("intermediate", gettext("At most %(limit)s characters.") % {"limit": MAX_TEXT})

    items = _items(cells["items"], error)
    value = _amount(cells["value"], error, issues, sheet_name, row, letters["value"])
    typed_currency = _text(cells["currency"]).upper()
    currency = reference.currencies.get(typed_currency, typed_currency)
    if value is not None:
        if not currency:
            error("currency", gettext("A value needs its currency: give the ISO 4217 code (e.g. USD)."))
        elif currency not in reference.currencies:
            error(
                "currency",
                gettext("Unknown currency “%(value)s”: give an ISO 4217 code (e.g. USD, EUR).")
                % {"value": _text(cells["currency"])},
            )
    elif currency:
        issues.warning(
            gettext("A currency without a value is ignored."), sheet=sheet_name, row=row, column=letters["currency"]
        )
        currency = ""
    if _is_blank(cells["items"]) and _is_blank(cells["value"]):
        error("items", gettext("Give the number of items, the value, or both."))

    basis = None
    if _is_blank(cells["basis"]):
        error("basis", gettext("Say whether the transfer was authorised or actual."))
    else:
        basis = _aliases()["basis"].get(normalise(_text(cells["basis"])))
        if basis is None:
            error(
                "basis",
                gettext("“%(value)s” is neither “%(authorised)s” nor “%(actual)s”.")
                % {"value": _text(cells["basis"]), "authorised": Basis.AUTHORISED.label, "actual": Basis.ACTUAL.label},
            )

    if issues.error_count > errors_before:
        return None
    return RowContents(
        category=category,  # type: ignore[arg-type]
        partner=partner,  # type: ignore[arg-type]
        basis=basis,  # type: ignore[arg-type]
        items=items,
        value=value,
        currency=currency if value is not None else "",
        origin=origin,
        intermediate_location=intermediate,
        description=_text(cells["description"]),
        comments=_text(cells["comments"]),
    )


def _items(value: Any, error: Any) -> int | None:
    if _is_blank(value):
        return None
    if type(value) is bool:
        error("items", gettext("Type the number of items as a whole number."))
        return None
    if type(value) is str:
        text = value.strip().replace(" ", "").replace("\u00a0", "")
        try:
            value = Decimal(text)
        except InvalidOperation:
            error("items", gettext("“%(value)s” is not a number of items.") % {"value": value.strip()})
            return None
    if type(value) is int:
        number = value
    elif isinstance(value, float | Decimal) and value == int(value):
        number = int(value)
    elif isinstance(value, float | Decimal):
        error("items", gettext("The number of items must be a whole number (found %(value)s).") % {"value": value})
        return None
    else:
        error("items", gettext("“%(value)s” is not a number of items.") % {"value": _text(value)})
        return None
    if number < 0:
        error("items", gettext("The number of items cannot be negative."))
        return None
    if number > MAX_ITEMS:
        error("items", gettext("This number of items is too large."))
        return None
    return number


def _amount(value: Any, error: Any, issues: _Issues, sheet_name: str, row: int, column: str) -> Decimal | None:
    if _is_blank(value):
        return None
    try:
        if type(value) is bool:
            raise InvalidOperation
        if type(value) is float:
            amount = Decimal(repr(value))
        elif type(value) is int:
            amount = Decimal(value)
        else:
            amount = Decimal(_text(value).replace(" ", "").replace("\u00a0", ""))
        if not amount.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        error("value", gettext("“%(value)s” is not an amount: type a number.") % {"value": _text(value)})
        return None
    if amount < 0:
        error("value", gettext("The value cannot be negative."))
        return None
    if amount >= MAX_VALUE:
        error("value", gettext("This value is too large."))
        return None
    rounded = amount.quantize(Decimal("0.01"))
    if rounded != amount:
        issues.warning(
            gettext("The value is rounded to two decimals (%(value)s).") % {"value": rounded},
            sheet=sheet_name,
            row=row,
            column=column,
        )
    return rounded


def _parse_definitions(sheet: Any, sheet_name: str, issues: _Issues) -> str:
    skip = _aliases()["definitions"]
    paragraphs = []
    for row, values in _rows(sheet):
        texts = []
        for index, value in enumerate(values):
            if _is_blank(value):
                continue
            if _is_formula(value):
                issues.error(
                    gettext("This cell holds a formula: type the value instead."),
                    sheet=sheet_name,
                    row=row,
                    column=get_column_letter(index + 1),
                )
                continue
            texts.append(_text(value))
        text = " ".join(texts)
        if text and normalise(text) not in skip:
            paragraphs.append(text)
    return "\n".join(paragraphs)


# ---------------------------------------------------------------------------- reads for the upload pages


def open_draft(state: State, year: int) -> ReportVersion | None:
    """The open draft of the State's annual report on `year`, if any."""
    return (
        ReportVersion.objects.filter(
            report__state=state, report__kind=ReportKind.ANNUAL, report__year=year, status=VersionStatus.DRAFT
        )
        .select_related("report")
        .first()
    )


def has_submitted_version(state: State, year: int) -> bool:
    """True when the report was already submitted once (a new version is then an amendment)."""
    return (
        ReportVersion.objects.filter(report__state=state, report__kind=ReportKind.ANNUAL, report__year=year)
        .exclude(status=VersionStatus.DRAFT)
        .exists()
    )

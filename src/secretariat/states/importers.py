"""Reading and checking the registry's reference files before anything is written.

Two file formats:
- a *States* file (`import_states`): one row per State, keyed by `iso3`. It may carry registry
  columns (names, UN standing, regional group, working language) and treaty columns in the format of
  `att_membership.csv` (status, signature_date, instrument, deposit_date, entry_into_force,
  art23_provisional, source, verified). Only the columns present are applied.
- a *UN scale* file (`import_un_scale`): one row per Member State (`member_state`, a UN name or an
  ISO3 code) with one or more `un_rate_YYYY_YYYY_pct` columns, each giving the rate for every year of
  that triennial scale.

Parsing never writes. Every problem is collected with the file's line number, so one run tells the
user everything that is wrong; the services apply a file only when it has no problem at all.

An empty cell means "this source does not know": it never erases a value already in the registry.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pycountry
from django.utils import timezone

from .models import (
    PARTIAL_DATE_PATTERN,
    TREATY_OPENED_FOR_SIGNATURE,
    Declaration,
    Instrument,
    PartialDate,
    RecordedStatus,
    Region,
    State,
    UNStanding,
    WorkingLanguage,
    entry_into_force_for_deposit,
)

MAX_FILE_BYTES = 5 * 1024 * 1024
SCALE_COLUMN = re.compile(r"^un_rate_(\d{4})_(\d{4})_pct$")
SCALE_SUM_TOLERANCE = Decimal("0.01")

REGISTRY_COLUMNS = {"iso2", "iso_numeric", "name_en", "name_fr", "name_es", "name_zh", "un_standing", "region"}
REGISTRY_COLUMNS |= {"working_language", "names_source"}
TREATY_COLUMNS = {
    "name",
    "status",
    "signature_date",
    "instrument",
    "deposit_date",
    "entry_into_force",
    "art23_provisional",
    "source",
    "verified",
}
STATE_COLUMNS = {"iso3"} | REGISTRY_COLUMNS | TREATY_COLUMNS


@dataclass(frozen=True)
class Problem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class ImportRejected(Exception):
    """The file has problems; nothing was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


@dataclass
class StateRow:
    line: int
    iso3: str
    values: dict[str, Any] = field(default_factory=dict)  # model field -> value to set


@dataclass
class ScaleRow:
    line: int
    state_id: int
    rates: dict[int, Decimal]  # year -> percent


@dataclass
class ParsedFile:
    name: str
    sha256: str
    rows: list[Any]


def read_text(path: Path) -> tuple[str, str]:
    """The file's text (UTF-8, with or without BOM) and its SHA-256, or ImportRejected."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ImportRejected([Problem(0, f"cannot read the file: {exc.strerror}")]) from exc
    if size > MAX_FILE_BYTES:
        raise ImportRejected([Problem(0, f"the file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}")])
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRejected([Problem(0, "the file is not UTF-8 text (save it as CSV UTF-8)")]) from exc
    if not text.strip():
        raise ImportRejected([Problem(1, "the file is empty")])
    return text, hashlib.sha256(raw).hexdigest()


def _rows(text: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header and (line number, cells) for each row; a row with too many cells is marked."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip() for name in (reader.fieldnames or [])]
    reader.fieldnames = header
    rows = []
    for record in reader:
        if None in record:
            rows.append((reader.line_num, {"__extra__": "1"}))
        else:
            rows.append((reader.line_num, {key: (value or "").strip() for key, value in record.items()}))
    return header, rows


def parse_date(value: str) -> tuple[dt.date | None, str]:
    """(day, "") for YYYY-MM-DD, (None, "YYYY-MM"/"YYYY") for a partial date, (None, "") if empty."""
    if not value:
        return None, ""
    if re.fullmatch(PARTIAL_DATE_PATTERN, value):
        return None, value
    try:
        return dt.date.fromisoformat(value), ""
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a date (YYYY-MM-DD, or YYYY-MM / YYYY if only that is known)") from exc


def _check_treaty_date(label: str, day: dt.date | None, partial: str, today: dt.date) -> str | None:
    when = PartialDate(day, partial)
    if not when.known:
        return None
    if when.earliest > today:
        return f"{label} {when} is in the future"
    if when.latest < TREATY_OPENED_FOR_SIGNATURE:
        return f"{label} {when} is before the Treaty opened for signature (2013-06-03)"
    return None


def parse_states_file(path: Path, *, today: dt.date | None = None) -> ParsedFile:
    text, sha256 = read_text(path)
    header, records = _rows(text)
    today = today or timezone.localdate()
    problems: list[Problem] = []
    if "iso3" not in header:
        raise ImportRejected([Problem(1, "the column 'iso3' is missing")])
    unknown = [name for name in header if name not in STATE_COLUMNS]
    if unknown:
        problems.append(Problem(1, f"unknown column(s): {', '.join(unknown)}"))
    if len(set(header)) != len(header):
        problems.append(Problem(1, "a column name appears twice"))
    existing = {state.iso3: state for state in State.objects.all()}
    seen: dict[str, int] = {}
    rows: list[StateRow] = []
    for line, record in records:
        if "__extra__" in record:
            problems.append(Problem(line, "the row has more cells than the header has columns"))
            continue
        if not any(record.values()):
            continue  # blank line
        row_problems: list[str] = []
        iso3 = record.get("iso3", "").upper()
        country = pycountry.countries.get(alpha_3=iso3) if re.fullmatch(r"[A-Z]{3}", iso3) else None
        if iso3 in seen:
            row_problems.append(f"{iso3} appears again (first on line {seen[iso3]})")
        elif country is None and iso3 not in existing:
            row_problems.append(f"{iso3 or '(empty)'} is not an ISO 3166 alpha-3 code")
        seen.setdefault(iso3, line)
        values: dict[str, Any] = {}
        _parse_registry_columns(record, country, iso3 in existing, values, row_problems)
        _parse_treaty_columns(record, today, values, row_problems)
        for message in row_problems:
            problems.append(Problem(line, message))
        rows.append(StateRow(line, iso3, values))
    if not rows and not problems:
        problems.append(Problem(2, "the file has a header but no rows"))
    if problems:
        raise ImportRejected(problems)
    return ParsedFile(path.name, sha256, rows)


def _choice(record: dict[str, str], column: str, choices: type, problems: list[str]) -> str | None:
    value = record.get(column, "")
    if not value:
        return None
    if value not in choices.values:
        problems.append(f"{column} {value!r} is not one of: {', '.join(v for v in choices.values if v)}")
        return None
    return value


def _parse_registry_columns(
    record: dict[str, str], country: Any, exists: bool, values: dict[str, Any], problems: list[str]
) -> None:
    for column in ("name_en", "name_fr", "name_es", "name_zh"):
        if record.get(column):
            values[column] = record[column]
    if not exists:
        # A new State takes its codes from ISO 3166 and needs a name in every language column.
        if country is not None:
            values.setdefault("iso2", country.alpha_2)
            values.setdefault("iso_numeric", country.numeric)
        english = values.get("name_en") or record.get("name") or (country.name if country else "")
        values["name_en"] = english
        for column in ("name_fr", "name_es", "name_zh"):
            values.setdefault(column, english)
        values.setdefault("un_standing", UNStanding.NON_MEMBER)
    for column in ("iso2", "iso_numeric"):
        if record.get(column):
            expected = getattr(country, "alpha_2" if column == "iso2" else "numeric", None)
            if expected and record[column] != expected:
                problems.append(f"{column} {record[column]!r} does not match ISO 3166 ({expected})")
            values[column] = record[column]
    for column, choices in (
        ("un_standing", UNStanding),
        ("region", Region),
        ("working_language", WorkingLanguage),
    ):
        value = _choice(record, column, choices, problems)
        if value is not None:
            values[column] = value


def _parse_treaty_columns(record: dict[str, str], today: dt.date, values: dict[str, Any], problems: list[str]) -> None:
    dates: dict[str, tuple[dt.date | None, str]] = {}
    for column, model_field in (("signature_date", "signature"), ("deposit_date", "deposit")):
        try:
            day, partial = parse_date(record.get(column, ""))
        except ValueError as exc:
            problems.append(f"{column}: {exc}")
            continue
        message = _check_treaty_date(column, day, partial, today)
        if message:
            problems.append(message)
            continue
        dates[model_field] = (day, partial)
        if day:
            values[f"{model_field}_date"] = day
            values[f"{model_field}_date_partial"] = ""
        elif partial:
            values[f"{model_field}_date"] = None
            values[f"{model_field}_date_partial"] = partial
    signature = dates.get("signature", (None, ""))[0]
    deposit = dates.get("deposit", (None, ""))[0]
    if signature and deposit and deposit < signature:
        problems.append(f"deposit_date {deposit} is before signature_date {signature}")

    status = record.get("status", "")
    if status:
        if status not in ("party", "signatory"):
            problems.append(f"status {status!r} is not one of: party, signatory")
        else:
            values["recorded_status"] = RecordedStatus(status)
            if status == "signatory" and (deposit or dates.get("deposit", (None, ""))[1]):
                problems.append("status is 'signatory' but a deposit date is given")
    instrument = _choice(record, "instrument", Instrument, problems)
    if instrument is not None:
        values["instrument"] = instrument
    if instrument == Instrument.ACCESSION and signature:
        problems.append("an accession is for States that did not sign, but a signature date is given")

    eif = record.get("entry_into_force", "")
    if eif:
        try:
            given = dt.date.fromisoformat(eif)
        except ValueError:
            problems.append(f"entry_into_force {eif!r} is not a date (YYYY-MM-DD)")
        else:
            if deposit is None:
                problems.append(f"entry_into_force {given} is given but the deposit date is not known")
            elif given != entry_into_force_for_deposit(deposit):
                problems.append(
                    f"entry_into_force {given} does not match the Treaty's rule "
                    f"({entry_into_force_for_deposit(deposit)} for a deposit on {deposit})"
                )

    art23 = record.get("art23_provisional", "")
    if art23 == "no":
        values["art23_declaration"] = Declaration.NO
        values["art23_date"] = None
    elif art23 and art23 != "unknown":
        try:
            values["art23_date"] = dt.date.fromisoformat(art23)
            values["art23_declaration"] = Declaration.YES
        except ValueError:
            problems.append(f"art23_provisional {art23!r} must be a date (YYYY-MM-DD), 'no' or 'unknown'")
    if record.get("source"):
        values["treaty_source"] = record["source"]
    if record.get("verified"):
        values["treaty_verified"] = record["verified"][:20]


def _state_lookup() -> dict[str, int]:
    lookup: dict[str, int] = {}
    for state_id, iso3, name in State.objects.values_list("id", "iso3", "name_en"):
        lookup[iso3.casefold()] = state_id
        lookup[name.casefold()] = state_id
    return lookup


def parse_scale_file(path: Path) -> ParsedFile:
    text, sha256 = read_text(path)
    header, records = _rows(text)
    problems: list[Problem] = []
    state_column = next((name for name in ("member_state", "iso3", "state") if name in header), None)
    if state_column is None:
        raise ImportRejected([Problem(1, "a column 'member_state' (UN name or ISO3 code) is required")])
    scales: dict[str, range] = {}
    for name in header:
        match = SCALE_COLUMN.match(name)
        if match:
            first, last = int(match[1]), int(match[2])
            if not 1946 <= first <= last <= 2200:
                problems.append(Problem(1, f"column {name}: {first}-{last} is not a period of years"))
            else:
                scales[name] = range(first, last + 1)
    if not scales:
        raise ImportRejected([Problem(1, "no rate column: name it un_rate_YYYY_YYYY_pct, e.g. un_rate_2028_2030_pct")])
    lookup = _state_lookup()
    seen: dict[int, int] = {}
    rows: list[ScaleRow] = []
    totals = dict.fromkeys(scales, Decimal(0))
    for line, record in records:
        if "__extra__" in record:
            problems.append(Problem(line, "the row has more cells than the header has columns"))
            continue
        if not any(record.values()):
            continue
        who = record.get(state_column, "")
        state_id = lookup.get(who.casefold())
        if state_id is None:
            problems.append(Problem(line, f"{who or '(empty)'} is not a State in the registry"))
            continue
        if state_id in seen:
            problems.append(Problem(line, f"{who} appears again (first on line {seen[state_id]})"))
            continue
        seen[state_id] = line
        rates: dict[int, Decimal] = {}
        for column, years in scales.items():
            raw = record.get(column, "")
            if not raw:
                continue  # not assessed in that period (e.g. not yet a Member State)
            try:
                rate = Decimal(raw)
            except InvalidOperation:
                problems.append(Problem(line, f"{column} {raw!r} is not a number"))
                continue
            if not rate.is_finite() or rate < 0 or rate > 100:
                problems.append(Problem(line, f"{column} {raw} must be a percentage between 0 and 100"))
                continue
            if rate.as_tuple().exponent < -5:
                problems.append(Problem(line, f"{column} {raw} has more than 5 decimal places"))
                continue
            totals[column] += rate
            for year in years:
                rates[year] = rate
        rows.append(ScaleRow(line, state_id, rates))
    if not problems:
        for column, total in totals.items():
            if abs(total - 100) > SCALE_SUM_TOLERANCE:
                problems.append(Problem(1, f"the rates in {column} add up to {total}%, not 100%"))
    if problems:
        raise ImportRejected(problems)
    return ParsedFile(path.name, sha256, rows)

"""Payments imported from a bank statement (CSV), into the General Budget.

The layout (documented on the upload page, with a sample file): a header row naming the columns
`date, amount, currency, bank_reference, payer, details` (any order; an optional `state` column
may give the paying State's ISO3 code; other columns are ignored), then one row per credit on the
account. UTF-8 text, comma or semicolon separated, at most 5 MB. Rows are numbered as in a
spreadsheet: the header is row 1.

Each row is matched to a State: the `state` column if given; else an invoice number quoted in the
details or the payer (all numbers quoted must be of one State); else the payer's name against the
State names in every language, or the payer being exactly an ISO3 code. A row matched to no State,
or to several, is shown for staff to assign; nothing is guessed.

Two steps. `statement_check` reads the file and says what would happen, row by row (State,
allocations oldest first after any invoice the row quotes, credit left) and writes nothing.
`statement_import` does it in ONE transaction through `payment_record(statement=…)`. The same file
(SHA-256) is never imported twice; a row whose bank reference is already recorded is skipped and
named. Any bad input refuses the whole file with a message naming the row and column.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from secretariat.states.models import State

from ..ledger import ZERO, cents
from ..models import BankStatement, Fund, Invoice, Payment
from ..models.common import MONEY_DIGITS
from ..selectors.receivables import invoices_with_figures
from .payments import allocation_make, payment_record

MAX_BYTES = 5 * 1024 * 1024
MAX_ERRORS_SHOWN = 50
REQUIRED_COLUMNS = ("date", "amount", "currency", "bank_reference", "payer", "details")
OPTIONAL_COLUMNS = ("state",)
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y")
LEAVE_OUT = "-"  # what staff choose for a row they will record by hand instead

_BINARY_SIGNATURES = (b"%PDF-", b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"\x89PNG", b"\xff\xd8\xff", b"GIF8")
_AMOUNT = re.compile(r"^-?\d+(\.\d+)?$")
_GROUPED_AMOUNT = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")
_INVOICE_NUMBER = re.compile(r"(?<![\w-])(\d{4}-\d{4,6})(?![\w-])")


class MatchedBy:
    COLUMN = "column"
    INVOICE = "invoice"
    PAYER = "payer"
    STAFF = "staff"
    NONE = ""


@dataclass
class StatementRow:
    number: int  # as in a spreadsheet: the header is row 1
    received_on: dt.date
    amount: Decimal
    currency: str
    bank_reference: str
    payer: str
    details: str
    state_code: str = ""  # the optional `state` column, as given
    state: State | None = None
    matched_by: str = MatchedBy.NONE
    candidates: list[State] = field(default_factory=list)  # several States matched: staff choose
    quoted_invoices: list[Invoice] = field(default_factory=list)
    known: bool = False  # the bank reference is already recorded: skipped
    left_out: bool = False  # staff chose to record it by hand
    plan: list[tuple[Invoice, Decimal]] = field(default_factory=list)  # proposed allocations
    credit: Decimal = ZERO  # what stays as the State's credit

    @property
    def to_record(self) -> bool:
        return not self.known and not self.left_out and self.state is not None

    @property
    def needs_state(self) -> bool:
        return not self.known and not self.left_out and self.state is None


@dataclass
class StatementCheck:
    sha256: str
    file_name: str
    fund: Fund
    rows: list[StatementRow]

    @property
    def to_record(self) -> list[StatementRow]:
        return [row for row in self.rows if row.to_record]

    @property
    def known(self) -> list[StatementRow]:
        return [row for row in self.rows if row.known]

    @property
    def unmatched(self) -> list[StatementRow]:
        return [row for row in self.rows if row.needs_state]

    @property
    def left_out(self) -> list[StatementRow]:
        return [row for row in self.rows if row.left_out and not row.known]

    @property
    def total(self) -> Decimal:
        return sum((row.amount for row in self.to_record), ZERO)


@dataclass
class ImportResult:
    statement: BankStatement | None
    payments: list[Payment]
    skipped: list[str]  # bank references already recorded
    left_out: list[int]  # row numbers staff left out


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---------------------------------------------------------------------------- reading the file


def _refuse(errors: list[str]) -> ValidationError:
    if len(errors) > MAX_ERRORS_SHOWN:
        more = len(errors) - MAX_ERRORS_SHOWN
        errors = [
            *errors[:MAX_ERRORS_SHOWN],
            ngettext("… and %(count)s more problem.", "… and %(count)s more problems.", more) % {"count": more},
        ]
    return ValidationError(errors)


def _cell_error(row: int, column: str, message: str) -> str:
    return _("Row %(row)s, column %(column)s: %(message)s") % {"row": row, "column": column, "message": message}


def _text(data: bytes) -> str:
    if not data.strip():
        raise ValidationError(_("The file is empty."))
    if data.startswith(_BINARY_SIGNATURES) or b"\x00" in data[:65536]:
        raise ValidationError(_("This is not a CSV file: save the bank statement as CSV (comma-separated values)."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationError(
            _(
                "The file is not UTF-8 text (byte %(position)s cannot be read): save it as “CSV UTF-8” and "
                "upload it again."
            )
            % {"position": error.start + 1}
        ) from error


def _delimiter(first_line: str) -> str:
    counts = {delimiter: first_line.count(delimiter) for delimiter in (",", ";", "\t")}
    return max(counts, key=lambda delimiter: counts[delimiter]) if any(counts.values()) else ","


def _parse_date(value: str, row: int, today: dt.date, errors: list[str]) -> dt.date | None:
    value = value.strip()
    for pattern in DATE_FORMATS:
        try:
            day = dt.datetime.strptime(value, pattern).date()  # noqa: DTZ007 - a calendar date, no time
        except ValueError:
            continue
        if day > today:
            errors.append(_cell_error(row, "date", _("%(day)s is in the future.") % {"day": day.isoformat()}))
            return None
        return day
    errors.append(_cell_error(row, "date", _("“%(value)s” is not a date (write it as YYYY-MM-DD).") % {"value": value}))
    return None


def _parse_amount(value: str, row: int, errors: list[str]) -> Decimal | None:
    text = value.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace("'", "")
    if _GROUPED_AMOUNT.match(text):
        text = text.replace(",", "")
    if not _AMOUNT.match(text):
        errors.append(
            _cell_error(
                row, "amount", _("“%(value)s” is not an amount (write it like 12500.00).") % {"value": value.strip()}
            )
        )
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern already refuses it
        errors.append(_cell_error(row, "amount", _("“%(value)s” is not an amount.") % {"value": value.strip()}))
        return None
    if amount <= 0:
        errors.append(
            _cell_error(
                row,
                "amount",
                _("%(amount)s: only money received (more than zero) can be imported.") % {"amount": amount},
            )
        )
        return None
    if cents(amount) != amount:
        errors.append(_cell_error(row, "amount", _("%(amount)s: amounts are kept to the cent.") % {"amount": amount}))
        return None
    if amount >= Decimal(10) ** (MONEY_DIGITS - 2):
        errors.append(_cell_error(row, "amount", _("%(amount)s is too large.") % {"amount": amount}))
        return None
    return amount


def _read_row(
    number: int,
    cells: list[str],
    position: Mapping[str, int],
    *,
    fund: Fund,
    today: dt.date,
    states: Mapping[str, State],
    errors: list[str],
) -> StatementRow | None:
    """One row of the file, or None (its problems added to `errors`, each naming row and column)."""

    def cell(name: str) -> str:
        index = position.get(name)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    found = len(errors)
    received_on = _parse_date(cell("date"), number, today, errors)
    amount = _parse_amount(cell("amount"), number, errors)
    currency = cell("currency").upper()
    if currency != fund.currency:
        errors.append(
            _cell_error(
                number,
                "currency",
                _(
                    "“%(currency)s”: the statement must be in %(fund_currency)s, the currency of the fund "
                    "(record a payment made in another currency by hand, with its rate)."
                )
                % {"currency": currency, "fund_currency": fund.currency},
            )
        )
    reference = cell("bank_reference")
    if not reference:
        errors.append(_cell_error(number, "bank_reference", _("empty; every payment needs its bank reference.")))
    elif len(reference) > 100:
        errors.append(_cell_error(number, "bank_reference", _("longer than 100 characters.")))
    payer = cell("payer")
    if len(payer) > 300:
        errors.append(_cell_error(number, "payer", _("longer than 300 characters.")))
    state_code = cell("state").upper()
    if state_code and state_code not in states:
        errors.append(_cell_error(number, "state", _("unknown State code “%(code)s”.") % {"code": state_code}))
    if len(errors) > found or received_on is None or amount is None:
        return None
    return StatementRow(
        number=number,
        received_on=received_on,
        amount=amount,
        currency=currency,
        bank_reference=reference,
        payer=payer,
        details=cell("details"),
        state_code=state_code,
        state=states.get(state_code) if state_code else None,
        matched_by=MatchedBy.COLUMN if state_code else MatchedBy.NONE,
    )


def statement_read(data: bytes, *, fund: Fund, today: dt.date | None = None) -> list[StatementRow]:
    """The rows of a statement file, or a ValidationError listing every problem (row and column)."""
    today = today or timezone.localdate()
    if len(data) > MAX_BYTES:
        raise ValidationError(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": round(len(data) / 1024 / 1024, 1), "limit": MAX_BYTES // 1024 // 1024}
        )
    text = _text(data)
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise ValidationError(_("Row 1 is not valid CSV: %(error)s") % {"error": error}) from error
    columns = [" ".join(cell.split()).lower().replace(" ", "_") for cell in header or []]
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise ValidationError(
            _(
                "Missing columns: %(missing)s. The first row must name the columns %(required)s "
                "(and optionally %(optional)s)."
            )
            % {
                "missing": ", ".join(missing),
                "required": ", ".join(REQUIRED_COLUMNS),
                "optional": ", ".join(OPTIONAL_COLUMNS),
            }
        )
    repeated = sorted({name for name in columns if name and columns.count(name) > 1})
    if repeated:
        raise ValidationError(_("Row 1 names these columns twice: %(names)s.") % {"names": ", ".join(repeated)})
    position = {name: columns.index(name) for name in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS) if name in columns}
    states = {state.iso3: state for state in State.objects.all()}
    errors: list[str] = []
    rows: list[StatementRow] = []
    seen_references: dict[str, int] = {}
    number = 1  # each record is one spreadsheet row, whatever line breaks its quoted cells hold
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            errors.append(_("Row %(row)s is not valid CSV: %(error)s") % {"row": number + 1, "error": error})
            break
        number += 1
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(columns):
            errors.append(
                _("Row %(row)s has %(cells)s cells but the header names %(columns)s columns.")
                % {"row": number, "cells": len(cells), "columns": len(columns)}
            )
            continue
        row = _read_row(number, cells, position, fund=fund, today=today, states=states, errors=errors)
        if row is None:
            continue
        if row.bank_reference in seen_references:
            errors.append(
                _cell_error(
                    number,
                    "bank_reference",
                    _("%(reference)s is also on row %(other)s; a bank reference appears once.")
                    % {"reference": row.bank_reference, "other": seen_references[row.bank_reference]},
                )
            )
        seen_references.setdefault(row.bank_reference, number)
        rows.append(row)
    if errors:
        raise _refuse(errors)
    if not rows:
        raise ValidationError(_("The file has no payment rows under its header."))
    return rows


# ---------------------------------------------------------------------------- matching rows to States


def _normalise(text: str) -> str:
    """Lower case, without accents and punctuation, single spaces (Chinese characters are kept)."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
    return " ".join(re.sub(r"[^\w]+", " ", plain).split())


def _state_names(states: Iterable[State]) -> list[tuple[str, State]]:
    """Every State's names in the four languages (and the part before a parenthesis, so that
    "Bolivia (Plurinational State of)" matches "Bolivia"), normalised."""
    names = []
    for state in states:
        for name in {state.name_en, state.name_fr, state.name_es, state.name_zh}:
            if not name:
                continue
            for form in {name, name.split("(", 1)[0]}:
                normalised = _normalise(form)
                if len(normalised) >= 3:
                    names.append((normalised, state))
    return names


def _is_cjk(text: str) -> bool:
    return any("\u3400" <= char <= "\u9fff" for char in text)


def _occurrences(text: str, name: str) -> list[tuple[int, int]]:
    """Where `name` appears in `text` (both normalised): as whole words, or anywhere for a
    Chinese name (Chinese does not separate words with spaces)."""
    if _is_cjk(name):
        return [(found.start(), found.end()) for found in re.finditer(re.escape(name), text)]
    pattern = rf"(?:^|(?<= )){re.escape(name)}(?= |$)"
    return [(found.start(), found.end()) for found in re.finditer(pattern, text)]


def _match_payer(payer: str, states_by_iso3: Mapping[str, State], names: list[tuple[str, State]]) -> list[State]:
    """The States the payer names: exactly an ISO3 code, or State names (whole words). A name
    found inside a longer name found at the same place ("Guinea" in "Papua New Guinea", "Sudan"
    in "South Sudan") does not count. Several States left: all of them (staff choose)."""
    if payer.strip().upper() in states_by_iso3:
        return [states_by_iso3[payer.strip().upper()]]
    text = _normalise(payer)
    spans = [(start, end, state) for name, state in names for start, end in _occurrences(text, name)]
    found: dict[int, State] = {}
    for start, end, state in spans:
        inside_longer = any(
            other_start <= start and end <= other_end and other_end - other_start > end - start
            for other_start, other_end, _other in spans
        )
        if not inside_longer:
            found[state.pk] = state
    return list(found.values())


def _match(rows: list[StatementRow], fund: Fund, assignments: Mapping[int, str]) -> None:
    states = list(State.objects.all())
    by_iso3 = {state.iso3: state for state in states}
    names = _state_names(states)
    quoted_numbers = {number for row in rows for number in _INVOICE_NUMBER.findall(f"{row.details} {row.payer}")}
    invoices = {
        invoice.number: invoice
        for invoice in Invoice.objects.filter(fund=fund, number__in=quoted_numbers).select_related("state")
    }
    errors = []
    for row in rows:
        quoted = [
            invoices[number]
            for number in dict.fromkeys(_INVOICE_NUMBER.findall(f"{row.details} {row.payer}"))
            if number in invoices
        ]
        if row.state is None and quoted:
            quoted_states = {invoice.state_id: invoice.state for invoice in quoted}
            if len(quoted_states) == 1:
                row.state = next(iter(quoted_states.values()))
                row.matched_by = MatchedBy.INVOICE
            else:
                row.candidates = list(quoted_states.values())
        if row.state is None and not row.candidates:
            found = _match_payer(row.payer, by_iso3, names)
            if len(found) == 1:
                row.state, row.matched_by = found[0], MatchedBy.PAYER
            else:
                row.candidates = found
        row.quoted_invoices = [invoice for invoice in quoted if row.state and invoice.state_id == row.state.pk]
        # Staff may leave any row out; they choose the State only of a row matched to none.
        choice = (assignments.get(row.number) or "").strip().upper()
        if choice == LEAVE_OUT:
            row.left_out = True
        elif choice and choice not in by_iso3:
            errors.append(_cell_error(row.number, "state", _("unknown State code “%(code)s”.") % {"code": choice}))
        elif choice and row.state is None:
            row.state, row.matched_by = by_iso3[choice], MatchedBy.STAFF
            row.quoted_invoices = [invoice for invoice in quoted if invoice.state_id == row.state.pk]
    if errors:
        raise _refuse(errors)


def _mark_known(rows: list[StatementRow], fund: Fund) -> None:
    references = [row.bank_reference for row in rows]
    known = set(
        Payment.objects.filter(fund=fund, bank_reference__in=references).values_list("bank_reference", flat=True)
    )
    for row in rows:
        row.known = row.bank_reference in known


def _plan(rows: list[StatementRow], fund: Fund) -> None:
    """What each row will be allocated to: the open invoices it quotes first, then the State's
    oldest open invoices; the rest stays as credit. Rows are taken in the file's order, each
    seeing what the rows before it took (as the import does)."""
    state_ids = {row.state.pk for row in rows if row.to_record}
    invoices = [
        invoice
        for invoice in invoices_with_figures(Invoice.objects.filter(fund=fund, state_id__in=state_ids)).order_by(
            "due_on", "year", "sequence"
        )
        if cents(invoice.open_balance) > 0
    ]
    open_balance = {invoice.pk: cents(invoice.open_balance) for invoice in invoices}
    for row in rows:
        row.plan, row.credit = [], ZERO
        if not row.to_record:
            continue
        left = row.amount
        quoted_ids = [invoice.pk for invoice in row.quoted_invoices]
        ordered = [invoice for invoice in invoices if invoice.pk in quoted_ids] + [
            invoice for invoice in invoices if invoice.pk not in quoted_ids
        ]
        for invoice in ordered:
            if invoice.state_id != row.state.pk or open_balance[invoice.pk] <= 0 or left <= 0:
                continue
            take = min(left, open_balance[invoice.pk])
            row.plan.append((invoice, take))
            open_balance[invoice.pk] -= take
            left -= take
        row.credit = left


def _already_imported(sha256: str) -> None:
    earlier = BankStatement.objects.filter(sha256=sha256).select_related("imported_by").first()
    if earlier is not None:
        raise ValidationError(
            _(
                "This statement was already imported on %(day)s by %(user)s (%(count)s payments recorded); "
                "nothing was changed."
            )
            % {
                "day": date_format(timezone.localtime(earlier.imported_at).date(), "DATE_FORMAT"),
                "user": earlier.imported_by,
                "count": earlier.payments_created,
            }
        )


def statement_check(
    data: bytes, *, file_name: str, fund: Fund | None = None, assignments: Mapping[int, str] | None = None
) -> StatementCheck:
    """Read a statement and say what importing it would do, row by row. Writes nothing.
    `assignments` are staff's choices for rows: {row number: ISO3 code, or LEAVE_OUT}."""
    fund = fund or Fund.general()
    digest = sha256_of(data)
    _already_imported(digest)
    rows = statement_read(data, fund=fund)
    _match(rows, fund, assignments or {})
    _mark_known(rows, fund)
    _plan(rows, fund)
    return StatementCheck(sha256=digest, file_name=file_name, fund=fund, rows=rows)


def statement_import(
    data: bytes, *, file_name: str, user, fund: Fund | None = None, assignments: Mapping[int, str] | None = None
) -> ImportResult:
    """Record the statement's new payments and their allocations, all in one transaction (see the
    module). Refused, nothing written: the file already imported, any bad row, a row left without
    a State (staff assign one, or leave the row out to record it by hand)."""
    fund = fund or Fund.general()
    try:
        with transaction.atomic():
            check = statement_check(data, file_name=file_name, fund=fund, assignments=assignments)
            if check.unmatched:
                raise ValidationError(
                    [
                        _cell_error(
                            row.number,
                            "state",
                            _("no State for this payment: choose one, or leave the row out to record it by hand."),
                        )
                        for row in check.unmatched
                    ]
                )
            skipped = [row.bank_reference for row in check.known]
            left_out = [row.number for row in check.left_out]
            if not check.to_record:
                return ImportResult(statement=None, payments=[], skipped=skipped, left_out=left_out)
            # First, so that a second import of the same file at the same moment waits here
            # and is then refused by the unique SHA-256.
            statement = BankStatement.objects.create(
                fund=fund, sha256=check.sha256, file_name=file_name[:300], rows=len(check.rows), imported_by=user
            )
            payments = []
            for row in check.to_record:
                payment = payment_record(
                    fund=fund,
                    state=row.state,
                    received_on=row.received_on,
                    amount=row.amount,
                    user=user,
                    bank_reference=row.bank_reference,
                    payer=row.payer,
                    note=row.details,
                    statement=statement,
                    allocate=False,
                )
                for invoice, amount in row.plan:
                    allocation_make(payment=payment, invoice=invoice, amount=amount, user=user)
                payments.append(payment)
            BankStatement.objects.filter(pk=statement.pk).update(payments_created=len(payments))
            statement.payments_created = len(payments)
    except IntegrityError as error:
        if BankStatement.objects.filter(sha256=sha256_of(data)).exists():
            _already_imported(sha256_of(data))
        raise ValidationError(
            _("The statement could not be recorded (%(error)s); nothing was changed.") % {"error": error}
        ) from error
    return ImportResult(statement=statement, payments=payments, skipped=skipped, left_out=left_out)


def sample_csv(*, today: dt.date | None = None) -> str:
    """A small statement in the layout the import reads (for the upload page's download)."""
    today = today or timezone.localdate()
    day = today - dt.timedelta(days=7)
    lines = [
        ",".join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS),
        f"{day.isoformat()},12500.00,USD,BNK-{day:%Y%m%d}-001,MINISTRY OF FINANCE GHANA,"
        f"ATT contribution invoice {today.year}-0001,",
        f"{day.isoformat()},3400.50,USD,BNK-{day:%Y%m%d}-002,PERMANENT MISSION OF MEXICO GENEVA,ATT {today.year},",
        f"{today.isoformat()},980.00,USD,BNK-{today:%Y%m%d}-003,TREASURY,Contribution,CRI",
    ]
    return "\r\n".join(lines) + "\r\n"

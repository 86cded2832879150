"""The audit export of a fund for a period: one XLSX workbook (openpyxl, write-only, so the general
ledger streams row by row) with the sheets "Trial balance", "General ledger", "Invoices",
"Payments" and "Receivables ageing".

Every sheet starts with a header row naming the fund, the period and when the file was made, then
a blank row, then the column headings; amounts are numbers with a number format (never text), dates
are dates. Text typed by people is written as text, never as a formula.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import IO, Any

from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Font

from . import ledger
from .ledger import ZERO, cents
from .models import Allocation, CreditNote, Fund, Invoice, Payment
from .selectors.ageing import BUCKETS, receivables_ageing
from .selectors.ledger_views import ledger_lines, trial_balance

MONEY_FORMAT = "#,##0.00;-#,##0.00"
RATE_FORMAT = "0.00000000"
DATE_FORMAT = "yyyy-mm-dd"
SHEETS = ("Trial balance", "General ledger", "Invoices", "Payments", "Receivables ageing")


class _Sheet:
    """A write-only sheet with typed cells."""

    def __init__(self, workbook: Workbook, title: str) -> None:
        self.sheet = workbook.create_sheet(title)

    def cell(self, value: Any, *, bold: bool = False, number_format: str | None = None) -> Any:
        if isinstance(value, Cell):
            return value
        cell = WriteOnlyCell(self.sheet, value=value)
        if isinstance(value, Decimal):
            cell.number_format = number_format or MONEY_FORMAT
        elif isinstance(value, dt.datetime):
            cell.value = value.replace(tzinfo=None)
            cell.number_format = "yyyy-mm-dd hh:mm"
        elif isinstance(value, dt.date):
            cell.number_format = DATE_FORMAT
        elif isinstance(value, str) and value:
            cell.data_type = "s"  # text, whatever it starts with ("=…" would become a formula)
        if bold:
            cell.font = Font(bold=True)
        return cell

    def append(self, values: Iterable[Any], *, bold: bool = False) -> None:
        self.sheet.append([self.cell(value, bold=bold) for value in values])

    def header(self, title: str, fund: Fund, start: dt.date, end: dt.date, generated: dt.datetime) -> None:
        self.append(
            [
                f"{fund.name}: {title}",
                _("Period %(start)s to %(end)s") % {"start": start.isoformat(), "end": end.isoformat()},
                _("Generated on %(when)s (UTC)") % {"when": generated.strftime("%Y-%m-%d %H:%M")},
                _("Amounts in %(currency)s") % {"currency": fund.currency},
            ],
            bold=True,
        )
        self.sheet.append([])


def _trial_balance(book: Workbook, fund: Fund, start: dt.date, end: dt.date, generated: dt.datetime) -> None:
    sheet = _Sheet(book, SHEETS[0])
    sheet.header(_("Trial balance"), fund, start, end, generated)
    sheet.append(
        [
            pgettext("ledger account", "Account"),
            _("Name"),
            _("Kind"),
            _("Opening balance (debit +)"),
            _("Debits"),
            _("Credits"),
            _("Closing balance (debit +)"),
            _("Closing debit balance"),
            _("Closing credit balance"),
        ],
        bold=True,
    )
    balance = trial_balance(fund, start=start, end=end)
    for row in balance.rows:
        account = row.account
        sheet.append(
            [
                account.code,
                account.get_code_display(),
                account.get_kind_display(),
                row.opening,
                row.debit,
                row.credit,
                row.balance,
                row.debit_balance,
                row.credit_balance,
            ]
        )
    sheet.append(
        [
            _("Total"),
            "",
            "",
            balance.opening,
            balance.debit,
            balance.credit,
            balance.opening + balance.debit - balance.credit,
            balance.debit_balance,
            balance.credit_balance,
        ],
        bold=True,
    )


def _general_ledger(book: Workbook, fund: Fund, start: dt.date, end: dt.date, generated: dt.datetime) -> None:
    sheet = _Sheet(book, SHEETS[1])
    sheet.header(_("General ledger"), fund, start, end, generated)
    sheet.append(
        [
            _("Entry"),
            _("Date"),
            _("Kind"),
            _("Memo"),
            _("Reverses entry"),
            pgettext("ledger account", "Account"),
            _("Account name"),
            _("Debit"),
            _("Credit"),
            _("State"),
            _("Invoice"),
            _("Payment"),
            _("Budget line"),
            _("Donor"),
            _("Posted by"),
            _("Posted at (UTC)"),
        ],
        bold=True,
    )
    debit = credit = ZERO
    for line in ledger_lines(fund, start=start, end=end).iterator(chunk_size=2000):
        entry = line.entry
        debit += line.debit
        credit += line.credit
        sheet.append(
            [
                entry.number,
                entry.date,
                entry.get_kind_display(),
                entry.memo,
                entry.reverses.number if entry.reverses_id else None,
                line.account.code,
                line.account.get_code_display(),
                line.debit,
                line.credit,
                line.state.iso3 if line.state_id else "",
                line.invoice.number if line.invoice_id else "",
                (line.payment.bank_reference or str(line.payment.pk)) if line.payment_id else "",
                line.budget_line.code if line.budget_line_id else "",
                line.donor.name if line.donor_id else "",
                entry.posted_by.email if entry.posted_by_id else "",
                entry.posted_at,
            ]
        )
    sheet.append([_("Total"), "", "", "", "", "", "", debit, credit], bold=True)


def _sums(rows: Iterable[tuple[int, Decimal]]) -> dict[int, Decimal]:
    return {pk: amount or ZERO for pk, amount in rows}


def _invoices(book: Workbook, fund: Fund, start: dt.date, end: dt.date, generated: dt.datetime) -> None:
    sheet = _Sheet(book, SHEETS[2])
    sheet.header(_("Invoices issued in the period"), fund, start, end, generated)
    sheet.append(
        [
            _("Number"),
            _("Financial year"),
            _("State"),
            _("ISO3"),
            _("Issued on"),
            _("Due on"),
            _("Currency"),
            _("Amount"),
            _("Credit notes to the end of the period"),
            _("Allocated to the end of the period"),
            _("Open at the end of the period"),
        ],
        bold=True,
    )
    invoices = list(
        Invoice.objects.filter(fund=fund, issued_on__gte=start, issued_on__lte=end)
        .select_related("state")
        .order_by("year", "sequence")
    )
    ids = [invoice.pk for invoice in invoices]
    open_balances = ledger.invoice_balances(ids, until=end)
    credited = _sums(
        CreditNote.objects.filter(invoice_id__in=ids, issued_on__lte=end)
        .values("invoice_id")
        .annotate(s=Sum("amount"))
        .values_list("invoice_id", "s")
    )
    allocated = _sums(
        Allocation.objects.filter(invoice_id__in=ids, entry__date__lte=end)
        .exclude(entry__reversed_by__date__lte=end)
        .values("invoice_id")
        .annotate(s=Sum("amount"))
        .values_list("invoice_id", "s")
    )
    total = total_credited = total_allocated = total_open = ZERO
    for invoice in invoices:
        open_balance = open_balances.get(invoice.pk, ZERO)
        total += invoice.amount
        total_credited += credited.get(invoice.pk, ZERO)
        total_allocated += allocated.get(invoice.pk, ZERO)
        total_open += open_balance
        sheet.append(
            [
                invoice.number,
                invoice.year,
                invoice.state.name_en,
                invoice.state.iso3,
                invoice.issued_on,
                invoice.due_on,
                invoice.currency,
                invoice.amount,
                credited.get(invoice.pk, ZERO),
                allocated.get(invoice.pk, ZERO),
                open_balance,
            ]
        )
    sheet.append([_("Total"), "", "", "", "", "", "", total, total_credited, total_allocated, total_open], bold=True)


def _payments(book: Workbook, fund: Fund, start: dt.date, end: dt.date, generated: dt.datetime) -> None:
    sheet = _Sheet(book, SHEETS[3])
    sheet.header(_("Payments received in the period"), fund, start, end, generated)
    sheet.append(
        [
            _("Received on"),
            _("State"),
            _("ISO3"),
            _("Amount"),
            _("Amount as paid"),
            _("Currency as paid"),
            _("Exchange rate used"),
            _("Bank reference"),
            _("Payer as shown by the bank"),
            _("Source"),
            _("Entry"),
            _("Allocated to the end of the period"),
            _("Unallocated at the end of the period"),
        ],
        bold=True,
    )
    payments = list(
        Payment.objects.filter(fund=fund, received_on__gte=start, received_on__lte=end)
        .select_related("state", "entry")
        .order_by("received_on", "pk")
    )
    unallocated = ledger.payment_credits([payment.pk for payment in payments], until=end)
    allocated: dict[int, Decimal] = defaultdict(Decimal)
    for payment_id, amount in (
        Allocation.objects.filter(payment_id__in=[p.pk for p in payments], entry__date__lte=end)
        .exclude(entry__reversed_by__date__lte=end)
        .values_list("payment_id", "amount")
    ):
        allocated[payment_id] += amount
    total = total_allocated = total_left = ZERO
    for payment in payments:
        left = unallocated.get(payment.pk, ZERO)
        total += payment.amount
        total_allocated += allocated[payment.pk]
        total_left += left
        sheet.append(
            [
                payment.received_on,
                payment.state.name_en,
                payment.state.iso3,
                payment.amount,
                payment.original_amount,
                payment.original_currency,
                sheet.cell(payment.exchange_rate, number_format=RATE_FORMAT),
                payment.bank_reference,
                payment.payer,
                payment.get_source_display(),
                payment.entry.number,
                cents(allocated[payment.pk]),
                left,
            ]
        )
    sheet.append([_("Total"), "", "", total, "", "", "", "", "", "", "", total_allocated, total_left], bold=True)


def _ageing(book: Workbook, fund: Fund, start: dt.date, end: dt.date, generated: dt.datetime) -> None:
    sheet = _Sheet(book, SHEETS[4])
    sheet.header(_("Receivables ageing at the end of the period"), fund, start, end, generated)
    sheet.append(
        [
            _("State"),
            _("ISO3"),
            _("Invoice"),
            _("Financial year"),
            _("Issued on"),
            _("Due on"),
            _("Amount"),
            _("Open balance"),
            *[str(label) for _key, label in BUCKETS],
        ],
        bold=True,
    )
    totals: dict[str, Decimal] = defaultdict(Decimal)
    amount_total = open_total = ZERO
    for aged in receivables_ageing(fund, as_of=end):
        amount_total += aged.amount
        open_total += aged.open_balance
        totals[aged.bucket] += aged.open_balance
        sheet.append(
            [
                aged.state_name_en,
                aged.iso3,
                aged.number,
                aged.year,
                aged.issued_on,
                aged.due_on,
                aged.amount,
                aged.open_balance,
                *[aged.open_balance if key == aged.bucket else None for key, _label in BUCKETS],
            ]
        )
    sheet.append(
        [_("Total"), "", "", "", "", "", amount_total, open_total, *[totals[key] for key, _label in BUCKETS]],
        bold=True,
    )


def audit_workbook(fund: Fund, *, start: dt.date, end: dt.date, generated: dt.datetime) -> IO[bytes]:
    """The workbook in an anonymous temporary file (deleted when closed), positioned at its start."""
    book = Workbook(write_only=True)
    for write in (_trial_balance, _general_ledger, _invoices, _payments, _ageing):
        write(book, fund, start, end, generated)
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - the response closes it
    book.save(handle)
    handle.seek(0)
    return handle


def audit_filename(fund: Fund, start: dt.date, end: dt.date) -> str:
    return f"att-{fund.code}-audit-{start.isoformat()}-{end.isoformat()}.xlsx"


def sheet_names() -> Sequence[str]:
    return SHEETS

"""The audit export of a fund: one XLSX workbook for a period, read back with openpyxl."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from secretariat.finance.models import JournalLine
from secretariat.finance.services.payments import payment_record
from secretariat.finance.services.spending import expenditure_record
from secretariat.states.models import State
from tests.conftest import sign_in
from tests.factories import UserFactory
from tests.finance.factories import adopted_budget, fund, issued_invoices

pytestmark = pytest.mark.django_db

D = Decimal
START, END = dt.date(2026, 1, 1), dt.date(2026, 6, 30)
SHEETS = ["Trial balance", "General ledger", "Invoices", "Payments", "Receivables ageing"]
HEADINGS_ROW = 3  # a header row (fund, period, generated), a blank row, then the column headings


@pytest.fixture
def books():
    """The General Budget's books: a 2025 invoice before the period (an opening balance), 2026
    invoices, a payment allocated oldest first and an expenditure in the period, and a payment
    after it."""
    officer = UserFactory(email="audit.officer@example.org")
    issued_invoices({"GHA": "300.00"}, year=2025, issued_on=dt.date(2025, 10, 15), user=officer)
    invoices = issued_invoices({"GHA": "1000.00", "MEX": "500.00"}, year=2026, issued_on=dt.date(2026, 1, 15))
    ghana, mexico = State.objects.get(iso3="GHA"), State.objects.get(iso3="MEX")
    payment_record(
        fund=fund(),
        state=ghana,
        received_on=dt.date(2026, 2, 10),
        amount=D("1200.00"),
        user=officer,
        bank_reference="=GH-1",
    )
    line = adopted_budget().lines.get(code="SEC")
    expenditure_record(line=line, spent_on=dt.date(2026, 3, 2), description="Rent", amount=D("250.00"), user=officer)
    payment_record(fund=fund(), state=mexico, received_on=dt.date(2026, 8, 1), amount=D("500.00"), user=officer)
    return invoices


def download(client, make_persona, query="?start=2026-01-01&end=2026-06-30", persona="management_committee"):
    sign_in(client, make_persona(persona))
    response = client.get(f"/finance/ledger/general/audit.xlsx{query}")
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    return response, load_workbook(io.BytesIO(content))


def rows(sheet):
    """The data rows (after the headings), as values."""
    return [list(row) for row in sheet.iter_rows(min_row=HEADINGS_ROW + 1, values_only=True)]


def test_the_workbook_has_the_five_sheets_with_a_header_row(client, make_persona, books):
    response, book = download(client, make_persona)

    assert response["Content-Disposition"] == 'attachment; filename="att-general-audit-2026-01-01-2026-06-30.xlsx"'
    assert book.sheetnames == SHEETS
    for name in SHEETS:
        header = [cell for cell in next(book[name].iter_rows(max_row=1, values_only=True)) if cell]
        assert header[0].startswith("General Budget: ")
        assert header[1] == "Period 2026-01-01 to 2026-06-30"
        assert header[2].startswith("Generated on ")
        assert header[3] == "Amounts in USD"


def test_the_trial_balance_sheet_balances(client, make_persona, books):
    _response, book = download(client, make_persona)
    sheet = book["Trial balance"]
    headings = [cell.value for cell in sheet[HEADINGS_ROW]]
    assert headings[:7] == [
        "Account",
        "Name",
        "Kind",
        "Opening balance (debit +)",
        "Debits",
        "Credits",
        "Closing balance (debit +)",
    ]
    data = rows(sheet)
    accounts, total = {row[0]: row for row in data[:-1]}, data[-1]
    assert len(accounts) == 9
    # The 2025 invoice is the opening balance; the August payment is after the period.
    assert accounts["1200"][3:7] == [300, 1500, 1200, 600]
    assert accounts["4100"][3:7] == [-300, 0, 1500, -1800]
    assert accounts["1100"][3:7] == [0, 1200, 250, 950]
    assert accounts["5100"][3:7] == [0, 250, 0, 250]
    assert total[0] == "Total"
    assert total[3] == 0
    assert total[4] == total[5] == 4150  # debits == credits in the period
    assert total[6] == 0
    assert total[7] == total[8] == 1800  # closing debit balances == closing credit balances
    amount_cell = sheet.cell(row=HEADINGS_ROW + 1, column=5)
    assert amount_cell.data_type == "n"
    assert amount_cell.number_format == "#,##0.00;-#,##0.00"


def test_the_general_ledger_sheet_has_one_row_per_ledger_line_of_the_period(client, make_persona, books):
    _response, book = download(client, make_persona)
    data = rows(book["General ledger"])
    lines, total = data[:-1], data[-1]
    in_period = JournalLine.objects.filter(entry__fund=fund(), entry__date__gte=START, entry__date__lte=END)
    assert len(lines) == in_period.count() == 12  # 2 invoices, a payment, 2 allocations, an expenditure: 2 lines each
    assert all(START <= row[1].date() <= END for row in lines)
    assert [row[0] for row in lines] == sorted(row[0] for row in lines)
    assert total[7] == total[8] == 4150
    rent = next(row for row in lines if row[5] == "5100")
    assert (rent[2], rent[3], rent[7], rent[8], rent[12]) == ("Expenditure", "SEC Rent", 250, 0, "SEC")
    # A bank reference typed as "=GH-1" stays text, never a formula.
    assert any(row[11] == "=GH-1" for row in lines)


def test_the_invoice_payment_and_ageing_sheets(client, make_persona, books):
    _response, book = download(client, make_persona)

    invoices = rows(book["Invoices"])
    assert [(row[2], row[7], row[9], row[10]) for row in invoices[:-1]] == [
        ("Ghana", 1000, 900, 100),
        ("Mexico", 500, 0, 500),
    ]
    assert invoices[-1][7] == 1500
    assert invoices[-1][10] == 600

    payments = rows(book["Payments"])
    assert len(payments) == 2  # the February payment and the total (the August one is after the period)
    assert (payments[0][1], payments[0][3], payments[0][7], payments[0][11], payments[0][12]) == (
        "Ghana",
        1200,
        "=GH-1",
        1200,
        0,
    )

    ageing = rows(book["Receivables ageing"])
    assert [(row[1], row[7]) for row in ageing[:-1]] == [("GHA", 100), ("MEX", 500)]
    assert ageing[-1][7] == 600
    assert sum(value or 0 for value in ageing[-1][8:]) == 600  # the buckets add up to the open total


def test_the_period_defaults_to_the_calendar_year_and_a_bad_period_is_refused(client, make_persona, books):
    response, book = download(client, make_persona, query="", persona="staff_finance")
    year = timezone.localdate().year
    assert f"att-general-audit-{year}-01-01-{year}-12-31.xlsx" in response["Content-Disposition"]
    assert book.sheetnames == SHEETS

    refused = client.get("/finance/ledger/general/audit.xlsx?start=2026-06-30&end=2026-01-01")
    assert refused.status_code == 302
    assert refused["Location"] == "/finance/ledger/general/"


def test_the_audit_export_is_refused_outside_finance(client, make_persona):
    sign_in(client, make_persona("staff_reporting"))
    assert client.get("/finance/ledger/general/audit.xlsx").status_code == 403

"""Bank statement import: each row matched to a State, a preview that writes nothing, a
confirmation that records everything in one go, re-imports that change nothing, and every bad
input refused with its row and column."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from secretariat.finance import ledger
from secretariat.finance.models import Allocation, BankStatement, JournalEntry, Payment
from secretariat.finance.services import bank_import
from secretariat.finance.services.payments import payment_record
from tests import factories
from tests.conftest import sign_in
from tests.finance.factories import fund, issued_invoices

pytestmark = pytest.mark.django_db

HEADER = "date,amount,currency,bank_reference,payer,details"


def statement(*rows: str, header: str = HEADER) -> bytes:
    return ("\r\n".join([header, *rows]) + "\r\n").encode()


def written() -> tuple[int, int, int, int]:
    return (
        Payment.objects.count(),
        Allocation.objects.count(),
        BankStatement.objects.count(),
        JournalEntry.objects.count(),
    )


@pytest.fixture
def invoices():
    """Ghana 2025 (100.00) and 2026 (300.00), Mexico 2026 (200.00), Costa Rica 2026 (50.00)."""
    user = factories.UserFactory()
    old = issued_invoices({"GHA": "100.00"}, year=2025, user=user)
    new = issued_invoices({"GHA": "300.00", "MEX": "200.00", "CRI": "50.00"}, year=2026, user=user)
    return {"GHA-2025": old["GHA"], "GHA": new["GHA"], "MEX": new["MEX"], "CRI": new["CRI"]}


@pytest.fixture
def officer():
    return factories.UserFactory(email="finance.officer@example.org")


def sample(invoices) -> bytes:
    return statement(
        "2026-02-01,150.00,USD,R1,MINISTRY OF FINANCE OF GHANA,ATT contribution",
        f'2026-02-02,"200.00",USD,R2,TESORERIA DE LA FEDERACION,"Pago factura {invoices["MEX"].number}"',
        "03.02.2026,20.00,USD,R3,Embajada de México,",
        "2026-02-04,10.00,USD,R4,ACME Trading Ltd,no reference",
        f'2026-02-05,"1,000.00",USD,R5,Treasury,Invoice {invoices["GHA"].number}',
    )


# ---------------------------------------------------------------------------- the happy path


def test_the_preview_matches_each_row_and_writes_nothing(invoices):
    before = written()
    check = bank_import.statement_check(sample(invoices), file_name="feb.csv")
    assert written() == before
    rows = {row.bank_reference: row for row in check.rows}
    assert [row.number for row in check.rows] == [2, 3, 4, 5, 6]
    assert (rows["R1"].state.iso3, rows["R1"].matched_by) == ("GHA", "payer")
    assert (rows["R2"].state.iso3, rows["R2"].matched_by) == ("MEX", "invoice")
    assert (rows["R3"].state.iso3, rows["R3"].matched_by) == ("MEX", "payer")  # the Spanish name
    assert rows["R4"].state is None  # not guessed
    assert [row.bank_reference for row in check.unmatched] == ["R4"]
    assert (rows["R5"].state.iso3, rows["R5"].amount) == ("GHA", D("1000.00"))
    # Oldest first for R1; R5 quotes the 2026 invoice, which it pays first (R1 took 50.00 of it).
    assert [(invoice.number, amount) for invoice, amount in rows["R1"].plan] == [
        (invoices["GHA-2025"].number, D("100.00")),
        (invoices["GHA"].number, D("50.00")),
    ]
    assert [(invoice.number, amount) for invoice, amount in rows["R5"].plan] == [(invoices["GHA"].number, D("250.00"))]
    assert rows["R5"].credit == D("750.00")
    assert rows["R3"].plan == []  # R2 paid Mexico's only invoice
    assert rows["R3"].credit == D("20.00")


def test_the_confirmation_records_what_the_preview_showed_in_one_go(invoices, officer):
    data = sample(invoices)
    with pytest.raises(ValidationError, match="Row 5, column state: no State"):
        bank_import.statement_import(data, file_name="feb.csv", user=officer)
    assert written() == (0, 0, 0, 3 + 1)  # only the invoices' entries

    preview = bank_import.statement_check(data, file_name="feb.csv", assignments={5: "CRI"})
    planned = {row.bank_reference: [(i.pk, a) for i, a in row.plan] for row in preview.rows}
    result = bank_import.statement_import(data, file_name="feb.csv", user=officer, assignments={5: "CRI"})

    assert len(result.payments) == 5
    assert result.statement.payments_created == 5
    assert result.statement.sha256 == bank_import.sha256_of(data)
    for payment in Payment.objects.all():
        assert payment.statement == result.statement
        assert payment.source == "bank"
        assert (
            list(payment.allocations.order_by("pk").values_list("invoice_id", "amount"))
            == planned[payment.bank_reference]
        )
    assert Payment.objects.get(bank_reference="R4").state.iso3 == "CRI"
    assert ledger.invoice_balances([invoices["CRI"].pk]) == {invoices["CRI"].pk: D("40.00")}
    assert ledger.invariant_problems(fund()) == []


def test_re_importing_the_same_file_changes_nothing(invoices, officer):
    data = sample(invoices)
    bank_import.statement_import(data, file_name="feb.csv", user=officer, assignments={5: "-"})
    before = written()
    for attempt in (
        lambda: bank_import.statement_check(data, file_name="feb (copy).csv"),
        lambda: bank_import.statement_import(data, file_name="feb (copy).csv", user=officer),
    ):
        with pytest.raises(ValidationError, match="already imported"):
            attempt()
    assert written() == before


def test_a_statement_with_known_references_records_only_the_new_rows(invoices, officer):
    payment_record(
        fund=fund(),
        state=invoices["GHA"].state,
        received_on=dt.date(2026, 2, 1),
        amount=D("150.00"),
        user=officer,
        bank_reference="R1",
    )
    data = statement(
        "2026-02-01,150.00,USD,R1,MINISTRY OF FINANCE OF GHANA,",
        "2026-03-01,25.00,USD,R9,,Invoice " + invoices["CRI"].number,
    )
    check = bank_import.statement_check(data, file_name="march.csv")
    assert [row.bank_reference for row in check.known] == ["R1"]
    result = bank_import.statement_import(data, file_name="march.csv", user=officer)
    assert result.skipped == ["R1"]
    assert [payment.bank_reference for payment in result.payments] == ["R9"]
    assert Payment.objects.filter(bank_reference="R1").count() == 1


def test_a_statement_of_known_references_only_records_nothing(invoices, officer):
    bank_import.statement_import(sample(invoices), file_name="feb.csv", user=officer, assignments={5: "-"})
    before = written()
    again = statement("2026-02-01,150.00,USD,R1,MINISTRY OF FINANCE OF GHANA,another export of the same day")
    result = bank_import.statement_import(again, file_name="feb-again.csv", user=officer)
    assert (result.statement, result.payments, result.skipped) == (None, [], ["R1"])
    assert written() == before


@pytest.mark.parametrize(
    ("payer", "expected"),
    [
        ("Ambassade du Sénégal", ["SEN"]),
        ("PAPUA NEW GUINEA TREASURY", ["PNG"]),  # not Guinea
        ("Republique democratique du Congo", ["COD"]),  # not Congo
        ("刚果民主共和国财政部", ["COD"]),
        ("GHA", ["GHA"]),
        ("Ghana and Mexico", ["GHA", "MEX"]),  # several: staff choose
        ("Embajada de México en Suiza", ["CHE", "MEX"]),
        ("Global Trading", []),
    ],
)
def test_payer_names_match_states_in_every_language(payer, expected):
    states = {state.iso3: state for state in bank_import.State.objects.all()}
    names = bank_import._state_names(states.values())
    assert sorted(state.iso3 for state in bank_import._match_payer(payer, states, names)) == expected


def test_sample_file_is_in_the_layout_the_import_reads():
    rows = bank_import.statement_read(bank_import.sample_csv().encode(), fund=fund())
    assert [row.number for row in rows] == [2, 3, 4]
    assert rows[2].state.iso3 == "CRI"


# ---------------------------------------------------------------------------- bad input

TODAY = dt.date.today()
FUTURE = (TODAY + dt.timedelta(days=3)).isoformat()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.4 not a statement", "not a CSV file"),
        (b"PK\x03\x04 a workbook", "not a CSV file"),
        (statement("2026-02-01,10.00,USD,R1,Sant\xe9,").replace(b"Sant", "Caf\xe9".encode("latin-1")), "not UTF-8"),
        (b"", "empty"),
        (statement("2026-02-01,10.00,R1", header="date,amount,reference"), "Missing columns: currency, bank_reference"),
        (statement(f"{FUTURE},10.00,USD,R1,Ghana,"), "Row 2, column date: " + FUTURE + " is in the future"),
        (statement("31/02/2026,10.00,USD,R1,Ghana,"), "Row 2, column date: “31/02/2026” is not a date"),
        (statement("2026-02-01,0.00,USD,R1,Ghana,"), "Row 2, column amount: 0.00: only money received"),
        (statement("2026-02-01,10.00,USD,R1,Ghana,", "2026-02-01,-5,USD,R2,Ghana,"), "Row 3, column amount: -5"),
        (statement("2026-02-01,ten,USD,R1,Ghana,"), "Row 2, column amount: “ten” is not an amount"),
        (statement("2026-02-01,10.005,USD,R1,Ghana,"), "Row 2, column amount: 10.005: amounts are kept to the cent"),
        (statement("2026-02-01,10.00,EUR,R1,Ghana,"), "Row 2, column currency: “EUR”"),
        (statement("2026-02-01,10.00,USD,,Ghana,"), "Row 2, column bank_reference: empty"),
        (
            statement("2026-02-01,10.00,USD,R1,Ghana,,XYZ", header=HEADER + ",state"),
            "Row 2, column state: unknown State code “XYZ”",
        ),
        (
            statement("2026-02-01,10.00,USD,R1,Ghana,", "2026-02-02,12.00,USD,R1,Ghana,"),
            "Row 3, column bank_reference: R1 is also on row 2",
        ),
        (statement("2026-02-01,10.00,USD,R1,Ghana,,,extra"), "Row 2 has 8 cells but the header names 6 columns"),
        (statement(), "no payment rows"),
        (b"x" * (bank_import.MAX_BYTES + 1), "the limit is 5 MB"),
    ],
)
def test_bad_input_is_refused_with_its_row_and_column_and_nothing_is_written(invoices, officer, data, message):
    before = written()
    with pytest.raises(ValidationError) as refused:
        bank_import.statement_import(data, file_name="bad.csv", user=officer)
    assert any(message in text for text in refused.value.messages), refused.value.messages
    with pytest.raises(ValidationError):
        bank_import.statement_check(data, file_name="bad.csv")
    assert written() == before


def test_an_unknown_state_chosen_by_staff_is_refused(invoices):
    with pytest.raises(ValidationError, match="Row 5, column state: unknown State code “ZZZ”"):
        bank_import.statement_check(sample(invoices), file_name="feb.csv", assignments={5: "ZZZ"})


# ---------------------------------------------------------------------------- the pages


def test_upload_preview_and_confirm_through_the_pages(client, make_persona, invoices):
    staff = sign_in(client, make_persona("staff_finance"))
    page = staff.get("/finance/payments/import/")
    content = page.content.decode()
    assert "bank_reference" in content
    assert "/finance/payments/import/sample.csv" in content
    assert staff.get("/finance/payments/import/sample.csv")["Content-Type"].startswith("text/csv")

    data = sample(invoices)
    preview = staff.post("/finance/payments/import/", {"file": SimpleUploadedFile("feb.csv", data, "text/csv")})
    assert preview.status_code == 200
    assert written() == (0, 0, 0, 4)  # the preview wrote nothing
    token = preview.context["token"]
    assert "ACME Trading Ltd" in preview.content.decode()

    refused = staff.post("/finance/payments/import/confirm/", {"token": token, "confirm": "1"})
    assert "Row 5, column state: no State" in refused.content.decode()
    assert written() == (0, 0, 0, 4)

    updated = staff.post("/finance/payments/import/confirm/", {"token": token, "preview": "1", "assign-5": "CRI"})
    row = next(row for row in updated.context["check"].rows if row.number == 5)
    assert (row.state.iso3, row.matched_by) == ("CRI", "staff")
    assert written() == (0, 0, 0, 4)

    done = staff.post("/finance/payments/import/confirm/", {"token": token, "confirm": "1", "assign-5": "CRI"})
    assert done["Location"] == "/finance/payments/"
    assert Payment.objects.count() == 5
    assert BankStatement.objects.get().imported_by.email == "staff-finance@example.org"

    again = staff.post("/finance/payments/import/confirm/", {"token": token, "confirm": "1"}, follow=True)
    assert "already imported, or its upload expired" in again.content.decode()
    reupload = staff.post("/finance/payments/import/", {"file": SimpleUploadedFile("feb.csv", data, "text/csv")})
    assert "already imported" in reupload.content.decode()
    assert Payment.objects.count() == 5


def test_a_file_over_5_mb_is_refused_before_it_is_read(client, make_persona):
    staff = sign_in(client, make_persona("staff_admin"))
    big = SimpleUploadedFile("big.csv", b"x" * (bank_import.MAX_BYTES + 1), "text/csv")
    response = staff.post("/finance/payments/import/", {"file": big})
    assert "the limit is 5 MB" in response.content.decode()
    assert "token" not in response.context or response.context.get("token") is None


def test_a_token_is_good_only_for_whoever_uploaded_it(client, make_persona, invoices):
    finance = sign_in(client, make_persona("staff_finance"))
    preview = finance.post(
        "/finance/payments/import/", {"file": SimpleUploadedFile("feb.csv", sample(invoices), "text/csv")}
    )
    token = preview.context["token"]
    admin = sign_in(client, make_persona("staff_admin"))
    response = admin.post("/finance/payments/import/confirm/", {"token": token, "confirm": "1", "assign-5": "-"})
    assert response.status_code == 302
    assert written() == (0, 0, 0, 4)

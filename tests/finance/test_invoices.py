"""Invoices in use: the PDF (text read back), the background delivery through the outbox, the
"invoices not sent" list, the issue button, credit notes and the staff pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from secretariat.finance import ledger
from secretariat.finance.models import CreditNote, Invoice, JournalEntry
from secretariat.finance.selectors.receivables import invoices_not_sent
from secretariat.finance.services import invoice_delivery
from secretariat.finance.services.invoices import credit_note_issue, invoices_issue
from secretariat.finance.services.payments import payment_record
from secretariat.finance.tasks import deliver_invoices
from secretariat.reminders.models import MessageKind, OutboxMessage
from secretariat.states.models import State
from tests import factories
from tests.conftest import sign_in
from tests.finance.factories import approved_run, fund, issued_invoices
from tests.pdf import pdf_text

pytestmark = pytest.mark.django_db

BANK = {
    "account_holder": "Arms Trade Treaty Secretariat",
    "bank_name": "Banque Exemple SA",
    "bank_address": "Geneva",
    "iban": "CH00 1234 5678 9012 3456 7",
    "swift": "EXAMCHGG",
}


@pytest.fixture(autouse=True)
def _bank(settings):
    settings.FINANCE_BANK_DETAILS = BANK


def words(text: str) -> str:
    """The text with every kind of space made one plain space (French groups digits with a
    narrow no-break space; table cells may wrap)."""
    return " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split())


def set_language(iso3: str, language: str) -> None:
    State.objects.filter(iso3=iso3).update(working_language=language)


# ---------------------------------------------------------------------------- the PDF


def test_the_pdf_is_in_the_invoice_language_with_number_total_and_bank_details():
    set_language("GHA", "en")
    set_language("SEN", "fr")
    invoices = issued_invoices({"GHA": "2500.50", "SEN": "1234.00"}, issued_on=dt.date(2025, 10, 15))
    english = words(pdf_text(invoice_delivery.invoice_pdf_bytes(invoices["GHA"])))
    french = words(pdf_text(invoice_delivery.invoice_pdf_bytes(invoices["SEN"])))

    ghana, senegal = invoices["GHA"], invoices["SEN"]
    assert ghana.number in english
    assert "USD 2,500.50" in english
    assert "Ghana" in english
    assert "15 October 2025" in english
    assert f"quote the invoice number {ghana.number}" in english
    assert senegal.number in french
    assert "USD 1 234,00" in french
    assert "Sénégal" in french
    assert "15 octobre 2025" in french
    for text in (english, french):
        for value in (BANK["iban"], BANK["swift"], BANK["bank_name"], BANK["account_holder"]):
            assert value in text
        assert "Arms Trade Treaty Secretariat" in text


def test_without_bank_details_the_pdf_says_they_are_given_on_request(settings):
    settings.FINANCE_BANK_DETAILS = {}
    invoice = issued_invoices({"GHA": "10.00"})["GHA"]
    text = words(pdf_text(invoice_delivery.invoice_pdf_bytes(invoice)))
    assert "gives the bank details on request" in text
    assert "IBAN" not in text


def test_the_pdf_is_stored_once_and_never_made_in_the_issuing_transaction():
    invoice = issued_invoices({"GHA": "10.00"})["GHA"]
    assert not Invoice.objects.get(pk=invoice.pk).pdf  # issuing made no PDF
    stored = invoice_delivery.invoice_pdf_ensure(Invoice.objects.get(pk=invoice.pk))
    name = stored.pdf.name
    assert name.startswith("finance/invoices/")
    assert name.endswith(".pdf")
    again = invoice_delivery.invoice_pdf_ensure(Invoice.objects.get(pk=invoice.pk))
    assert again.pdf.name == name
    with again.pdf.open("rb") as handle:
        assert invoice.number in pdf_text(handle.read())


def test_the_credit_note_pdf_names_the_invoice_the_amount_and_the_reason():
    set_language("SEN", "fr")
    invoice = issued_invoices({"SEN": "300.00"})["SEN"]
    note = credit_note_issue(invoice=invoice, amount=D("45.50"), reason="Taux corrigé", user=factories.UserFactory())
    text = words(pdf_text(invoice_delivery.credit_note_pdf_bytes(note)))
    assert note.number in text
    assert invoice.number in text
    assert "45,50" in text
    assert "Taux corrigé" in text


# ---------------------------------------------------------------------------- the background delivery


@pytest.fixture
def recipients_of_each_kind():
    """GHA: a finance contact (and a mission contact, not used); MEX: only a mission contact;
    CRI: only a representative; TUV: nobody (its finance contact's designation ended)."""
    ghana, mexico, tuvalu = (State.objects.get(iso3=iso3) for iso3 in ("GHA", "MEX", "TUV"))
    set_language("MEX", "es")
    factories.ContactFactory(
        state=ghana, role="finance", email="finance@mof.example.gh", other_emails="cfo@mof.example.gh"
    )
    factories.ContactFactory(state=ghana, role="mission", email="mission@gh.example.ch")
    factories.ContactFactory(state=mexico, role="mission", email="mision@mx.example.ch")
    factories.ContactFactory(state=mexico, role="npc", email="npc@sre.example.mx")
    factories.ContactFactory(state=tuvalu, role="finance", email="old@tv.example", valid_to=dt.date(2021, 1, 1))
    factories.RoleAssignmentFactory(
        user=factories.UserFactory(email="rep@cr.example"),
        role="state_representative",
        state=State.objects.get(iso3="CRI"),
    )


def test_issuing_queues_the_delivery_which_makes_pdfs_and_one_message_per_invoice(
    recipients_of_each_kind, django_capture_on_commit_callbacks, monkeypatch, database_worker_signals
):
    # The worker drops connections that are not in autocommit between tasks (see reminders' test).
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)
    run = approved_run({"GHA": "100.00", "MEX": "200.00", "CRI": "300.00", "TUV": "1.00"})
    with django_capture_on_commit_callbacks(execute=True):
        invoices = {
            i.state.iso3: i
            for i in invoices_issue(run=run, user=factories.UserFactory(), issued_on=dt.date(2025, 10, 1))
        }
    queued = DBTaskResult.objects.get(task_path="secretariat.finance.tasks.deliver_invoices")
    assert sorted(queued.args_kwargs["args"][0]) == sorted(invoice.pk for invoice in invoices.values())
    assert OutboxMessage.objects.count() == 0  # nothing made inside the issuing transaction

    with django_capture_on_commit_callbacks(execute=True):  # the worker runs in autocommit in production
        call_command("db_worker", "--batch", "--no-startup-delay", stdout=StringIO(), stderr=StringIO())

    messages = {message.key: message for message in OutboxMessage.objects.all()}
    assert set(messages) == {f"invoice:{invoices[iso3].number}" for iso3 in ("GHA", "MEX", "CRI")}
    ghana = messages[f"invoice:{invoices['GHA'].number}"]
    assert ghana.recipients == ["finance@mof.example.gh", "cfo@mof.example.gh"]
    assert messages[f"invoice:{invoices['MEX'].number}"].recipients == ["mision@mx.example.ch"]
    assert messages[f"invoice:{invoices['CRI'].number}"].recipients == ["rep@cr.example"]
    assert messages[f"invoice:{invoices['MEX'].number}"].language == "es"
    assert ghana.kind == MessageKind.NOTICE
    assert ghana.state.iso3 == "GHA"
    assert invoices["GHA"].number in ghana.subject
    assert "attached" in ghana.body_text
    assert "/finance/states/GHA/contributions/" in ghana.body_text
    assert ghana.attachments[0]["filename"] == f"ATT-invoice-{invoices['GHA'].number}.pdf"
    stored = {i.state.iso3: i for i in Invoice.objects.select_related("state")}
    assert all(stored[iso3].pdf for iso3 in ("GHA", "MEX", "CRI", "TUV"))  # every PDF made, even unsent
    assert [iso3 for iso3, invoice in sorted(stored.items()) if invoice.emailed_at is None] == ["TUV"]
    # The messages went out at once, with the PDF attached.
    assert {tuple(email.to) for email in mail.outbox} == {
        ("finance@mof.example.gh", "cfo@mof.example.gh"),
        ("mision@mx.example.ch",),
        ("rep@cr.example",),
    }
    sent = next(email for email in mail.outbox if email.to == ["rep@cr.example"])
    (filename, content, mimetype) = sent.attachments[0]
    assert mimetype == "application/pdf"
    assert invoices["CRI"].number in pdf_text(content)


def test_the_delivery_sends_nothing_twice(recipients_of_each_kind, django_capture_on_commit_callbacks):
    invoices = issued_invoices({"GHA": "100.00", "TUV": "1.00"})
    ids = [invoice.pk for invoice in invoices.values()]
    with django_capture_on_commit_callbacks(execute=True):
        first = deliver_invoices.call(ids)
        second = deliver_invoices.call(ids)
    assert first == {"queued": 1, "nobody": 1, "failed": 0, "already": 0}
    assert second == {"queued": 0, "nobody": 1, "failed": 0, "already": 1}
    assert OutboxMessage.objects.count() == 1
    assert len(mail.outbox) == 1


def test_an_invoice_with_nobody_to_write_to_is_listed_then_sent_by_staff(client, make_persona):
    tuvalu = State.objects.get(iso3="TUV")
    invoice = issued_invoices({"TUV": "1.00"})["TUV"]
    deliver_invoices.call([invoice.pk])
    staff = sign_in(client, make_persona("staff_finance"))

    page = staff.get("/finance/invoices/not-sent/")
    assert page.status_code == 200
    assert invoice.number in page.content.decode()
    assert "nobody" in page.content.decode()

    refused = staff.post(f"/finance/invoices/{invoice.pk}/send/", follow=True)
    assert "has nobody to be sent to" in refused.content.decode()
    assert not OutboxMessage.objects.exists()

    factories.ContactFactory(state=tuvalu, role="finance", email="finance@tv.example")
    staff.post(f"/finance/invoices/{invoice.pk}/send/")
    message = OutboxMessage.objects.get()
    assert message.recipients == ["finance@tv.example"]
    assert Invoice.objects.get(pk=invoice.pk).emailed_at is not None
    assert staff.get("/finance/invoices/not-sent/").context["rows"] == []


def test_a_failing_invoice_does_not_stop_the_others_and_stays_listed(recipients_of_each_kind, monkeypatch):
    invoices = issued_invoices({"GHA": "100.00", "MEX": "200.00"})
    real = invoice_delivery.invoice_pdf_bytes

    def broken_for_ghana(invoice):
        if invoice.state.iso3 == "GHA":
            raise RuntimeError("font missing")
        return real(invoice)

    monkeypatch.setattr(invoice_delivery, "invoice_pdf_bytes", broken_for_ghana)
    result = deliver_invoices.call([invoice.pk for invoice in invoices.values()])
    assert result["failed"] == 1
    assert result["queued"] == 1
    assert [row.invoice.number for row in invoices_not_sent(day=dt.date.today())] == [invoices["GHA"].number]


# ---------------------------------------------------------------------------- staff pages


def test_the_issue_button_issues_the_run_and_shows_its_invoices(
    client, make_persona, django_capture_on_commit_callbacks
):
    run = approved_run({"GHA": "100.00", "MEX": "200.00"}, year=2027)
    staff = sign_in(client, make_persona("staff_finance"))
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(f"/finance/assessments/{run.pk}/issue/", {"issued_on": "2026-10-01"})
    assert response.status_code == 302
    assert response["Location"] == f"/finance/invoices/?run={run.pk}"
    assert Invoice.objects.filter(run=run).count() == 2
    assert DBTaskResult.objects.filter(task_path="secretariat.finance.tasks.deliver_invoices").count() == 1
    page = staff.get(response["Location"]).content.decode()
    assert "2027-0001" in page
    assert "2027-0002" in page
    assert "300.00" in page

    again = staff.post(f"/finance/assessments/{run.pk}/issue/", follow=True)
    assert "Only an approved assessment run can be issued" in again.content.decode()
    assert Invoice.objects.filter(run=run).count() == 2


def test_the_issue_button_refuses_a_future_date_and_writes_nothing(client, make_persona):
    run = approved_run({"GHA": "100.00"}, year=2027)
    staff = sign_in(client, make_persona("staff_admin"))
    response = staff.post(f"/finance/assessments/{run.pk}/issue/", {"issued_on": "2099-01-01"}, follow=True)
    assert "cannot be dated in the future" in response.content.decode()
    assert not Invoice.objects.exists()
    assert not JournalEntry.objects.exists()


def test_the_invoice_list_filters_by_status_and_totals(client, make_persona):
    user = factories.UserFactory()
    invoices = issued_invoices({"GHA": "100.00", "MEX": "200.00", "CRI": "50.00"}, user=user)
    credit_note_issue(invoice=invoices["CRI"], amount=D("50.00"), reason="Withdrawn", user=user)
    payment_record(
        fund=fund(), state=invoices["GHA"].state, received_on=dt.date(2026, 1, 10), amount=D("100.00"), user=user
    )
    staff = sign_in(client, make_persona("management_committee"))

    def numbers(status: str) -> list[str]:
        response = staff.get("/finance/invoices/", {"year": "2026", "status": status})
        assert response.status_code == 200
        return [row.number for row in response.context["listing"].rows]

    assert numbers("open") == [invoices["MEX"].number]
    assert numbers("paid") == [invoices["GHA"].number]
    assert numbers("credited") == [invoices["CRI"].number]
    listing = staff.get("/finance/invoices/", {"year": "2026"}).context["listing"]
    assert (listing.amount, listing.received, listing.credited, listing.open_balance) == (
        D("350.00"),
        D("100.00"),
        D("50.00"),
        D("200.00"),
    )


def test_staff_issue_a_credit_note_with_a_reason_from_the_invoice_page(client, make_persona):
    invoice = issued_invoices({"GHA": "100.00"})["GHA"]
    staff = sign_in(client, make_persona("staff_finance"))
    refused = staff.post(f"/finance/invoices/{invoice.pk}/credit-notes/new/", {"amount": "10.00", "reason": ""})
    assert refused.status_code == 200
    assert not CreditNote.objects.exists()
    too_much = staff.post(f"/finance/invoices/{invoice.pk}/credit-notes/new/", {"amount": "100.01", "reason": "x"})
    assert "still open on invoice" in too_much.content.decode()
    assert not CreditNote.objects.exists()

    response = staff.post(
        f"/finance/invoices/{invoice.pk}/credit-notes/new/", {"amount": "10.00", "reason": "Scale rate corrected"}
    )
    assert response.status_code == 302
    note = CreditNote.objects.get()
    assert note.reason == "Scale rate corrected"
    assert ledger.invoice_balances([invoice.pk]) == {invoice.pk: D("90.00")}
    page = staff.get(f"/finance/invoices/{invoice.pk}/").content.decode()
    assert note.number in page
    assert "Scale rate corrected" in page
    assert staff.get(f"/finance/credit-notes/{note.pk}/pdf/")["Content-Type"] == "application/pdf"


def test_the_pdf_download_makes_the_pdf_for_the_state_and_staff_only(client, make_persona):
    invoice = issued_invoices({"GHA": "100.00"})["GHA"]
    other = sign_in(client, make_persona("state_b_rep"))
    assert other.get(f"/finance/invoices/{invoice.pk}/pdf/").status_code == 403
    assert not Invoice.objects.get(pk=invoice.pk).pdf
    own = sign_in(client, make_persona("state_a_rep"))
    response = own.get(f"/finance/invoices/{invoice.pk}/pdf/")
    assert response.status_code == 200
    assert invoice.number in pdf_text(b"".join(response.streaming_content))
    assert Invoice.objects.get(pk=invoice.pk).pdf  # made on the first download, kept

"""The receivables services: invoices from a run, credit notes, payments, allocations, reversals,
and the ledger's rules (in code and in the database)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from secretariat.finance import ledger
from secretariat.finance.models import Allocation, Invoice, JournalEntry, JournalLine, Payment
from secretariat.finance.services import invoices as invoice_services
from secretariat.finance.services import payments as payment_services
from secretariat.states.models import State
from tests.factories import UserFactory
from tests.finance.factories import approved_run, fund, issued_invoices

pytestmark = pytest.mark.django_db


def test_issuing_numbers_invoices_without_gaps_and_posts_each_one():
    invoices = issued_invoices({"GHA": "100.00", "MEX": "2500.50", "CRI": "40.10"})
    assert sorted(invoice.number for invoice in invoices.values()) == ["2026-0001", "2026-0002", "2026-0003"]
    assert invoices["MEX"].language == State.objects.get(iso3="MEX").working_language
    balances = ledger.invoice_balances(invoice.pk for invoice in invoices.values())
    assert balances == {invoice.pk: invoice.amount for invoice in invoices.values()}
    assert ledger.invariant_problems(fund()) == []


def test_issuing_uses_the_same_number_of_queries_whatever_the_number_of_states():
    user = UserFactory()
    issued_invoices({"GHA": "1.00"}, year=2020, user=user)  # the counters exist from now on
    counts = {}
    for year, states in ((2021, 3), (2022, State.objects.count())):
        iso3s = list(State.objects.order_by("iso3").values_list("iso3", flat=True)[:states])
        run = approved_run(dict.fromkeys(iso3s, "10.00"), year=year)
        with CaptureQueriesContext(connection) as queries:
            invoice_services.invoices_issue(run=run, user=user, issued_on=dt.date(year - 1, 10, 1))
        assert Invoice.objects.filter(year=year).count() == states
        counts[states] = len(queries)
    assert len(set(counts.values())) == 1, counts


def test_a_run_is_issued_once():
    run = approved_run({"GHA": "1.00"})
    invoice_services.invoices_issue(run=run, user=UserFactory(), issued_on=dt.date(2025, 10, 1))
    with pytest.raises(ValidationError):
        invoice_services.invoices_issue(run=run, user=UserFactory(), issued_on=dt.date(2025, 10, 1))
    assert Invoice.objects.count() == 1


def test_payment_goes_to_the_oldest_invoices_first_and_the_rest_stays_as_credit():
    user = UserFactory()
    old = issued_invoices({"GHA": "100.00"}, year=2025, user=user)["GHA"]
    new = issued_invoices({"GHA": "300.00"}, year=2026, user=user)["GHA"]
    ghana = State.objects.get(iso3="GHA")
    payment = payment_services.payment_record(
        fund=fund(), state=ghana, received_on=dt.date(2026, 2, 1), amount=D("450.00"), user=user, bank_reference="B1"
    )
    allocations = list(Allocation.objects.filter(payment=payment).order_by("pk").values_list("invoice_id", "amount"))
    assert allocations == [(old.pk, D("100.00")), (new.pk, D("300.00"))]
    assert ledger.payment_credits([payment.pk]) == {payment.pk: D("50.00")}
    assert ledger.invariant_problems(fund()) == []


def test_refusals_write_nothing():
    user = UserFactory()
    invoice = issued_invoices({"GHA": "100.00"}, user=user)["GHA"]
    ghana = invoice.state
    counts = (Payment.objects.count(), JournalEntry.objects.count(), JournalLine.objects.count())
    cases = [
        {"amount": D("0"), "received_on": dt.date(2026, 1, 1)},
        {"amount": D("-5"), "received_on": dt.date(2026, 1, 1)},
        {"amount": D("5"), "received_on": dt.date.today() + dt.timedelta(days=1)},
        {"amount": D("5.001"), "received_on": dt.date(2026, 1, 1)},
    ]
    for case in cases:
        with pytest.raises(ValidationError):
            payment_services.payment_record(fund=fund(), state=ghana, user=user, **case)
    payment_services.payment_record(
        fund=fund(),
        state=ghana,
        received_on=dt.date(2026, 1, 1),
        amount=D("5"),
        user=user,
        bank_reference="R1",
        allocate=False,
    )
    with pytest.raises(ValidationError, match="R1"):
        payment_services.payment_record(
            fund=fund(), state=ghana, received_on=dt.date(2026, 1, 2), amount=D("7"), user=user, bank_reference="R1"
        )
    payment = Payment.objects.get(bank_reference="R1")
    with pytest.raises(ValidationError, match="left"):
        payment_services.allocation_make(payment=payment, invoice=invoice, amount=D("5.01"), user=user)
    with pytest.raises(ValidationError):
        invoice_services.credit_note_issue(invoice=invoice, amount=D("100.01"), reason="Too much", user=user)
    with pytest.raises(ValidationError):
        invoice_services.credit_note_issue(invoice=invoice, amount=D("1"), reason="  ", user=user)
    assert Payment.objects.count() == counts[0] + 1
    assert JournalEntry.objects.count() == counts[1] + 1


def test_credit_notes_and_reversals_keep_the_invariants():
    user = UserFactory()
    invoice = issued_invoices({"GHA": "100.00"}, user=user)["GHA"]
    note = invoice_services.credit_note_issue(invoice=invoice, amount=D("10.00"), reason="Rate corrected", user=user)
    assert note.number.startswith("CN-")
    payment = payment_services.payment_record(
        fund=fund(), state=invoice.state, received_on=dt.date(2026, 1, 5), amount=D("90.00"), user=user
    )
    assert ledger.invoice_balances([invoice.pk]) == {invoice.pk: D("0.00")}
    with pytest.raises(ValidationError, match="allocations"):
        payment_services.payment_reverse(payment=payment, user=user)
    payment_services.allocation_reverse(allocation=payment.allocations.get(), user=user)
    assert ledger.invoice_balances([invoice.pk]) == {invoice.pk: D("90.00")}
    payment_services.payment_reverse(payment=payment, user=user)
    assert ledger.payment_credits([payment.pk]) == {payment.pk: D("0.00")}
    assert ledger.invariant_problems(fund()) == []
    with pytest.raises(ValidationError):
        ledger.reverse(invoice.ledger_lines.first().entry, on=dt.date.today(), user=user)


def test_the_database_refuses_edits_of_posted_entries_and_issued_invoices():
    invoice = issued_invoices({"GHA": "100.00"})["GHA"]
    entry = JournalEntry.objects.get(kind="invoice")
    for attempt in (
        lambda: JournalLine.objects.filter(entry=entry).update(debit=D("1")),
        lambda: JournalEntry.objects.filter(pk=entry.pk).update(memo="changed"),
        lambda: Invoice.objects.filter(pk=invoice.pk).update(amount=D("1")),
        lambda: JournalLine.objects.filter(entry=entry)._raw_delete(JournalLine.objects.db),
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            attempt()
    Invoice.objects.filter(pk=invoice.pk).update(pdf="finance/invoices/x.pdf")  # not an amount: allowed

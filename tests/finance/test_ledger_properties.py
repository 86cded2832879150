"""The ledger's invariants under random sequences of everything that moves money (issue 5 point 6).

A hypothesis state machine issues invoices for a few States and years, records payments (some
larger than what is owed, some left unallocated), lets staff allocate (including amounts that must
be refused), issues credit notes (including too large ones), reverses allocations and payments
(a payment is refused while allocated), and tries to UPDATE or DELETE posted rows directly (the
database must refuse). After every step the ledger is checked against itself, against the
documents, and against a plain-Python model of what each State owes and holds that the test keeps
on its own.

Each example runs inside its own `transaction.atomic()` block, rolled back at the end, so examples
never see each other's rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Sum
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from secretariat.finance import ledger
from secretariat.finance.ledger import ZERO
from secretariat.finance.models import (
    AccountCode,
    Allocation,
    CreditNote,
    Invoice,
    JournalEntry,
    JournalLine,
    Payment,
)
from secretariat.finance.services import invoices as invoice_services
from secretariat.finance.services import payments as payment_services
from secretariat.states.models import State
from tests.factories import UserFactory
from tests.finance.factories import fund, issued_invoices

pytestmark = pytest.mark.django_db

STATES = ["GHA", "MEX", "CRI"]
YEARS = [2023, 2024, 2025, 2026]
RECEIVED_ON = dt.date(2026, 2, 1)  # after every invoice's date of issue (the year before, October)

cents = st.integers(min_value=1, max_value=60_000).map(lambda n: Decimal(n) / 100)
amount_per_state = st.dictionaries(st.sampled_from(STATES), cents, min_size=1, max_size=len(STATES))


@dataclass
class InvoiceModel:
    pk: int
    state: str
    year: int
    due_on: dt.date
    sequence: int
    amount: Decimal
    credited: Decimal = ZERO
    allocated: Decimal = ZERO

    @property
    def open(self) -> Decimal:
        return self.amount - self.credited - self.allocated


@dataclass
class PaymentModel:
    pk: int
    state: str
    amount: Decimal
    allocated: Decimal = ZERO
    reversed: bool = False

    @property
    def left(self) -> Decimal:
        return ZERO if self.reversed else self.amount - self.allocated


@dataclass
class AllocationModel:
    pk: int
    payment: int
    invoice: int
    amount: Decimal
    live: bool = True


def _counts() -> tuple[int, int, int, int, int]:
    return (
        JournalEntry.objects.count(),
        JournalLine.objects.count(),
        Allocation.objects.count(),
        CreditNote.objects.count(),
        Payment.objects.count(),
    )


class LedgerMachine(RuleBasedStateMachine):
    """Drives the receivables services; `self.invoices` / `self.payments` / `self.allocations` are
    the model: what the test expects, computed without reading the ledger."""

    def __init__(self) -> None:
        super().__init__()
        self.block = transaction.atomic()
        self.block.__enter__()
        self.fund = fund()
        self.user = UserFactory()
        self.states = {state.iso3: state for state in State.objects.filter(iso3__in=STATES)}
        self.invoices: dict[int, InvoiceModel] = {}
        self.payments: dict[int, PaymentModel] = {}
        self.allocations: dict[int, AllocationModel] = {}
        self.issued_years: set[int] = set()

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self.block.__exit__(None, None, None)

    # ------------------------------------------------------------------------ helpers

    def _refused(self, call, *, error: type[Exception] = ValidationError) -> None:
        """`call` must be refused and write nothing."""
        before = _counts()
        with pytest.raises(error):
            call()
        assert _counts() == before

    def _record_new_allocations(self, before: set[int]) -> list[Allocation]:
        new = list(Allocation.objects.exclude(pk__in=before).order_by("pk"))
        for allocation in new:
            self.allocations[allocation.pk] = AllocationModel(
                allocation.pk, allocation.payment_id, allocation.invoice_id, allocation.amount
            )
        return new

    def _oldest_first(self, state: str, amount: Decimal) -> list[tuple[int, Decimal]]:
        """What the model says an oldest-first allocation of `amount` does."""
        plan = []
        open_invoices = sorted(
            (invoice for invoice in self.invoices.values() if invoice.state == state and invoice.open > 0),
            key=lambda invoice: (invoice.due_on, invoice.year, invoice.sequence),
        )
        for invoice in open_invoices:
            if amount <= 0:
                break
            take = min(amount, invoice.open)
            plan.append((invoice.pk, take))
            amount -= take
        return plan

    # ------------------------------------------------------------------------ rules
    # Documents are picked from the model by index (`pick`), so a rule can aim at what makes
    # sense ("an open invoice of the payment's State") as well as at what must be refused.

    def _issue(self, year: int, amounts: dict[str, Decimal]) -> None:
        self.issued_years.add(year)
        issued = issued_invoices({iso3: str(amount) for iso3, amount in amounts.items()}, year=year, user=self.user)
        assert set(issued) == set(amounts)
        for iso3, invoice in issued.items():
            assert invoice.amount == amounts[iso3]
            self.invoices[invoice.pk] = InvoiceModel(
                invoice.pk, iso3, year, invoice.due_on, invoice.sequence, invoice.amount
            )

    @initialize(year=st.sampled_from(YEARS), amounts=amount_per_state)
    def first_invoices(self, year, amounts):
        self._issue(year, amounts)

    @precondition(lambda self: len(self.issued_years) < len(YEARS))
    @rule(pick=st.integers(min_value=0, max_value=len(YEARS) - 1), amounts=amount_per_state)
    def issue_invoices(self, pick, amounts):
        """A year's invoices are issued once (the service refuses a second run for the year)."""
        unissued = [year for year in YEARS if year not in self.issued_years]
        self._issue(unissued[pick % len(unissued)], amounts)

    @rule(
        iso3=st.sampled_from(STATES),
        amount=cents,
        more_than_owed=st.booleans(),
        allocate=st.booleans(),
    )
    def record_payment(self, iso3, amount, more_than_owed, allocate):
        if more_than_owed:
            amount += sum((i.open for i in self.invoices.values() if i.state == iso3), ZERO)
        expected = self._oldest_first(iso3, amount) if allocate else []
        before = set(Allocation.objects.values_list("pk", flat=True))
        payment = payment_services.payment_record(
            fund=self.fund,
            state=self.states[iso3],
            received_on=RECEIVED_ON,
            amount=amount,
            user=self.user,
            allocate=allocate,
        )
        self.payments[payment.pk] = PaymentModel(payment.pk, iso3, amount)
        new = self._record_new_allocations(before)
        assert [(allocation.invoice_id, allocation.amount) for allocation in new] == expected
        for invoice_id, take in expected:
            self.invoices[invoice_id].allocated += take
            self.payments[payment.pk].allocated += take

    @precondition(lambda self: self.payments and self.invoices)
    @rule(
        pick_payment=st.integers(min_value=0),
        pick_invoice=st.integers(min_value=0),
        amount=cents,
        how=st.sampled_from(["what fits", "what fits", "what fits", "as drawn", "too much", "another State"]),
    )
    def allocate(self, pick_payment, pick_invoice, amount, how):
        """Staff choose an invoice. "what fits" takes a payment with money left and an open invoice
        of its State when there is one; "too much" asks for more than the payment or the invoice
        has; "another State" aims at another State's invoice."""
        payments = list(self.payments.values())
        invoices = list(self.invoices.values())
        payment = payments[pick_payment % len(payments)]
        invoice = invoices[pick_invoice % len(invoices)]
        if how == "what fits":
            pairs = [(p, i) for p in payments if p.left > 0 for i in invoices if i.state == p.state and i.open > 0]
            if pairs:
                payment, invoice = pairs[(pick_payment + pick_invoice) % len(pairs)]
                amount = min(amount, payment.left, invoice.open)
        elif how == "too much":
            amount = max(payment.left, invoice.open) + amount
        elif how == "another State":
            others = [i for i in invoices if i.state != payment.state]
            invoice = others[pick_invoice % len(others)] if others else invoice
        call = lambda: payment_services.allocation_make(  # noqa: E731
            payment=Payment.objects.get(pk=payment.pk),
            invoice=Invoice.objects.get(pk=invoice.pk),
            amount=amount,
            user=self.user,
        )
        if payment.state != invoice.state or amount > payment.left or amount > invoice.open:
            self._refused(call)
            return
        allocation = call()
        assert (allocation.payment_id, allocation.invoice_id, allocation.amount) == (payment.pk, invoice.pk, amount)
        self.allocations[allocation.pk] = AllocationModel(allocation.pk, payment.pk, invoice.pk, amount)
        payment.allocated += amount
        invoice.allocated += amount

    @precondition(lambda self: self.invoices)
    @rule(pick=st.integers(min_value=0), amount=cents, too_much=st.booleans())
    def credit_note(self, pick, amount, too_much):
        invoices = list(self.invoices.values())
        open_ones = [i for i in invoices if i.open > 0]
        invoice = (open_ones or invoices)[pick % len(open_ones or invoices)]
        amount = invoice.open + amount if too_much else min(amount, invoice.open) or amount
        call = lambda: invoice_services.credit_note_issue(  # noqa: E731
            invoice=Invoice.objects.get(pk=invoice.pk), amount=amount, reason="Correction", user=self.user
        )
        if amount > invoice.open:
            self._refused(call)
            return
        note = call()
        assert (note.invoice_id, note.amount) == (invoice.pk, amount)
        invoice.credited += amount

    @precondition(lambda self: self.allocations)
    @rule(pick=st.integers(min_value=0))
    def reverse_allocation(self, pick):
        allocation = list(self.allocations.values())[pick % len(self.allocations)]
        call = lambda: payment_services.allocation_reverse(  # noqa: E731
            allocation=Allocation.objects.select_related("payment", "entry").get(pk=allocation.pk), user=self.user
        )
        if not allocation.live:
            self._refused(call)  # an entry is reversed once
            return
        call()
        allocation.live = False
        self.payments[allocation.payment].allocated -= allocation.amount
        self.invoices[allocation.invoice].allocated -= allocation.amount

    @precondition(lambda self: self.payments)
    @rule(pick=st.integers(min_value=0))
    def reverse_payment(self, pick):
        """Refused while any of the payment's allocations is live, and once reversed."""
        payment = list(self.payments.values())[pick % len(self.payments)]
        call = lambda: payment_services.payment_reverse(  # noqa: E731
            payment=Payment.objects.get(pk=payment.pk), user=self.user
        )
        if payment.reversed or payment.allocated > 0:
            self._refused(call)
            return
        call()
        payment.reversed = True

    @precondition(lambda self: self.invoices)
    @rule(
        change=st.sampled_from(
            [
                ("finance_journalentry", "UPDATE", "memo = 'changed'"),
                ("finance_journalentry", "DELETE", ""),
                ("finance_journalline", "UPDATE", "debit = debit + 1"),
                ("finance_journalline", "DELETE", ""),
                ("finance_invoice", "UPDATE", "amount = amount + 1"),
                ("finance_invoice", "DELETE", ""),
                ("finance_payment", "UPDATE", "amount = amount + 1"),
                ("finance_allocation", "DELETE", ""),
                ("finance_creditnote", "UPDATE", "amount = amount + 1"),
            ]
        ),
        pick=st.integers(min_value=0, max_value=10_000),
    )
    def tamper(self, change, pick):
        """Posted rows cannot be changed or removed, whatever the code path (here: raw SQL)."""
        table, verb, assignment = change
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id FROM {table} ORDER BY id")  # noqa: S608 - table names from the list above
            ids = [row[0] for row in cursor.fetchall()]
        if not ids:
            return
        row_id = ids[pick % len(ids)]
        sql = (
            f"UPDATE {table} SET {assignment} WHERE id = %s"  # noqa: S608
            if verb == "UPDATE"
            else f"DELETE FROM {table} WHERE id = %s"  # noqa: S608
        )
        before = _counts()
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [row_id])
        assert _counts() == before

    # ------------------------------------------------------------------------ invariants

    @invariant()
    def ledger_agrees_with_itself_the_documents_and_the_model(self):
        """Checked after every step (each read made once: this runs a few hundred times)."""
        assert ledger.invariant_problems(self.fund) == []

        # Every entry balances and has the lines it says it has.
        entries = (
            JournalEntry.objects.filter(fund=self.fund)
            .annotate(debits=Sum("lines__debit"), credits=Sum("lines__credit"), lines_count=Count("lines"))
            .values_list("number", "total", "debits", "credits", "line_count", "lines_count")
        )
        for number, total, debits, credits, line_count, lines_count in entries:
            assert debits == credits == total, number
            assert line_count == lines_count >= 2, number

        # Receivables == the open invoice balances == amount - credit notes - live allocations.
        balances = ledger.account_balances(self.fund)
        receivable_debit, receivable_credit = balances.get(AccountCode.RECEIVABLE, (ZERO, ZERO))
        open_balances = ledger.invoice_balances(self.invoices)
        credited = dict(
            CreditNote.objects.values("invoice_id").annotate(s=Sum("amount")).values_list("invoice_id", "s")
        )
        live_allocations = list(
            Allocation.objects.filter(entry__reversed_by__isnull=True).values_list("pk", "invoice_id", "amount")
        )
        allocated: dict[int, Decimal] = {}
        for _pk, invoice_id, amount in live_allocations:
            allocated[invoice_id] = allocated.get(invoice_id, ZERO) + amount
        documents = sum(
            (
                amount - credited.get(pk, ZERO) - allocated.get(pk, ZERO)
                for pk, amount in Invoice.objects.values_list("pk", "amount")
            ),
            ZERO,
        )
        assert receivable_debit - receivable_credit == sum(open_balances.values(), ZERO) == documents

        # The model (kept by the test, never read from the ledger) agrees, and nothing is below zero.
        for pk, invoice in self.invoices.items():
            assert open_balances.get(pk, ZERO) == invoice.open >= 0, pk
        payment_credits = ledger.payment_credits(self.payments)
        for pk, payment in self.payments.items():
            assert payment_credits.get(pk, ZERO) == payment.left >= 0, pk
        bank_debit, bank_credit = balances.get(AccountCode.BANK, (ZERO, ZERO))
        assert bank_debit - bank_credit == sum((p.amount for p in self.payments.values() if not p.reversed), ZERO)
        held_debit, held_credit = balances.get(AccountCode.STATE_CREDITS, (ZERO, ZERO))
        assert held_credit - held_debit == sum((p.left for p in self.payments.values()), ZERO)
        assert {pk for pk, _invoice, _amount in live_allocations} == {
            pk for pk, allocation in self.allocations.items() if allocation.live
        }


def test_ledger_invariants_hold_under_random_sequences(db):
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=15,
            stateful_step_count=20,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )

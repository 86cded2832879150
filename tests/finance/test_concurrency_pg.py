"""Two staff allocating the same payment at the same moment (PostgreSQL, where the row lock
matters): one succeeds, the other is told what is left, and the ledger's invariants hold.

Run it with `DATABASE_URL=postgres://app:app@127.0.0.1:5432/app_receivables`; on SQLite it is
skipped (SQLite lets one writer in at a time, so the race cannot happen there).
"""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal as D

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection

from secretariat.finance import ledger
from secretariat.finance.models import Allocation, Payment
from secretariat.finance.reference import ensure_reference_data
from secretariat.finance.services.payments import allocation_make, payment_record
from tests.factories import UserFactory
from tests.finance.factories import fund, issued_invoices


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_allocations_of_one_payment_cannot_both_use_the_money():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself; the payment's row lock matters on PostgreSQL")
    # A transactional test starts from what an earlier one's flush left: load the registry and
    # the funds again (both idempotent).
    call_command("load_reference_data", verbosity=0)
    ensure_reference_data(apps)
    officer = UserFactory(email="concurrent.allocator@example.org")
    old = issued_invoices({"GHA": "100.00"}, year=2025, user=officer)["GHA"]
    new = issued_invoices({"GHA": "100.00"}, year=2026, user=officer)["GHA"]
    payment = payment_record(
        fund=fund(),
        state=old.state,
        received_on=dt.date(2026, 1, 10),
        amount=D("150.00"),
        user=officer,
        bank_reference="RACE-1",
        allocate=False,
    )
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def allocate(invoice):
        try:
            barrier.wait()
            allocation_make(
                payment=Payment.objects.get(pk=payment.pk), invoice=invoice, amount=D("100.00"), user=officer
            )
            outcomes.append("allocated")
        except ValidationError as error:
            outcomes.append(error.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=allocate, args=(invoice,)) for invoice in (old, new)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == [
        "Only 50.00 of this payment is left to allocate; 100.00 is more than that.",
        "allocated",
    ]
    assert Allocation.objects.filter(payment=payment).count() == 1
    assert ledger.payment_credits([payment.pk]) == {payment.pk: D("50.00")}
    balances = ledger.invoice_balances([old.pk, new.pk])
    assert sorted(balances.values()) == [D("0.00"), D("100.00")]
    assert ledger.invariant_problems(fund()) == []

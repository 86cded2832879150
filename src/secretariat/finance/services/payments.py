"""Payments received from States, and their allocation to invoices.

A payment is posted to the State's credit (Dr Bank / Cr 2100, naming the payment); an allocation
moves part of that credit onto an invoice (Dr 2100 / Cr 1200). Whatever is not allocated stays as
the State's credit (an overpayment) until staff allocate it to a later invoice. The payment row
is locked while it is allocated, so two staff allocating the same payment at once cannot both use
the same money: the second waits, then sees what is left.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from secretariat.states.models import State

from .. import ledger
from ..ledger import ZERO, EntrySpec, Line
from ..models import AccountCode, Allocation, EntryKind, Fund, Invoice, JournalEntry, Payment, PaymentSource


def _check_amount(amount: Decimal | None) -> None:
    if amount is None or amount <= 0:
        raise ValidationError(_("The amount must be more than zero."))
    if ledger.cents(amount) != amount:
        raise ValidationError(_("Amounts are kept to the cent."))


def payment_record(
    *,
    fund: Fund,
    state: State,
    received_on: dt.date,
    amount: Decimal,
    user,
    bank_reference: str = "",
    payer: str = "",
    original_amount: Decimal | None = None,
    original_currency: str = "",
    exchange_rate: Decimal | None = None,
    note: str = "",
    statement=None,
    allocate: bool = True,
) -> Payment:
    """Record a payment (and, unless `allocate` is False, allocate it to the State's oldest open
    invoices). Refused with a clear message, nothing written: an amount of zero or less, a date in
    the future, a bank reference already recorded in this fund, an incomplete original currency."""
    _check_amount(amount)
    if received_on > timezone.localdate():
        raise ValidationError(_("A payment cannot be dated in the future (%(day)s).") % {"day": received_on})
    bank_reference = (bank_reference or "").strip()
    original_currency = (original_currency or "").strip().upper()
    given = [original_amount is not None, bool(original_currency), exchange_rate is not None]
    if any(given) and not all(given):
        raise ValidationError(
            _("A payment in another currency needs the amount paid, its currency and the exchange rate used.")
        )
    if original_amount is not None and (original_amount <= 0 or exchange_rate <= 0):
        raise ValidationError(_("The amount paid and the exchange rate must be more than zero."))
    if original_currency == fund.currency:
        raise ValidationError(_("The payment is already in the fund's currency; leave the original currency empty."))
    if bank_reference and Payment.objects.filter(fund=fund, bank_reference=bank_reference).exists():
        raise ValidationError(
            _("A payment with the bank reference %(reference)s is already recorded.") % {"reference": bank_reference}
        )
    entry_id = uuid.uuid4()
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                fund=fund,
                state=state,
                received_on=received_on,
                amount=amount,
                original_amount=original_amount,
                original_currency=original_currency,
                exchange_rate=exchange_rate,
                bank_reference=bank_reference,
                payer=payer[:300],
                source=PaymentSource.BANK if statement else PaymentSource.MANUAL,
                statement=statement,
                entry_id=entry_id,
                note=note,
                recorded_by=user,
            )
            ledger.post_one(
                fund,
                EntrySpec(
                    date=received_on,
                    kind=EntryKind.PAYMENT,
                    memo=f"Payment {state.iso3} {bank_reference}".strip(),
                    lines=[
                        Line(AccountCode.BANK, debit=amount, state_id=state.pk),
                        Line(AccountCode.STATE_CREDITS, credit=amount, payment_id=payment.pk, state_id=state.pk),
                    ],
                    entry_id=entry_id,
                ),
                user=user,
            )
            if allocate:
                allocations_oldest_first(payment=payment, user=user)
    except IntegrityError as error:  # a simultaneous record of the same bank reference
        if bank_reference and Payment.objects.filter(fund=fund, bank_reference=bank_reference).exists():
            raise ValidationError(
                _("A payment with the bank reference %(reference)s is already recorded.")
                % {"reference": bank_reference}
            ) from error
        raise
    return payment


def open_invoices(*, fund: Fund, state_id: int) -> list[tuple[Invoice, Decimal]]:
    """The State's invoices in the fund with an open balance, oldest first (due date, then number)."""
    invoices = list(Invoice.objects.filter(fund=fund, state_id=state_id).order_by("due_on", "year", "sequence"))
    balances = ledger.invoice_balances(invoice.pk for invoice in invoices)
    return [(invoice, balances[invoice.pk]) for invoice in invoices if balances.get(invoice.pk, ZERO) > 0]


def _allocation_specs(payment: Payment, plan: list[tuple[Invoice, Decimal]]) -> list[tuple[EntrySpec, Allocation]]:
    pairs = []
    for invoice, amount in plan:
        entry_id = uuid.uuid4()
        spec = EntrySpec(
            # The value date: when the money and the invoice were both there (never in the future).
            date=max(payment.received_on, invoice.issued_on),
            kind=EntryKind.ALLOCATION,
            memo=f"Payment {payment.pk} to invoice {invoice.number}",
            lines=[
                Line(AccountCode.STATE_CREDITS, debit=amount, payment_id=payment.pk, state_id=payment.state_id),
                Line(AccountCode.RECEIVABLE, credit=amount, invoice_id=invoice.pk, state_id=invoice.state_id),
            ],
            entry_id=entry_id,
        )
        pairs.append((spec, Allocation(payment=payment, invoice=invoice, amount=amount, entry_id=entry_id)))
    return pairs


def _write_allocations(payment: Payment, plan: list[tuple[Invoice, Decimal]], user) -> list[Allocation]:
    pairs = _allocation_specs(payment, plan)
    allocations = [allocation for _spec, allocation in pairs]
    for allocation in allocations:
        allocation.allocated_by = user
    Allocation.objects.bulk_create(allocations)
    ledger.post(payment.fund, [spec for spec, _allocation in pairs], user=user)
    return allocations


def _locked(payment: Payment) -> tuple[Payment, Decimal]:
    payment = Payment.objects.select_for_update().select_related("fund").get(pk=payment.pk)
    return payment, ledger.payment_credits([payment.pk]).get(payment.pk, ZERO)


def allocations_oldest_first(*, payment: Payment, user) -> list[Allocation]:
    """Allocate what is left of the payment to the State's open invoices, oldest first. What no
    invoice takes stays as the State's credit."""
    with transaction.atomic():
        payment, left = _locked(payment)
        plan = []
        for invoice, balance in open_invoices(fund=payment.fund, state_id=payment.state_id):
            if left <= 0:
                break
            take = min(left, balance)
            plan.append((invoice, take))
            left -= take
        return _write_allocations(payment, plan, user) if plan else []


def allocation_make(*, payment: Payment, invoice: Invoice, amount: Decimal, user) -> Allocation:
    """Staff choose: allocate `amount` of the payment to `invoice`. Refused, nothing written: more
    than the payment has left, more than the invoice has open, another State's or fund's invoice."""
    _check_amount(amount)
    with transaction.atomic():
        payment, left = _locked(payment)
        if invoice.state_id != payment.state_id or invoice.fund_id != payment.fund_id:
            raise ValidationError(_("A payment is allocated only to invoices of the same State and fund."))
        if amount > left:
            raise ValidationError(
                _("Only %(left)s of this payment is left to allocate; %(amount)s is more than that.")
                % {"left": left, "amount": amount}
            )
        open_balance = ledger.invoice_balances([invoice.pk]).get(invoice.pk, ZERO)
        if amount > open_balance:
            raise ValidationError(
                _("Invoice %(number)s has %(open)s open; %(amount)s is more than that.")
                % {"number": invoice.number, "open": open_balance, "amount": amount}
            )
        return _write_allocations(payment, [(invoice, amount)], user)[0]


def allocation_reverse(*, allocation: Allocation, user, on: dt.date | None = None) -> JournalEntry:
    """Undo an allocation: the amount goes back onto the invoice and into the payment's credit."""
    with transaction.atomic():
        _locked(allocation.payment)
        return ledger.reverse(allocation.entry, on=on or timezone.localdate(), user=user)


def payment_reverse(*, payment: Payment, user, on: dt.date | None = None) -> JournalEntry:
    """Undo a payment recorded in error (reverse its allocations first)."""
    with transaction.atomic():
        payment, left = _locked(payment)
        if left != payment.amount:
            raise ValidationError(_("Reverse this payment's allocations to invoices first."))
        return ledger.reverse(payment.entry, on=on or timezone.localdate(), user=user)

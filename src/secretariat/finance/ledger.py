"""Posting to the ledger: the one way money moves (services call this; views never do).

`post()` writes any number of balanced entries with a fixed number of queries: the entry numbers
are taken from the fund's gapless counter, the lines are inserted, then the entries (the database
checks each entry against its lines on insert: finance/triggers.py). The same rules are checked
here first, so a caller gets a `ValidationError` with a clear message rather than a database error.
Call it inside the caller's `transaction.atomic()`: everything a user action writes commits
together or not at all.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.utils.translation import gettext as _

from .models import Account, AccountCode, EntryKind, Fund, JournalEntry, JournalLine, NumberSequence
from .models.common import CENT

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Line:
    account: str  # an AccountCode
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    state_id: int | None = None
    invoice_id: int | None = None
    payment_id: int | None = None
    budget_line_id: int | None = None
    donor_id: int | None = None


@dataclass
class EntrySpec:
    date: dt.date
    kind: str  # an EntryKind
    memo: str
    lines: Sequence[Line]
    reverses: JournalEntry | None = None
    # Set it to make the entry's key in advance, when a document row must point at its entry.
    entry_id: uuid.UUID | None = None
    # Filled by post(): the entry as written.
    entry: JournalEntry | None = field(default=None, repr=False)


def next_numbers(key: str, count: int = 1) -> int:
    """Take `count` consecutive numbers from the counter `key`; returns the first one. The row stays
    locked until the caller's transaction ends, so numbers are gapless and never shared."""
    NumberSequence.objects.get_or_create(key=key)
    NumberSequence.objects.filter(key=key).update(last_value=F("last_value") + count)
    last = NumberSequence.objects.values_list("last_value", flat=True).get(key=key)
    return last - count + 1


def cents(amount: Decimal) -> Decimal:
    return Decimal(amount).quantize(CENT)


def _check(spec: EntrySpec) -> None:
    if len(spec.lines) < 2:
        raise ValidationError(_("A journal entry needs at least two lines."))
    debits = credits = ZERO
    for line in spec.lines:
        if line.debit != cents(line.debit) or line.credit != cents(line.credit):
            raise ValidationError(_("Amounts are kept to the cent."))
        if line.debit < 0 or line.credit < 0 or (line.debit > 0) == (line.credit > 0):
            raise ValidationError(_("Each line is either a debit or a credit, and more than zero."))
        if line.account == AccountCode.RECEIVABLE and line.invoice_id is None:
            raise ValidationError(_("A receivable line must name its invoice."))
        if line.account == AccountCode.STATE_CREDITS and line.payment_id is None:
            raise ValidationError(_("A line on unallocated payments must name its payment."))
        debits += line.debit
        credits += line.credit
    if debits != credits:
        raise ValidationError(
            _("The entry does not balance: debits %(debits)s, credits %(credits)s.")
            % {"debits": debits, "credits": credits}
        )


def _check_balances(specs: Sequence[EntrySpec]) -> None:
    """No invoice's receivable, and no payment's unallocated credit, may go below zero."""
    invoice_moves: dict[int, Decimal] = defaultdict(Decimal)
    payment_moves: dict[int, Decimal] = defaultdict(Decimal)
    for spec in specs:
        for line in spec.lines:
            if line.account == AccountCode.RECEIVABLE:
                invoice_moves[line.invoice_id] += line.debit - line.credit
            elif line.account == AccountCode.STATE_CREDITS:
                payment_moves[line.payment_id] += line.credit - line.debit
    if any(move < 0 for move in invoice_moves.values()):
        current = invoice_balances([pk for pk, move in invoice_moves.items() if move < 0])
        for pk, move in invoice_moves.items():
            if current.get(pk, ZERO) + move < 0:
                raise ValidationError(
                    _("This would take more than the %(open)s still open on the invoice.")
                    % {"open": current.get(pk, ZERO)}
                )
    if any(move < 0 for move in payment_moves.values()):
        current = payment_credits([pk for pk, move in payment_moves.items() if move < 0])
        for pk, move in payment_moves.items():
            if current.get(pk, ZERO) + move < 0:
                raise ValidationError(
                    _("This would use more than the %(left)s left unallocated on the payment.")
                    % {"left": current.get(pk, ZERO)}
                )


def post(fund: Fund, specs: Sequence[EntrySpec], *, user=None) -> list[JournalEntry]:
    """Write the entries (all or none). Queries: a fixed handful, whatever len(specs)."""
    if not specs:
        return []
    for spec in specs:
        _check(spec)
    _check_balances(specs)
    with transaction.atomic():
        accounts = dict(Account.objects.filter(fund=fund).values_list("code", "pk"))
        first = next_numbers(f"entry:{fund.code}", len(specs))
        entries: list[JournalEntry] = []
        lines: list[JournalLine] = []
        for offset, spec in enumerate(specs):
            entry = JournalEntry(
                id=spec.entry_id or uuid.uuid4(),
                fund=fund,
                number=first + offset,
                date=spec.date,
                kind=spec.kind,
                memo=spec.memo[:300],
                total=sum((line.debit for line in spec.lines), ZERO),
                line_count=len(spec.lines),
                reverses=spec.reverses,
                posted_by=user,
            )
            entries.append(entry)
            spec.entry = entry
            lines += [
                JournalLine(
                    entry_id=entry.pk,
                    account_id=accounts[line.account],
                    debit=line.debit,
                    credit=line.credit,
                    state_id=line.state_id,
                    invoice_id=line.invoice_id,
                    payment_id=line.payment_id,
                    budget_line_id=line.budget_line_id,
                    donor_id=line.donor_id,
                )
                for line in spec.lines
            ]
        # Lines first, then their entries: the database checks each entry against its lines.
        JournalLine.objects.bulk_create(lines)
        JournalEntry.objects.bulk_create(entries)
    return entries


def post_one(fund: Fund, spec: EntrySpec, *, user=None) -> JournalEntry:
    return post(fund, [spec], user=user)[0]


def reverse(entry: JournalEntry, *, on: dt.date, user=None, memo: str = "") -> JournalEntry:
    """Post the mirror image of `entry` (debits become credits). An entry is reversed once; a
    reversal is not itself reversed (post the original again instead)."""
    if entry.kind == EntryKind.REVERSAL:
        raise ValidationError(_("A reversal cannot be reversed; post the original entry again."))
    if entry.kind in (EntryKind.INVOICE, EntryKind.CREDIT_NOTE):
        raise ValidationError(_("An issued invoice or credit note stands; correct it with a credit note."))
    if JournalEntry.objects.filter(reverses=entry).exists():
        raise ValidationError(_("This entry has already been reversed."))
    if on < entry.date:
        raise ValidationError(_("A reversal cannot be dated before the entry it reverses."))
    mirrored = [
        Line(
            account=line.account.code,
            debit=line.credit,
            credit=line.debit,
            state_id=line.state_id,
            invoice_id=line.invoice_id,
            payment_id=line.payment_id,
            budget_line_id=line.budget_line_id,
            donor_id=line.donor_id,
        )
        for line in entry.lines.select_related("account")
    ]
    spec = EntrySpec(
        date=on,
        kind=EntryKind.REVERSAL,
        memo=memo or _("Reversal of entry %(number)s") % {"number": entry.number},
        lines=mirrored,
        reverses=entry,
    )
    return post_one(entry.fund, spec, user=user)


# ---------------------------------------------------------------------------- balances (reads)


def invoice_balances(invoice_ids: Iterable[int], *, until: dt.date | None = None) -> dict[int, Decimal]:
    """Open balance of each invoice: its receivable lines (dated on or before `until`, if given),
    debits minus credits."""
    lines = JournalLine.objects.filter(account__code=AccountCode.RECEIVABLE, invoice_id__in=list(invoice_ids))
    if until is not None:
        lines = lines.filter(entry__date__lte=until)
    rows = lines.values("invoice_id").annotate(debit=Sum("debit"), credit=Sum("credit"))
    return {row["invoice_id"]: cents(row["debit"] - row["credit"]) for row in rows}


def payment_credits(payment_ids: Iterable[int], *, until: dt.date | None = None) -> dict[int, Decimal]:
    """What is left unallocated of each payment: its credit lines (dated on or before `until`, if
    given), credits minus debits."""
    lines = JournalLine.objects.filter(account__code=AccountCode.STATE_CREDITS, payment_id__in=list(payment_ids))
    if until is not None:
        lines = lines.filter(entry__date__lte=until)
    rows = lines.values("payment_id").annotate(debit=Sum("debit"), credit=Sum("credit"))
    return {row["payment_id"]: cents(row["credit"] - row["debit"]) for row in rows}


def account_balances(fund: Fund, *, until: dt.date | None = None) -> dict[str, tuple[Decimal, Decimal]]:
    """(total debits, total credits) per account code of a fund — the trial balance."""
    lines = JournalLine.objects.filter(account__fund=fund)
    if until is not None:
        lines = lines.filter(entry__date__lte=until)
    rows = lines.values("account__code").annotate(debit=Sum("debit"), credit=Sum("credit"))
    return {row["account__code"]: (cents(row["debit"]), cents(row["credit"])) for row in rows}


def invariant_problems(fund: Fund) -> list[str]:
    """Check the ledger's invariants from scratch; an empty list means they hold.

    - every entry balances and has `line_count` lines;
    - the receivable account equals the sum of the open balances of the fund's invoices, and
      each invoice's open balance equals its amount less credit notes and live allocations;
    - no invoice or payment is below zero.
    """
    from .models import Allocation, CreditNote, Invoice

    problems = []
    per_entry = (
        JournalLine.objects.filter(entry__fund=fund).values("entry_id").annotate(d=Sum("debit"), c=Sum("credit"))
    )
    for row in per_entry:
        if cents(row["d"]) != cents(row["c"]):
            problems.append(f"entry {row['entry_id']} does not balance")
    balances = account_balances(fund)
    debit, credit = balances.get(AccountCode.RECEIVABLE, (ZERO, ZERO))
    invoices = list(Invoice.objects.filter(fund=fund).values_list("pk", "amount"))
    open_balances = invoice_balances(pk for pk, _amount in invoices)
    if cents(debit - credit) != sum(open_balances.values(), ZERO):
        problems.append(f"receivables {debit - credit} != open invoices {sum(open_balances.values(), ZERO)}")
    credited = dict(
        CreditNote.objects.filter(invoice__fund=fund)
        .values("invoice_id")
        .annotate(s=Sum("amount"))
        .values_list("invoice_id", "s")
    )
    allocated = dict(
        Allocation.objects.filter(invoice__fund=fund, entry__reversed_by__isnull=True)
        .values("invoice_id")
        .annotate(s=Sum("amount"))
        .values_list("invoice_id", "s")
    )
    for pk, amount in invoices:
        expected = cents(amount - credited.get(pk, ZERO) - allocated.get(pk, ZERO))
        if open_balances.get(pk, ZERO) != expected:
            problems.append(f"invoice {pk}: ledger {open_balances.get(pk, ZERO)} != documents {expected}")
        if open_balances.get(pk, ZERO) < 0:
            problems.append(f"invoice {pk} below zero")
    for pk, left in payment_credits(
        JournalLine.objects.filter(entry__fund=fund, payment__isnull=False).values_list("payment_id", flat=True)
    ).items():
        if left < 0:
            problems.append(f"payment {pk} below zero")
    return problems

"""Issuing invoices from an approved assessment run, and credit notes.

`invoices_issue` writes one invoice per assessed State, its lines and its ledger entry in ONE
transaction with a fixed number of queries, whatever the number of States (the PDFs are made
later, outside that transaction). An issued invoice is never edited (the database refuses it);
a correction is a credit note with a reason.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import ledger
from ..ledger import ZERO, EntrySpec, Line
from ..models import (
    AccountCode,
    AssessmentRun,
    CostPool,
    CreditNote,
    EntryKind,
    Fund,
    Invoice,
    InvoiceLine,
    RunStatus,
)
from ..tasks import deliver_invoices_later


def default_due_date(year: int, issued_on: dt.date) -> dt.date:
    """Contributions for a financial year are due on its first day; an invoice issued later in
    the year is due 30 days after issue."""
    first_day = dt.date(year, 1, 1)
    return first_day if issued_on < first_day else issued_on + dt.timedelta(days=30)


def invoice_number(year: int, sequence: int) -> str:
    return f"{year}-{sequence:04d}"


POOL_DESCRIPTIONS = {
    CostPool.SECRETARIAT: "Secretariat costs",
    CostPool.CONFERENCE: "Conference costs",
}


def invoices_issue(
    *,
    run: AssessmentRun,
    user,
    issued_on: dt.date | None = None,
    due_on: dt.date | None = None,
    deliver: bool = True,
) -> list[Invoice]:
    """Issue the invoices of an approved run: numbered without gaps in the financial year, in each
    State's working language, posted to the General Budget's ledger; the run becomes "issued".
    Unless `deliver` is False (synthetic demo data), a background task then makes the PDFs and
    e-mails them. Returns the invoices (ordered by State name)."""
    issued_on = issued_on or timezone.localdate()
    if issued_on > timezone.localdate():
        raise ValidationError(_("Invoices cannot be dated in the future."))
    with transaction.atomic():
        run = AssessmentRun.objects.select_for_update().get(pk=run.pk)
        if run.status != RunStatus.APPROVED:
            raise ValidationError(
                _("Only an approved assessment run can be issued (this one is: %(status)s).")
                % {"status": run.get_status_display()}
            )
        if AssessmentRun.objects.filter(year=run.year, status=RunStatus.ISSUED).exists():
            raise ValidationError(_("Invoices for %(year)s have already been issued.") % {"year": run.year})
        due_on = due_on or default_due_date(run.year, issued_on)
        if due_on < issued_on:
            raise ValidationError(_("The due date cannot be before the date of issue."))
        fund = Fund.general()
        per_state: dict[int, list] = defaultdict(list)
        states = {}
        for line in run.lines.select_related("state").filter(amount__gt=0).order_by("state__name_en", "pool"):
            per_state[line.state_id].append(line)
            states[line.state_id] = line.state
        if not per_state:
            raise ValidationError(_("This run assesses nobody: there is nothing to invoice."))
        first = ledger.next_numbers(f"invoice:{run.year}", len(per_state))
        invoices = []
        for offset, (state_id, lines) in enumerate(per_state.items()):
            state = states[state_id]
            invoices.append(
                Invoice(
                    fund=fund,
                    number=invoice_number(run.year, first + offset),
                    year=run.year,
                    sequence=first + offset,
                    state=state,
                    run=run,
                    issued_on=issued_on,
                    due_on=due_on,
                    currency=fund.currency,
                    amount=sum((line.amount for line in lines), ZERO),
                    language=state.working_language,
                    created_by=user,
                )
            )
        Invoice.objects.bulk_create(invoices)  # the keys come back (RETURNING) on both databases
        invoice_lines = []
        specs = []
        for invoice in invoices:
            for line in per_state[invoice.state_id]:
                invoice_lines.append(
                    InvoiceLine(
                        invoice=invoice,
                        pool=line.pool,
                        description=f"{POOL_DESCRIPTIONS.get(line.pool, line.pool)} {run.year}",
                        amount=line.amount,
                    )
                )
            specs.append(
                EntrySpec(
                    date=issued_on,
                    kind=EntryKind.INVOICE,
                    memo=f"Invoice {invoice.number} {invoice.state.iso3}",
                    lines=[
                        Line(
                            AccountCode.RECEIVABLE,
                            debit=invoice.amount,
                            invoice_id=invoice.pk,
                            state_id=invoice.state_id,
                        ),
                        Line(AccountCode.ASSESSED, credit=invoice.amount, state_id=invoice.state_id),
                    ],
                )
            )
        InvoiceLine.objects.bulk_create(invoice_lines)
        ledger.post(fund, specs, user=user)
        AssessmentRun.objects.filter(pk=run.pk).update(status=RunStatus.ISSUED, issued_at=timezone.now())
        run.status = RunStatus.ISSUED
        # The PDFs and e-mails are made by the background task, once this has committed.
        if deliver:
            issued_ids = [invoice.pk for invoice in invoices]
            transaction.on_commit(lambda: deliver_invoices_later(issued_ids), robust=True)
    return invoices


def credit_note_issue(
    *, invoice: Invoice, amount: Decimal, reason: str, user, issued_on: dt.date | None = None
) -> CreditNote:
    """Reduce what a State owes on an invoice, with a reason. At most the invoice's open balance
    (a paid invoice is corrected by reversing the allocation first, which returns the money to
    the State's credit)."""
    issued_on = issued_on or timezone.localdate()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("A credit note needs a reason."))
    if amount is None or amount <= 0:
        raise ValidationError(_("The amount must be more than zero."))
    if ledger.cents(amount) != amount:
        raise ValidationError(_("Amounts are kept to the cent."))
    if issued_on > timezone.localdate():
        raise ValidationError(_("A credit note cannot be dated in the future."))
    if issued_on < invoice.issued_on:
        raise ValidationError(_("A credit note cannot be dated before its invoice."))
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().select_related("fund").get(pk=invoice.pk)
        open_balance = ledger.invoice_balances([invoice.pk]).get(invoice.pk, ZERO)
        if amount > open_balance:
            raise ValidationError(
                _("The credit note (%(amount)s) is more than the %(open)s still open on invoice %(number)s.")
                % {"amount": amount, "open": open_balance, "number": invoice.number}
            )
        sequence = ledger.next_numbers(f"credit-note:{issued_on.year}")
        entry_id = uuid.uuid4()
        note = CreditNote.objects.create(
            invoice=invoice,
            number=f"CN-{issued_on.year}-{sequence:04d}",
            year=issued_on.year,
            sequence=sequence,
            issued_on=issued_on,
            amount=amount,
            reason=reason,
            entry_id=entry_id,
            created_by=user,
        )
        ledger.post_one(
            invoice.fund,
            EntrySpec(
                date=issued_on,
                kind=EntryKind.CREDIT_NOTE,
                memo=f"Credit note {note.number} on invoice {invoice.number}",
                lines=[
                    Line(AccountCode.REDUCTIONS, debit=amount, state_id=invoice.state_id),
                    Line(AccountCode.RECEIVABLE, credit=amount, invoice_id=invoice.pk, state_id=invoice.state_id),
                ],
                entry_id=entry_id,
            ),
            user=user,
        )
    return note

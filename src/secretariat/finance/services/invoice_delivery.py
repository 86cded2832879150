"""Invoices and credit notes as PDFs (WeasyPrint), and invoices sent by e-mail through the outbox.

Never inside the issuing transaction: after `invoices_issue` commits, the background task
(finance/tasks.py) calls `invoices_deliver`, which renders each invoice's PDF, stores it in
`invoice.pdf` and puts one e-mail per invoice in the outbox, in the invoice's language, with the
PDF attached. A PDF not made yet is made on its first download instead (`invoice_pdf_ensure`).

Exactly once: the outbox key of an invoice's e-mail is `invoice:<number>` (the same key twice
gives one message), and `emailed_at` is set in the same transaction as the message is queued.
An invoice with nobody to write to keeps `emailed_at` empty and is listed for staff on the
"invoices not sent" page; it is never dropped.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format, number_format

from secretariat.reminders.models import MessageKind, OutboxMessage
from secretariat.reminders.services import outbox_enqueue, outbox_send_on_commit

from .. import conf
from ..models import CostPool, CreditNote, Invoice
from ..selectors.receivables import Recipients, invoice_key, invoice_recipients

logger = logging.getLogger(__name__)

PDF_MIMETYPE = "application/pdf"


# ---------------------------------------------------------------------------- PDFs


def money_text(amount: Any) -> str:
    """An amount to the cent, grouped the way the active language writes numbers."""
    return number_format(amount, 2, use_l10n=True, force_grouping=True)


def _day(value: dt.date) -> str:
    return date_format(value, "DATE_FORMAT", use_l10n=True)


def _pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported here: loading WeasyPrint (pango) is slow

    return HTML(string=html, base_url=None, url_fetcher=_no_fetch).write_pdf()


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict:
    """The documents load nothing: their CSS is inline and they have no images."""
    raise ValueError(f"Finance documents load no resource ({url}).")


def _line_description(line: Any, year: int) -> str:
    """The cost pool in the document's language ("Secretariat costs 2026"); the stored English
    description when the line has no pool."""
    if line.pool in CostPool.values:
        return f"{CostPool(line.pool).label} {year}"
    return line.description


def _common_context(invoice: Invoice) -> dict[str, Any]:
    return {
        "letterhead": conf.letterhead(),
        "bank": conf.bank_details(),
        "invoice": invoice,
        "state_name": invoice.state.name,  # in the active language (the document's)
        "issued_on": _day(invoice.issued_on),
        "due_on": _day(invoice.due_on),
        "currency": invoice.currency,
    }


def invoice_pdf_html(invoice: Invoice) -> str:
    """The HTML an invoice is printed from, in the invoice's language."""
    with translation.override(invoice.language):
        lines = [
            {"description": _line_description(line, invoice.year), "amount": money_text(line.amount)}
            for line in invoice.lines.order_by("pk")
        ]
        context = {**_common_context(invoice), "lines": lines, "total": money_text(invoice.amount)}
        return render_to_string("finance/pdf/invoice.html", context)


def invoice_pdf_bytes(invoice: Invoice) -> bytes:
    return _pdf(invoice_pdf_html(invoice))


def invoice_pdf_filename(invoice: Invoice) -> str:
    return f"ATT-invoice-{invoice.number}.pdf"


def invoice_pdf_ensure(invoice: Invoice) -> Invoice:
    """The invoice with its PDF stored (rendered now if it was not yet). An issued invoice never
    changes, so the PDF is made once. When the task and a download make it at the same moment,
    the first stored wins and the other's file is removed (a conditional update, not a save: the
    database refuses any change to an invoice's amounts and numbers, and only `pdf` is written)."""
    if invoice.pdf:
        return invoice
    storage = invoice.pdf.storage
    name = storage.save(
        invoice.pdf.field.generate_filename(invoice, invoice_pdf_filename(invoice)),
        ContentFile(invoice_pdf_bytes(invoice)),
    )
    if Invoice.objects.filter(pk=invoice.pk, pdf="").update(pdf=name):
        invoice.pdf.name = name
    else:
        storage.delete(name)
        invoice.pdf.name = Invoice.objects.values_list("pdf", flat=True).get(pk=invoice.pk)
    return invoice


def credit_note_pdf_bytes(note: CreditNote) -> bytes:
    """A credit note as a PDF, in its invoice's language (rendered on demand, not stored)."""
    invoice = note.invoice
    with translation.override(invoice.language):
        context = {
            **_common_context(invoice),
            "note": note,
            "note_issued_on": _day(note.issued_on),
            "amount": money_text(note.amount),
            "invoice_amount": money_text(invoice.amount),
        }
        return _pdf(render_to_string("finance/pdf/credit_note.html", context))


def credit_note_pdf_filename(note: CreditNote) -> str:
    return f"ATT-credit-note-{note.number}.pdf"


# ---------------------------------------------------------------------------- e-mail


def _contributions_link(invoice: Invoice) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("finance:state_contributions", args=[invoice.state.iso3])


def invoice_email_enqueue(invoice: Invoice, recipients: Recipients) -> OutboxMessage | None:
    """Put the invoice's e-mail (PDF attached) in the outbox and mark it e-mailed, together.
    None when there is nobody to write to (the invoice stays "not sent")."""
    if not recipients.addresses:
        return None
    invoice = invoice_pdf_ensure(invoice)
    with translation.override(invoice.language):
        context = {
            "invoice": invoice,
            "state_name": invoice.state.name,
            "total": money_text(invoice.amount),
            "link": _contributions_link(invoice),
            "site_url": settings.SITE_URL,
        }
    with transaction.atomic():
        message = outbox_enqueue(
            key=invoice_key(invoice),
            kind=MessageKind.NOTICE,
            template="finance/emails/invoice",
            to=recipients.addresses,
            context=context,
            language=invoice.language,
            state=invoice.state,
            label=f"Invoice {invoice.number}",
            attachments=[
                {"path": invoice.pdf.name, "filename": invoice_pdf_filename(invoice), "mimetype": PDF_MIMETYPE}
            ],
        )
        now = timezone.now()
        if Invoice.objects.filter(pk=invoice.pk, emailed_at__isnull=True).update(emailed_at=now):
            invoice.emailed_at = now
    return message


@dataclass
class DeliveryResult:
    queued: list[str] = field(default_factory=list)  # invoice numbers put in the outbox
    nobody: list[str] = field(default_factory=list)  # nobody to write to: listed for staff
    failed: list[str] = field(default_factory=list)  # an error (logged); listed for staff
    already: list[str] = field(default_factory=list)  # e-mailed before: nothing done

    def as_dict(self) -> dict[str, int]:
        return {
            "queued": len(self.queued),
            "nobody": len(self.nobody),
            "failed": len(self.failed),
            "already": len(self.already),
        }


def invoices_deliver(*, invoice_ids: Iterable[int], day: dt.date | None = None) -> DeliveryResult:
    """Render and send each invoice (see the module). One invoice's failure does not stop the
    others; it stays on the "invoices not sent" page. The messages go out as soon as this
    commits; if the mail server is down they wait in the outbox."""
    day = day or timezone.localdate()
    result = DeliveryResult()
    invoices = list(
        Invoice.objects.filter(pk__in=list(invoice_ids)).select_related("state").order_by("year", "sequence")
    )
    recipients = invoice_recipients({invoice.state_id for invoice in invoices}, day=day)
    messages = []
    for invoice in invoices:
        if invoice.emailed_at is not None:
            result.already.append(invoice.number)
            continue
        try:
            invoice_pdf_ensure(invoice)
            message = invoice_email_enqueue(invoice, recipients[invoice.state_id])
        except Exception:  # noqa: BLE001 - logged; the invoice stays on the "not sent" page
            logger.exception("Invoice %s could not be rendered or queued", invoice.number)
            result.failed.append(invoice.number)
            continue
        if message is None:
            result.nobody.append(invoice.number)
        else:
            messages.append(message)
            result.queued.append(invoice.number)
    outbox_send_on_commit(messages)
    return result

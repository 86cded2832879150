"""Invoices, credit notes, payments and their allocation to invoices.

An issued invoice is never edited (a database trigger refuses changes to its amounts and
numbers); corrections are credit notes with a reason. Balances are read from the ledger: an
invoice's open balance is its receivable lines; a payment's unallocated credit is its credit lines.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from secretariat.states.models import WorkingLanguage

from .common import currency_field, money


class Invoice(models.Model):
    fund = models.ForeignKey("finance.Fund", on_delete=models.PROTECT, related_name="invoices", verbose_name=_("fund"))
    number = models.CharField(_("number"), max_length=20, unique=True)  # "2026-0001"
    year = models.PositiveSmallIntegerField(_("financial year"))
    sequence = models.PositiveIntegerField(_("sequence in the year"))
    state = models.ForeignKey(
        "states.State", on_delete=models.PROTECT, related_name="invoices", verbose_name=_("State")
    )
    run = models.ForeignKey(
        "finance.AssessmentRun", on_delete=models.PROTECT, null=True, blank=True, related_name="invoices"
    )
    issued_on = models.DateField(_("issued on"))
    due_on = models.DateField(_("due on"))
    currency = currency_field(_("currency"))
    amount = money(_("amount"))
    language = models.CharField(_("language"), max_length=7, choices=WorkingLanguage.choices)
    pdf = models.FileField(_("PDF"), upload_to="finance/invoices/", blank=True, max_length=300)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-year", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence"], name="finance_invoice_gapless_sequence"),
            models.UniqueConstraint(
                fields=["run", "state"], condition=Q(run__isnull=False), name="finance_invoice_one_per_state_run"
            ),
            models.CheckConstraint(name="finance_invoice_amount", condition=Q(amount__gt=0)),
            models.CheckConstraint(name="finance_invoice_due", condition=Q(due_on__gte=models.F("issued_on"))),
        ]

    def __str__(self) -> str:
        return self.number


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines")
    pool = models.CharField(_("cost pool"), max_length=12, blank=True)
    description = models.CharField(_("description"), max_length=300)
    amount = money(_("amount"))

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        ordering = ["invoice", "pk"]
        constraints = [models.CheckConstraint(name="finance_invoiceline_amount", condition=Q(amount__gt=0))]

    def __str__(self) -> str:
        return f"{self.invoice}: {self.description}"


class CreditNote(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="credit_notes")
    number = models.CharField(_("number"), max_length=20, unique=True)  # "CN-2026-0001"
    year = models.PositiveSmallIntegerField(_("year of issue"))
    sequence = models.PositiveIntegerField()
    issued_on = models.DateField(_("issued on"))
    amount = money(_("amount"))
    reason = models.TextField(_("reason"))
    entry = models.OneToOneField("finance.JournalEntry", on_delete=models.PROTECT, related_name="credit_note")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("credit note")
        verbose_name_plural = _("credit notes")
        ordering = ["-year", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence"], name="finance_creditnote_gapless_sequence"),
            models.CheckConstraint(name="finance_creditnote_amount", condition=Q(amount__gt=0)),
            models.CheckConstraint(name="finance_creditnote_reason", condition=~Q(reason="")),
        ]

    def __str__(self) -> str:
        return self.number


class BankStatement(models.Model):
    """An imported bank statement file; the same file (by SHA-256) is never imported twice."""

    fund = models.ForeignKey("finance.Fund", on_delete=models.PROTECT, related_name="+")
    sha256 = models.CharField(max_length=64, unique=True)
    file_name = models.CharField(_("file name"), max_length=300)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    payments_created = models.PositiveIntegerField(_("payments recorded"), default=0)
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("bank statement")
        verbose_name_plural = _("bank statements")
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return self.file_name


class PaymentSource(models.TextChoices):
    MANUAL = "manual", _("Recorded by staff")
    BANK = "bank", _("Bank statement")


class Payment(models.Model):
    fund = models.ForeignKey("finance.Fund", on_delete=models.PROTECT, related_name="payments", verbose_name=_("fund"))
    state = models.ForeignKey(
        "states.State", on_delete=models.PROTECT, related_name="payments", verbose_name=_("State")
    )
    received_on = models.DateField(_("received on"))
    amount = money(_("amount"), help_text=_("In the fund's currency."))
    original_amount = money(_("amount as paid"), null=True, blank=True)
    original_currency = currency_field(_("currency as paid"), blank=True)
    exchange_rate = models.DecimalField(_("exchange rate used"), max_digits=18, decimal_places=8, null=True, blank=True)
    bank_reference = models.CharField(_("bank reference"), max_length=100, blank=True)
    payer = models.CharField(_("payer as shown by the bank"), max_length=300, blank=True)
    source = models.CharField(_("source"), max_length=6, choices=PaymentSource.choices, default=PaymentSource.MANUAL)
    statement = models.ForeignKey(
        BankStatement, on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )
    entry = models.OneToOneField("finance.JournalEntry", on_delete=models.PROTECT, related_name="payment_received")
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.CheckConstraint(name="finance_payment_amount", condition=Q(amount__gt=0)),
            models.UniqueConstraint(
                fields=["fund", "bank_reference"],
                condition=~Q(bank_reference=""),
                name="finance_payment_unique_bank_ref",
            ),
            models.CheckConstraint(
                name="finance_payment_original",
                condition=Q(original_amount__isnull=True, original_currency="", exchange_rate__isnull=True)
                | Q(original_amount__gt=0, exchange_rate__gt=0) & ~Q(original_currency=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.state} {self.amount} ({self.received_on})"


class Allocation(models.Model):
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="allocations")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="allocations")
    amount = money(_("amount"))
    entry = models.OneToOneField("finance.JournalEntry", on_delete=models.PROTECT, related_name="allocation")
    allocated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    allocated_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["pk"]
        constraints = [models.CheckConstraint(name="finance_allocation_amount", condition=Q(amount__gt=0))]

    def __str__(self) -> str:
        return f"{self.payment} → {self.invoice}: {self.amount}"

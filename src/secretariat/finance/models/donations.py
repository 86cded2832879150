"""Donor contributions to the Voluntary Trust Fund and the Sponsorship Programme: agreements with
their instalments, and receipts. On every receipt into the Sponsorship fund 8% goes to its
administration account (work report §12c; `SPONSORSHIP_ADMIN_RATE`)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .common import currency_field, money

SPONSORSHIP_ADMIN_RATE = Decimal("0.08")


class DonorAgreement(models.Model):
    donor = models.ForeignKey("accounts.Donor", on_delete=models.PROTECT, related_name="agreements")
    fund = models.ForeignKey(
        "finance.Fund", on_delete=models.PROTECT, related_name="agreements", verbose_name=_("fund")
    )
    reference = models.CharField(_("reference"), max_length=100, unique=True)
    signed_on = models.DateField(_("signed on"))
    amount = money(_("amount pledged"))
    currency = currency_field(_("currency"))
    earmark = models.CharField(_("earmarked for"), max_length=300, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("donor agreement")
        verbose_name_plural = _("donor agreements")
        ordering = ["-signed_on"]
        constraints = [
            models.CheckConstraint(name="finance_agreement_amount", condition=Q(amount__gt=0)),
            models.CheckConstraint(name="finance_agreement_dates", condition=Q(ends_on__gte=models.F("starts_on"))),
        ]

    def __str__(self) -> str:
        return self.reference


class AgreementInstalment(models.Model):
    agreement = models.ForeignKey(DonorAgreement, on_delete=models.CASCADE, related_name="instalments")
    due_on = models.DateField(_("due on"))
    amount = money(_("amount"))

    class Meta:
        verbose_name = _("agreement instalment")
        verbose_name_plural = _("agreement instalments")
        ordering = ["agreement", "due_on"]
        constraints = [models.CheckConstraint(name="finance_agr_instalment_amount", condition=Q(amount__gt=0))]

    def __str__(self) -> str:
        return f"{self.agreement}: {self.due_on}"


class DonorReceipt(models.Model):
    agreement = models.ForeignKey(DonorAgreement, on_delete=models.PROTECT, related_name="receipts")
    received_on = models.DateField(_("received on"))
    amount = money(_("amount"), help_text=_("In the fund's currency."))
    original_amount = money(_("amount as paid"), null=True, blank=True)
    original_currency = currency_field(_("currency as paid"), blank=True)
    exchange_rate = models.DecimalField(_("exchange rate used"), max_digits=18, decimal_places=8, null=True, blank=True)
    bank_reference = models.CharField(_("bank reference"), max_length=100, blank=True)
    admin_charge = money(_("administration charge"), default=0)
    entry = models.OneToOneField("finance.JournalEntry", on_delete=models.PROTECT, related_name="donor_receipt")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("donor receipt")
        verbose_name_plural = _("donor receipts")
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.CheckConstraint(name="finance_receipt_amount", condition=Q(amount__gt=0)),
            models.CheckConstraint(name="finance_receipt_charge", condition=Q(admin_charge__gte=0)),
            models.UniqueConstraint(
                fields=["agreement", "bank_reference"],
                condition=~Q(bank_reference=""),
                name="finance_receipt_unique_ref",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement} {self.amount}"

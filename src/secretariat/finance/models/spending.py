"""Commitments and expenditures against budget lines (with the budget's overrun policy)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .common import money


class Commitment(models.Model):
    budget_line = models.ForeignKey(
        "finance.BudgetLine", on_delete=models.PROTECT, related_name="commitments", verbose_name=_("budget line")
    )
    committed_on = models.DateField(_("committed on"))
    supplier = models.CharField(_("supplier"), max_length=200, blank=True)
    description = models.CharField(_("description"), max_length=300)
    amount = money(_("amount"))
    closed = models.BooleanField(_("closed"), default=False, help_text=_("No further spending expected."))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["-committed_on", "-pk"]
        constraints = [models.CheckConstraint(name="finance_commitment_amount", condition=Q(amount__gt=0))]

    def __str__(self) -> str:
        return self.description


class Expenditure(models.Model):
    budget_line = models.ForeignKey(
        "finance.BudgetLine", on_delete=models.PROTECT, related_name="expenditures", verbose_name=_("budget line")
    )
    commitment = models.ForeignKey(
        Commitment, on_delete=models.PROTECT, null=True, blank=True, related_name="expenditures"
    )
    spent_on = models.DateField(_("date"))
    description = models.CharField(_("description"), max_length=300)
    amount = money(_("amount"))
    entry = models.OneToOneField("finance.JournalEntry", on_delete=models.PROTECT, related_name="expenditure")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("expenditure")
        verbose_name_plural = _("expenditures")
        ordering = ["-spent_on", "-pk"]
        constraints = [models.CheckConstraint(name="finance_expenditure_amount", condition=Q(amount__gt=0))]

    def __str__(self) -> str:
        return self.description

"""The quarterly "status of contributions": each publication is frozen (its figures, PDF and XLSX
as of its date) and earlier quarters stay in the archive."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ContributionStatus(models.Model):
    fund = models.ForeignKey("finance.Fund", on_delete=models.PROTECT, related_name="+", verbose_name=_("fund"))
    as_of = models.DateField(_("as of"))
    figures = models.JSONField(_("figures"))
    pdf = models.FileField(_("PDF"), upload_to="finance/status/", blank=True, max_length=300)
    xlsx = models.FileField(_("spreadsheet"), upload_to="finance/status/", blank=True, max_length=300)
    published_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("status of contributions")
        verbose_name_plural = _("statuses of contributions")
        ordering = ["-as_of"]
        constraints = [models.UniqueConstraint(fields=["fund", "as_of"], name="finance_status_unique_date")]

    def __str__(self) -> str:
        return f"{self.fund} {self.as_of}"

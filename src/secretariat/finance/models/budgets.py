"""Budgets per financial period: estimate → reviewed by the Management Committee → circulated to
States → adopted by the Conference (decision reference) → revised (each revision is a new version;
the earlier ones are kept, marked superseded)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .common import money


class BudgetStatus(models.TextChoices):
    ESTIMATE = "estimate", _("Estimate")
    REVIEWED = "reviewed", _("Reviewed by the Management Committee")
    CIRCULATED = "circulated", _("Circulated to States")
    ADOPTED = "adopted", _("Adopted")
    SUPERSEDED = "superseded", _("Superseded by a revision")


class OverrunPolicy(models.TextChoices):
    WARN = "warn", _("Warn when a line would be exceeded")
    STOP = "stop", _("Refuse spending that would exceed a line")


class Budget(models.Model):
    fund = models.ForeignKey("finance.Fund", on_delete=models.PROTECT, related_name="budgets", verbose_name=_("fund"))
    year = models.PositiveSmallIntegerField(_("financial year"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    period_start = models.DateField(_("period starts"))
    period_end = models.DateField(_("period ends"))
    status = models.CharField(_("status"), max_length=10, choices=BudgetStatus.choices, default=BudgetStatus.ESTIMATE)
    revises = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="revised_by", verbose_name=_("revises")
    )
    revision_reason = models.TextField(_("reason for the revision"), blank=True)
    reviewed_on = models.DateField(_("reviewed by the Management Committee on"), null=True, blank=True)
    circulated_on = models.DateField(_("circulated to States on"), null=True, blank=True)
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    # Who recorded each step (the dates are the Committee's and the Conference's).
    review_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    circulation_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    adoption_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_reference = models.CharField(_("decision reference"), max_length=200, blank=True)
    overrun_policy = models.CharField(
        _("when spending would exceed a line"), max_length=4, choices=OverrunPolicy.choices, default=OverrunPolicy.WARN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        ordering = ["-year", "fund", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["fund", "year", "version"], name="finance_budget_unique_version"),
            # At most one adopted version per fund and year.
            models.UniqueConstraint(
                fields=["fund", "year"], condition=Q(status="adopted"), name="finance_budget_one_adopted"
            ),
            models.CheckConstraint(name="finance_budget_period", condition=Q(period_end__gte=models.F("period_start"))),
            models.CheckConstraint(
                name="finance_budget_adopted_has_decision",
                condition=~Q(status="adopted") | (~Q(decision_reference="") & Q(adopted_on__isnull=False)),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fund} {self.year} v{self.version}"


class BudgetLine(models.Model):
    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="lines", verbose_name=_("budget"))
    code = models.CharField(_("code"), max_length=20)
    title = models.CharField(_("title"), max_length=200)
    pool = models.CharField(
        _("cost pool"),
        max_length=12,
        choices=[
            ("secretariat", _("Secretariat costs (shared by States Parties)")),
            ("conference", _("Conference costs (shared by States in attendance)")),
            ("none", _("Not assessed")),
        ],
        default="secretariat",
    )
    amount = money(_("amount"))

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["budget", "code"]
        constraints = [
            models.UniqueConstraint(fields=["budget", "code"], name="finance_budgetline_unique_code"),
            models.CheckConstraint(name="finance_budgetline_amount", condition=Q(amount__gte=0)),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class BudgetComment(models.Model):
    """A comment on a budget version: the Management Committee's review is kept here."""

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="comments", verbose_name=_("budget"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("budget comment")
        verbose_name_plural = _("budget comments")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.budget}: {self.body[:40]}"

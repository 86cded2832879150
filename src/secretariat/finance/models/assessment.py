"""Assessed contributions: each cost pool of an adopted budget shared among its assessed States in
proportion to their UN scale rates, rescaled to 100% (Financial Rule 5; DOMAIN.md §3 marks the
rules unverified, so they are data: `AssessmentRuleSet`, snapshotted in every run)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .common import money


class CostPool(models.TextChoices):
    SECRETARIAT = "secretariat", _("Secretariat costs")
    CONFERENCE = "conference", _("Conference costs")


class AssessmentRuleSet(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    is_default = models.BooleanField(_("used by default"), default=False)
    secretariat_states = models.CharField(
        _("Secretariat costs are shared by"),
        max_length=20,
        choices=[("parties", _("States Parties on the assessment date"))],
        default="parties",
    )
    conference_states = models.CharField(
        _("Conference costs are shared by"),
        max_length=20,
        choices=[
            ("attendance", _("States in attendance (entered by staff)")),
            ("parties", _("States Parties on the assessment date")),
        ],
        default="attendance",
    )
    scale_year_offset = models.SmallIntegerField(
        _("UN scale year relative to the financial year"),
        default=0,
        help_text=_("0 uses the UN scale of the financial year itself; -1 the year before."),
    )
    floor_percent = models.DecimalField(_("minimum share (%)"), max_digits=8, decimal_places=5, null=True, blank=True)
    ceiling_percent = models.DecimalField(_("maximum share (%)"), max_digits=8, decimal_places=5, null=True, blank=True)
    notes = models.TextField(_("notes and sources"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("assessment rule set")
        verbose_name_plural = _("assessment rule sets")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="finance_one_default_rules"
            ),
            models.CheckConstraint(
                name="finance_rules_floor_ceiling",
                condition=Q(floor_percent__isnull=True)
                | Q(ceiling_percent__isnull=True)
                | Q(floor_percent__lte=models.F("ceiling_percent")),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ConferenceAttendance(models.Model):
    """States "in attendance" at the Conference whose costs a year's budget carries (Rule 5).
    Entered by staff until the meetings module provides registrations."""

    year = models.PositiveSmallIntegerField(_("financial year"))
    state = models.ForeignKey("states.State", on_delete=models.PROTECT, related_name="+", verbose_name=_("State"))
    source = models.CharField(_("source"), max_length=200, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("State in attendance")
        verbose_name_plural = _("States in attendance")
        ordering = ["year", "state"]
        constraints = [models.UniqueConstraint(fields=["year", "state"], name="finance_attendance_unique")]

    def __str__(self) -> str:
        return f"{self.year} {self.state}"


class RunStatus(models.TextChoices):
    DRAFT = "draft", _("Draft, waiting for approval")
    APPROVED = "approved", _("Approved")
    ISSUED = "issued", _("Invoices issued")
    CANCELLED = "cancelled", _("Cancelled")


class AssessmentRun(models.Model):
    year = models.PositiveSmallIntegerField(_("financial year"))
    budget = models.ForeignKey(
        "finance.Budget", on_delete=models.PROTECT, null=True, blank=True, related_name="runs", verbose_name=_("budget")
    )
    rule_set = models.ForeignKey(AssessmentRuleSet, on_delete=models.PROTECT, related_name="runs")
    rules_used = models.JSONField(_("rules used"), help_text=_("A copy of the rule set as it was for this run."))
    assessment_date = models.DateField(_("assessment date"))
    scale_year = models.PositiveSmallIntegerField(_("UN scale year"))
    total = money(_("total assessed"))
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("assessment run")
        verbose_name_plural = _("assessment runs")
        ordering = ["-year", "-created_at"]
        constraints = [
            # One run per year may be issued.
            models.UniqueConstraint(fields=["year"], condition=Q(status="issued"), name="finance_one_issued_run"),
            models.CheckConstraint(name="finance_run_total_positive", condition=Q(total__gt=0)),
        ]

    def __str__(self) -> str:
        return f"{self.year} ({self.get_status_display()})"


class AssessmentLine(models.Model):
    run = models.ForeignKey(AssessmentRun, on_delete=models.CASCADE, related_name="lines")
    state = models.ForeignKey("states.State", on_delete=models.PROTECT, related_name="+", verbose_name=_("State"))
    pool = models.CharField(_("cost pool"), max_length=12, choices=CostPool.choices)
    un_rate = models.DecimalField(_("UN scale rate (%)"), max_digits=8, decimal_places=5)
    share = models.DecimalField(_("share"), max_digits=16, decimal_places=14, help_text=_("A fraction of the pool."))
    amount = money(_("amount"))

    class Meta:
        verbose_name = _("assessed amount")
        verbose_name_plural = _("assessed amounts")
        ordering = ["run", "pool", "state"]
        constraints = [
            models.UniqueConstraint(fields=["run", "state", "pool"], name="finance_assessment_line_unique"),
            models.CheckConstraint(name="finance_assessment_amount", condition=Q(amount__gte=0)),
        ]

    def __str__(self) -> str:
        return f"{self.state} {self.pool} {self.amount}"

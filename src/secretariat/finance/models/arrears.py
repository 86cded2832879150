"""Financial Rule 8: payment plans under Rule 8(1)(d), and the configurable consequences of arrears.

DOMAIN.md §3.2: the consequences in Rule 8(1)(a)–(c) are not verified, so they are rules staff
configure (`ConsequenceRule`), not code.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from secretariat.core.files import file_extension

from .common import money

PLAN_MAX_YEARS = 6
PLAN_DAYS_BEFORE_CONFERENCE = 60


class PlanStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    COMPLETED = "completed", _("Completed")
    LAPSED = "lapsed", _("Lapsed (instalments missed)")


def plan_note_path(instance: PaymentPlan, filename: str) -> str:
    extension = file_extension(filename, "bin")
    return f"finance/plans/{instance.state.iso3}/note-verbale-{instance.received_on.isoformat()}.{extension}"


class PaymentPlan(models.Model):
    state = models.ForeignKey(
        "states.State", on_delete=models.PROTECT, related_name="payment_plans", verbose_name=_("State")
    )
    received_on = models.DateField(_("request received on"))
    note_verbale = models.FileField(_("Note Verbale"), upload_to=plan_note_path, max_length=300)
    note_verbale_reference = models.CharField(_("reference of the Note Verbale"), max_length=200)
    reasons = models.TextField(_("reasons for non-payment"))
    outstanding_amount = money(_("total outstanding"))
    conference_starts_on = models.DateField(
        _("first day of the Conference"),
        help_text=_("The request must be filed at least 60 days before the Conference."),
    )
    status = models.CharField(_("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.REQUESTED)
    decision_reference = models.CharField(_("decision reference"), max_length=200, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decision_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("payment plan")
        verbose_name_plural = _("payment plans")
        ordering = ["-received_on"]
        constraints = [
            models.CheckConstraint(name="finance_plan_outstanding", condition=Q(outstanding_amount__gt=0)),
            models.CheckConstraint(
                name="finance_plan_decision",
                condition=~Q(status__in=["approved", "completed", "lapsed"]) | ~Q(decision_reference=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.state} ({self.received_on})"


class PlanInstalment(models.Model):
    plan = models.ForeignKey(PaymentPlan, on_delete=models.CASCADE, related_name="instalments")
    due_on = models.DateField(_("due on"))
    amount = money(_("amount"))

    class Meta:
        verbose_name = _("instalment")
        verbose_name_plural = _("instalments")
        ordering = ["plan", "due_on"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "due_on"], name="finance_instalment_unique_date"),
            models.CheckConstraint(name="finance_instalment_amount", condition=Q(amount__gt=0)),
        ]

    def __str__(self) -> str:
        return f"{self.plan}: {self.due_on} {self.amount}"


class ConsequenceRule(models.Model):
    """A flag shown on the State dossier while a State's arrears meet the rule, e.g. "in arrears
    for two full years or more". Later modules (meetings, committees) ask `finance.selectors`."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    label = models.CharField(_("label"), max_length=200)
    min_full_years = models.PositiveSmallIntegerField(
        _("full years in arrears"),
        help_text=_("The flag is raised when contributions of at least this many whole past years are unpaid."),
    )
    exempt_with_plan = models.BooleanField(_("not raised while an approved payment plan is kept"), default=True)
    active = models.BooleanField(_("active"), default=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("consequence of arrears")
        verbose_name_plural = _("consequences of arrears")
        ordering = ["min_full_years", "code"]
        constraints = [models.CheckConstraint(name="finance_consequence_years", condition=Q(min_full_years__gte=1))]

    def __str__(self) -> str:
        return self.label

"""The Article 13 reporting rule: when initial and annual reports fall due (DOMAIN.md §1.1-1.2).

The rule is data, not code, because parts of it are not verified with the Secretariat (see
`DEFAULT_SOURCE`); staff change it in the admin by adding a row with a later `effective_from`.
The obligation arithmetic itself lives in `obligations.py` (pure functions).
"""

from __future__ import annotations

import calendar
import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

TREATY_ENTRY_INTO_FORCE = dt.date(2014, 12, 24)
MAX_GRACE_DAYS = 90
MAX_DAYS_BEFORE_ANNIVERSARY = 90
MAX_FIRST_ANNUAL_YEAR_OFFSET = 2

DEFAULT_SOURCE = (
    "Art. 13(1): initial report within the first year after entry into force for the State; "
    "Art. 13(3): annual report by 31 May on the preceding calendar year (treaty text, verified). "
    "Initial due date = first anniversary of entry into force minus one day, from the Secretariat's own "
    "example (EIF 24 Dec 2014 -> due 23 Dec 2015, thearmstradetreaty.org/reporting.html); UNVERIFIED for "
    "later joiners ('twelve months after' could also mean the anniversary itself). "
    "Grace period of 7 days (Stimson 2021); UNVERIFIED with the Secretariat. "
    "First annual report covers the first full calendar year after entry into force (inferred from the "
    "first reports being due in 2016 for 2015); UNVERIFIED as a general rule."
)


def _real_month_day() -> Q:
    """The month/day pair is a date in every year (29 February is refused)."""
    long_months = Q(annual_due_month__in=[1, 3, 5, 7, 8, 10, 12]) & Q(annual_due_day__lte=31)
    short_months = Q(annual_due_month__in=[4, 6, 9, 11]) & Q(annual_due_day__lte=30)
    february = Q(annual_due_month=2) & Q(annual_due_day__lte=28)
    return Q(annual_due_day__gte=1) & (long_months | short_months | february)


class ReportingRule(models.Model):
    """When Article 13 reports fall due. The rule in force on a day is the one with the latest
    `effective_from` on or before that day (see `obligations.rule_for`)."""

    name = models.CharField(_("name"), max_length=200)
    effective_from = models.DateField(_("in force from"), unique=True)
    initial_due_days_before_anniversary = models.PositiveSmallIntegerField(
        _("initial report: days before the first anniversary"),
        default=1,
        validators=[MaxValueValidator(MAX_DAYS_BEFORE_ANNIVERSARY)],
        help_text=_("1: due on the day before the first anniversary of entry into force; 0: on the anniversary."),
    )
    annual_due_month = models.PositiveSmallIntegerField(
        _("annual report: month due"), default=5, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    annual_due_day = models.PositiveSmallIntegerField(
        _("annual report: day due"), default=31, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    first_annual_year_offset = models.PositiveSmallIntegerField(
        _("first annual report: years after entry into force"),
        default=1,
        validators=[MaxValueValidator(MAX_FIRST_ANNUAL_YEAR_OFFSET)],
        help_text=_(
            "1: the first annual report covers the calendar year after the year of entry into force; "
            "0: it covers the year of entry into force."
        ),
    )
    grace_days = models.PositiveSmallIntegerField(
        _("grace period (days)"),
        default=7,
        validators=[MaxValueValidator(MAX_GRACE_DAYS)],
        help_text=_("A report received within this many days after the due date is 'submitted in grace'."),
    )
    source = models.TextField(_("source"), blank=True, help_text=_("Where each part of the rule comes from."))
    notes = models.TextField(_("notes"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reporting rule")
        verbose_name_plural = _("reporting rules")
        ordering = ["-effective_from"]
        constraints = [
            models.CheckConstraint(name="reporting_rule_annual_due_is_a_date", condition=_real_month_day()),
            models.CheckConstraint(
                name="reporting_rule_grace_days_range",
                condition=Q(grace_days__gte=0) & Q(grace_days__lte=MAX_GRACE_DAYS),
            ),
            models.CheckConstraint(
                name="reporting_rule_initial_days_range",
                condition=Q(initial_due_days_before_anniversary__gte=0)
                & Q(initial_due_days_before_anniversary__lte=MAX_DAYS_BEFORE_ANNIVERSARY),
            ),
            models.CheckConstraint(
                name="reporting_rule_first_annual_offset_range",
                condition=Q(first_annual_year_offset__gte=0)
                & Q(first_annual_year_offset__lte=MAX_FIRST_ANNUAL_YEAR_OFFSET),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.effective_from.isoformat()})"

    def clean(self) -> None:
        super().clean()
        month, day = self.annual_due_month, self.annual_due_day
        if month is None or day is None or not 1 <= month <= 12:
            return
        # 2001 is a common year: 29 February is refused, since it is not a date every year.
        if not 1 <= day <= calendar.monthrange(2001, month)[1]:
            raise ValidationError(
                {"annual_due_day": _("This day does not exist in that month every year (29 February is refused).")}
            )

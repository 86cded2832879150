"""The reporting rule in the platform's admin site: staff add a row to change the rule from a date."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from secretariat.core.admin_site import PlatformModelAdmin, admin_site

from .models import ReportingRule


@admin.register(ReportingRule, site=admin_site)
class ReportingRuleAdmin(SimpleHistoryAdmin, PlatformModelAdmin):
    list_display = (
        "name",
        "effective_from",
        "initial_due_days_before_anniversary",
        "annual_due_month",
        "annual_due_day",
        "first_annual_year_offset",
        "grace_days",
    )
    ordering = ("-effective_from",)
    fieldsets = (
        (None, {"fields": ("name", "effective_from")}),
        (_("Initial report"), {"fields": ("initial_due_days_before_anniversary",)}),
        (_("Annual report"), {"fields": (("annual_due_month", "annual_due_day"), "first_annual_year_offset")}),
        (_("Grace period"), {"fields": ("grace_days",)}),
        (_("Sources"), {"fields": ("source", "notes")}),
    )

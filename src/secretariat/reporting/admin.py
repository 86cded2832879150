"""The reporting rule in the platform's admin site: staff add a row to change the rule from a date."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from secretariat.core.admin_site import PlatformModelAdmin, admin_site

from .models import Category, Report, ReportingRule, ReportVersion


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


class ReadOnlyAdminMixin:
    """Reference data and the history of reports: looked at in the admin, never written there."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Category, site=admin_site)
class CategoryAdmin(ReadOnlyAdminMixin, PlatformModelAdmin):
    """The Art. 2(1) categories and SALW sub-categories: reference data, loaded by a migration."""

    list_display = ("code", "label_en", "parent")
    list_select_related = ("parent",)
    search_fields = ("code", "label_en")
    ordering = ("position",)


class ReportVersionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ReportVersion
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ("number", "status", "channel", "received_on", "submitted_by", "amendment_reason", "original_file")
    readonly_fields = fields


@admin.register(Report, site=admin_site)
class ReportAdmin(PlatformModelAdmin):
    list_display = ("state", "kind", "year")
    list_filter = ("kind", "year")
    list_select_related = ("state",)
    search_fields = ("state__name_en", "state__iso3")
    readonly_fields = ("state", "kind", "year", "created_at")
    inlines = (ReportVersionInline,)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Reports come into being when a version is recorded or submitted (services.py).
        return False


@admin.register(ReportVersion, site=admin_site)
class ReportVersionAdmin(ReadOnlyAdminMixin, PlatformModelAdmin):
    """Versions are immutable: an amendment is a new version, recorded through the reporting pages."""

    list_display = ("report", "number", "status", "channel", "received_on")
    list_filter = ("status", "channel")
    list_select_related = ("report__state",)
    search_fields = ("report__state__name_en", "report__state__iso3")

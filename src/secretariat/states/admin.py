"""The State registry in the platform's admin site (for the Secretariat administrators).

Day-to-day corrections go through the registry edit page (states:edit), which asks for the
reason of each change; the admin is for the occasional bulk look-up and for scale rates.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from secretariat.core.admin_site import PlatformModelAdmin, admin_site

from .models import ReferenceImport, ScaleRate, State


@admin.register(State, site=admin_site)
class StateAdmin(SimpleHistoryAdmin, PlatformModelAdmin):
    list_display = (
        "iso3",
        "name_en",
        "region",
        "un_standing",
        "instrument",
        "deposit_date",
        "status_today_display",
        "entry_into_force_display",
    )
    list_filter = ("region", "un_standing", "instrument", "art23_declaration", "recorded_status")
    search_fields = ("iso3", "iso2", "name_en", "name_fr", "name_es", "name_zh")
    ordering = ("name_en",)
    readonly_fields = ("status_today_display", "entry_into_force_display")
    fieldsets = (
        (None, {"fields": ("iso3", "iso2", "iso_numeric", "un_standing", "region", "working_language")}),
        (_("Names"), {"fields": ("name_en", "name_fr", "name_es", "name_zh")}),
        (
            _("The Treaty"),
            {
                "fields": (
                    ("signature_date", "signature_date_partial"),
                    "signature_repudiated_on",
                    "instrument",
                    ("deposit_date", "deposit_date_partial"),
                    ("art23_declaration", "art23_date"),
                    ("withdrawal_notified_on", "withdrawal_effective_on"),
                    ("recorded_status", "recorded_status_as_of"),
                    "treaty_source",
                    "treaty_verified",
                    "entry_into_force_display",
                    "status_today_display",
                )
            },
        ),
    )

    @admin.display(description=_("status today"))
    def status_today_display(self, obj: State) -> str:
        answer = obj.status_today()
        return f"{answer.status.label} ({answer.reason})" if answer.reason else str(answer.status.label)

    @admin.display(description=_("entry into force"))
    def entry_into_force_display(self, obj: State) -> dt.date | str:
        return obj.entry_into_force or "—"


@admin.register(ScaleRate, site=admin_site)
class ScaleRateAdmin(SimpleHistoryAdmin, PlatformModelAdmin):
    list_display = ("state", "year", "rate_percent", "source")
    list_filter = ("year",)
    search_fields = ("state__iso3", "state__iso2", "state__name_en", "state__name_fr", "state__name_es")
    list_select_related = ("state",)
    autocomplete_fields = ("state",)


@admin.register(ReferenceImport, site=admin_site)
class ReferenceImportAdmin(PlatformModelAdmin):
    """Which reference files were imported: a log, so nobody edits it here."""

    list_display = ("kind", "file_name", "sha256", "imported_at", "changes")
    list_filter = ("kind",)
    readonly_fields = ("kind", "sha256", "file_name", "imported_at", "changes")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

"""National control lists in the platform's admin site (for the Secretariat administrators).

Lists are recorded through the control lists pages, which check every file (type, content, size):
the admin never adds a list or a file. It is for looking lists up, correcting a date, the link or
the notes, and deleting a list recorded by mistake.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from secretariat.core.admin_site import PlatformModelAdmin, admin_site

from .models import ControlList, ControlListFile


class ControlListFileInline(admin.TabularInline):
    model = ControlListFile
    extra = 0
    can_delete = False
    fields = ("language", "original_name", "size", "file")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return admin_site.has_permission(request)


@admin.register(ControlList, site=admin_site)
class ControlListAdmin(SimpleHistoryAdmin, PlatformModelAdmin):
    list_display = ("state", "list_date", "received_on", "visibility", "recorded_at")
    list_filter = ("visibility",)
    list_select_related = ("state",)
    search_fields = ("state__name_en", "state__iso3")
    date_hierarchy = "list_date"
    fields = ("state", "list_date", "received_on", "visibility", "link", "notes", "recorded_by", "recorded_at")
    readonly_fields = ("state", "recorded_by", "recorded_at")
    inlines = (ControlListFileInline,)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Lists are recorded through the control lists pages (services.control_list_record).
        return False

"""The contacts in the platform's admin site: looked at (with their history), never written there.

Contacts are proposed, verified, refused and ended through the services (contacts/services.py),
which check the Note Verbale, the addresses and the overlap rule; the admin would bypass them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from secretariat.core.admin_site import PlatformModelAdmin, admin_site

from .models import Contact


@admin.register(Contact, site=admin_site)
class ContactAdmin(SimpleHistoryAdmin, PlatformModelAdmin):
    list_display = ("name", "state", "role", "email", "status", "valid_from", "valid_to", "confirmed_on")
    list_filter = ("role", "status", "working_language")
    list_select_related = ("state",)
    search_fields = ("name", "email", "state__name_en", "state__iso3", "note_verbale_reference")
    ordering = ("state__name_en", "role", "name")
    date_hierarchy = "valid_from"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

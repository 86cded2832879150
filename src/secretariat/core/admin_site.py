"""The Django admin, opened to Secretariat administrators through the central access helpers."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from .access import can_use_admin_site, principal_for


class PlatformAdminSite(admin.AdminSite):
    site_header = _("ATT Secretariat Platform: administration")
    site_title = _("ATT Secretariat Platform")
    index_title = _("Records")

    def has_permission(self, request: HttpRequest) -> bool:
        return can_use_admin_site(principal_for(request.user))

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        # One sign-in page for the whole platform (it also runs the second factor).
        return redirect_to_login(request.GET.get("next", self.name and "/admin/"))


admin_site = PlatformAdminSite(name="admin")


class PlatformModelAdmin(admin.ModelAdmin):
    """Admin for the platform's models: whoever may use the admin site may use its models."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return admin_site.has_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return admin_site.has_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return admin_site.has_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return admin_site.has_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return admin_site.has_permission(request)

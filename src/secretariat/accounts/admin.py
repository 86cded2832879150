"""Accounts in the Django admin (the platform's own admin site, for Secretariat administrators).

Roles are granted and revoked through the services, so the admin keeps `is_staff` in step
and records who did it, exactly as the "Users and roles" pages do.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.admin import SimpleHistoryAdmin

from secretariat.core.admin_site import PlatformModelAdmin, admin_site
from secretariat.core.roles import Role

from . import services
from .models import Donor, RoleAssignment, User


class PlatformHistoryAdmin(SimpleHistoryAdmin, PlatformModelAdmin):
    """Admin with the history view; reverting to an old version is off (it would bypass the services)."""

    def revert_disabled(self, request: HttpRequest, obj: Any = None) -> bool:
        return True


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    fk_name = "user"
    fields = ["role", "state", "donor", "granted_by", "granted_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return admin_site.has_permission(request)


@admin.register(User, site=admin_site)
class UserAdmin(PlatformHistoryAdmin):
    list_display = ["email", "full_name", "is_active", "is_demo", "roles"]
    list_filter = ["is_active", "is_demo", "is_staff", "role_assignments__role", "preferred_language"]
    search_fields = ["email", "full_name"]
    ordering = ["email"]
    fields = [
        "email",
        "full_name",
        "preferred_language",
        "is_active",
        "is_demo",
        "is_staff",
        "is_superuser",
        "last_login",
        "date_joined",
    ]
    # is_staff follows the roles; superusers are made with `createsuperuser` only.
    readonly_fields = ["is_staff", "is_superuser", "last_login", "date_joined"]
    inlines = [RoleAssignmentInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).prefetch_related("role_assignments__state", "role_assignments__donor")

    @admin.display(description=_("roles"))
    def roles(self, obj: User) -> str:
        return ", ".join(str(assignment) for assignment in obj.role_assignments.all()) or "—"

    def has_add_permission(self, request: HttpRequest) -> bool:
        # New accounts are invited (accounts:user_invite), so that they choose their own password.
        return False


@admin.register(Donor, site=admin_site)
class DonorAdmin(PlatformHistoryAdmin):
    list_display = ["name", "state"]
    search_fields = ["name", "state__name_en", "state__iso3"]
    list_select_related = ["state"]


class RoleAssignmentAdminForm(forms.ModelForm):
    class Meta:
        model = RoleAssignment
        fields = ["user", "role", "state", "donor"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        role = cleaned.get("role")
        if role:
            problem = RoleAssignment.scope_problem(
                role, has_state=cleaned.get("state") is not None, has_donor=cleaned.get("donor") is not None
            )
            if problem is not None:
                self.add_error(problem[0], problem[1])
        return cleaned


@admin.register(RoleAssignment, site=admin_site)
class RoleAssignmentAdmin(PlatformHistoryAdmin):
    form = RoleAssignmentAdminForm
    list_display = ["user", "role", "state", "donor", "granted_by", "granted_at"]
    list_filter = ["role", ("state", admin.RelatedOnlyFieldListFilter), ("donor", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["user__email", "user__full_name", "state__name_en", "state__iso3", "donor__name"]
    list_select_related = ["user", "state", "donor", "granted_by"]
    readonly_fields = ["granted_by", "granted_at"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A role is granted or revoked, never edited in place.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.role == Role.STAFF_ADMIN and obj.user_id == request.user.pk:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: RoleAssignment, form: Any, change: bool) -> None:
        assignment = services.role_grant(
            user=obj.user, role=obj.role, state=obj.state, donor=obj.donor, granted_by=request.user
        )
        obj.pk = assignment.pk
        obj.granted_by = assignment.granted_by
        obj.granted_at = assignment.granted_at

    def delete_model(self, request: HttpRequest, obj: RoleAssignment) -> None:
        try:
            services.role_revoke(assignment=obj, revoked_by=request.user)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[RoleAssignment]) -> None:
        for assignment in queryset:
            self.delete_model(request, assignment)


@admin.register(TOTPDevice, site=admin_site)
class TOTPDeviceAdmin(PlatformModelAdmin):
    """Two-factor devices: an administrator deletes a lost one, and its owner enrols again."""

    list_display = ["user", "name", "confirmed", "created_at", "last_used_at", "throttling_failure_count"]
    list_filter = ["confirmed"]
    search_fields = ["user__email", "user__full_name"]
    list_select_related = ["user"]
    # The secret key is never shown.
    fields = ["user", "name", "confirmed", "created_at", "last_used_at", "throttling_failure_count"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

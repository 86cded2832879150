"""Reads about accounts: the user list, one user's roles and history, two-factor devices.

The views call these after their access decorator has decided who may see them.
"""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from secretariat.core.history import CHANGE_TYPES, FieldChange, HistoryEntry, history_entries

from .models import RoleAssignment, User

NOTHING = "—"


def _with_roles(users: QuerySet[User]) -> QuerySet[User]:
    return users.prefetch_related(
        Prefetch(
            "role_assignments",
            queryset=RoleAssignment.objects.select_related("state", "donor").order_by("role", "pk"),
        )
    )


def user_list(*, query: str = "", role: str = "") -> QuerySet[User]:
    """Users whose email or name contains `query`, holding `role` if given, with their roles."""
    users = User.objects.all()
    query = query.strip()
    if query:
        users = users.filter(Q(email__icontains=query) | Q(full_name__icontains=query))
    if role:
        users = users.filter(pk__in=RoleAssignment.objects.filter(role=role).values("user_id"))
    return _with_roles(users).order_by("email")


def user_roles(*, user: User) -> list[RoleAssignment]:
    return list(user.role_assignments.select_related("state", "donor", "granted_by").order_by("role", "pk"))


def user_has_confirmed_otp_device(*, user: User) -> bool:
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists()


def user_history(*, user: User, limit: int = 200) -> list[HistoryEntry]:
    """The account's changes and its role grants and revocations, newest first.

    A grant shows the role as "after" and a revocation as "before", so the table reads
    the same way for every kind of change.
    """
    account = history_entries(user.history.all(), limit=limit)
    roles = history_entries(RoleAssignment.history.filter(user_id=user.pk), limit=limit)
    created, deleted = str(CHANGE_TYPES["+"]), str(CHANGE_TYPES["-"])
    for entry in roles:
        role = entry.record
        if entry.change_type == created:
            entry.changes.append(FieldChange(field="role", label=str(_("granted")), before=NOTHING, after=role))
        elif entry.change_type == deleted:
            entry.changes.append(FieldChange(field="role", label=str(_("revoked")), before=role, after=NOTHING))
        entry.record = str(_("Roles"))
    entries = account + roles
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries[:limit]


def otp_confirmed_device(*, user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).order_by("pk").first()

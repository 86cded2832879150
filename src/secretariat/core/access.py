"""Central access helpers: the only way views and API endpoints decide who may do what.

Every view is wrapped by exactly one policy decorator (`public`, `signed_in`,
`staff_only`), which also labels the view with `access_policy` so that a test can prove
no URL was left without one. Object-level questions ("may this user edit this State's
record?") are answered by the `can_*` functions below, each condition on its own line so
coverage shows every branch is tested.

Staff must pass a TOTP check whenever DEBUG is off. The check reads `settings.DEBUG` at
request time, not at import time, so the test suite (which always runs with DEBUG off)
exercises it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from rest_framework.permissions import SAFE_METHODS, BasePermission

from .roles import STAFF_ROLES, Role


@dataclass(frozen=True)
class Principal:
    """What the platform knows about who is asking: roles and their scopes."""

    user_id: int | None
    is_superuser: bool
    roles: frozenset[str]
    state_ids: frozenset[int]
    donor_ids: frozenset[int]
    otp_verified: bool

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    @property
    def is_staff_member(self) -> bool:
        if self.is_superuser:
            return True
        return bool(self.roles & STAFF_ROLES)

    def has_staff_role(self, *roles: str) -> bool:
        """True for a superuser or a holder of any of `roles` (any staff role if none given)."""
        if self.is_superuser:
            return True
        if not roles:
            return self.is_staff_member
        return bool(self.roles & set(roles))

    def has_role(self, role: str) -> bool:
        return role in self.roles

    def represents_state(self, state_id: int) -> bool:
        return state_id in self.state_ids

    @property
    def needs_otp(self) -> bool:
        """Staff who have not passed the second factor in this session (only when DEBUG is off)."""
        return staff_otp_required() and self.is_staff_member and not self.otp_verified


ANONYMOUS = Principal(None, False, frozenset(), frozenset(), frozenset(), False)


def staff_otp_required() -> bool:
    return not settings.DEBUG


def principal_for(user: Any) -> Principal:
    """Build (once per request) the principal of `user`; anonymous and inactive users get no roles."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ANONYMOUS
    cached = getattr(user, "_principal_cache", None)
    if cached is not None:
        return cached
    roles: set[str] = set()
    state_ids: set[int] = set()
    donor_ids: set[int] = set()
    for role, state_id, donor_id in user.role_grants():
        roles.add(role)
        if state_id is not None:
            state_ids.add(state_id)
        if donor_id is not None:
            donor_ids.add(donor_id)
    is_verified = getattr(user, "is_verified", None)
    principal = Principal(
        user_id=user.pk,
        is_superuser=user.is_superuser,
        roles=frozenset(roles),
        state_ids=frozenset(state_ids),
        donor_ids=frozenset(donor_ids),
        otp_verified=bool(is_verified()) if callable(is_verified) else False,
    )
    user._principal_cache = principal
    return principal


def forget_principal(user: Any) -> None:
    """Drop the cached principal after a role change or an OTP login in the same request."""
    if hasattr(user, "_principal_cache"):
        del user._principal_cache


# ---------------------------------------------------------------------------- object-level rules


def can_edit_state_registry(principal: Principal) -> bool:
    """Treaty status, names, regions and scale rates are kept by the admin and reporting staff."""
    return principal.has_staff_role(Role.STAFF_ADMIN, Role.STAFF_REPORTING)


def can_view_registry_history(principal: Principal) -> bool:
    return principal.is_staff_member


def can_view_data_quality(principal: Principal) -> bool:
    return principal.is_staff_member


def can_record_reports(principal: Principal) -> bool:
    """Recording reports received outside the online forms is for the admin and reporting staff."""
    return principal.has_staff_role(Role.STAFF_ADMIN, Role.STAFF_REPORTING)


def can_review_reports(principal: Principal) -> bool:
    """Reviewing, querying and publishing submitted reports: the admin and reporting staff."""
    return principal.has_staff_role(Role.STAFF_ADMIN, Role.STAFF_REPORTING)


def can_prepare_reports(principal: Principal, state_id: int) -> bool:
    """Drafting, uploading and submitting a State's reports, and answering the Secretariat's
    queries on them, is for that State's own representatives."""
    return principal.represents_state(state_id)


def can_see_drafts(principal: Principal, state_id: int) -> bool:
    """A draft is seen by its State's representatives and the reporting staff, nobody else."""
    if principal.represents_state(state_id):
        return True
    return can_review_reports(principal) and not principal.needs_otp


def can_see_restricted_reports(principal: Principal) -> bool:
    """Forms restricted to States Parties: Secretariat staff, and representatives of a State that
    is a State Party today (never the public, signatories or non-parties). One query for a
    representative, none for anyone else."""
    if principal.is_staff_member:
        return not principal.needs_otp
    if not principal.state_ids:
        return False
    from secretariat.states.models import State, TreatyStatus  # the states app imports this module

    today = timezone.localdate()
    return any(
        state.status_on(today).status == TreatyStatus.PARTY
        for state in State.objects.filter(pk__in=principal.state_ids)
    )


def can_see_contact_directory(principal: Principal) -> bool:
    """The directory of national points of contact: staff, and representatives of a State that is
    a State Party today (never the public, signatories or non-parties)."""
    return can_see_restricted_reports(principal)


def can_propose_contacts(principal: Principal, state_id: int) -> bool:
    """Proposing a State's contacts (or changes to them) is for that State's own representatives."""
    return principal.represents_state(state_id)


def can_verify_contacts(principal: Principal) -> bool:
    """Verifying or refusing proposed contacts, and adding contacts from a Note Verbale received:
    the admin and reporting staff."""
    if principal.needs_otp:
        return False
    return principal.has_staff_role(Role.STAFF_ADMIN, Role.STAFF_REPORTING)


def can_see_party_only_lists(principal: Principal) -> bool:
    """National control lists shared with States Parties only: the same audience as restricted reports."""
    return can_see_restricted_reports(principal)


def can_record_control_lists(principal: Principal, state_id: int) -> bool:
    """A State's representatives send their own lists; the admin and reporting staff record lists
    received by e-mail or Note Verbale."""
    if principal.represents_state(state_id):
        return True
    return can_verify_contacts(principal)


def can_manage_reminders(principal: Principal) -> bool:
    """Reminder rules and templates, the calendar and failed deliveries: the admin and reporting
    staff, and finance staff (arrears reminders go through the same engine)."""
    if principal.needs_otp:
        return False
    return principal.has_staff_role(Role.STAFF_ADMIN, Role.STAFF_REPORTING, Role.STAFF_FINANCE)


def can_see_reminder_log(principal: Principal, state_id: int) -> bool:
    """A State's reminder log: its own representatives and any staff."""
    if principal.represents_state(state_id):
        return True
    return principal.is_staff_member and not principal.needs_otp


def can_manage_users(principal: Principal) -> bool:
    """Inviting users and granting or revoking roles is for the admin staff only (the accounts
    views apply the same rule with `@staff_only(Role.STAFF_ADMIN)`; this answers it for menus)."""
    return principal.has_staff_role(Role.STAFF_ADMIN)


def can_set_state_preferences(principal: Principal, state_id: int) -> bool:
    """A State's own representatives, and the registry staff, choose its working language."""
    if principal.represents_state(state_id):
        return True
    return can_edit_state_registry(principal)


# Who writes in finance (views use `@staff_only(*FINANCE_MANAGERS)`; this answers it for menus
# and object-level checks).
FINANCE_MANAGERS = (Role.STAFF_ADMIN, Role.STAFF_FINANCE)


def can_manage_finance(principal: Principal) -> bool:
    """Budgets, assessments, invoices, payments, plans, spending, donor agreements and
    publications: the finance staff and the admin staff."""
    if principal.needs_otp:
        return False
    return principal.has_staff_role(*FINANCE_MANAGERS)


def can_oversee_finance(principal: Principal) -> bool:
    """Reading the finance workspace (budgets with their review comments, assessment runs, ledger,
    budget versus actual, audit exports): finance and admin staff, and the Management Committee,
    which reviews budget estimates, contribution status and expenditure. Only staff write."""
    if can_manage_finance(principal):
        return True
    return principal.has_role(Role.MANAGEMENT_COMMITTEE)


def can_comment_on_budgets(principal: Principal) -> bool:
    """The Management Committee's review of a budget estimate (and the finance staff's notes)."""
    if principal.has_role(Role.MANAGEMENT_COMMITTEE):
        return True
    return can_manage_finance(principal)


def can_see_state_finances(principal: Principal, state_id: int) -> bool:
    """A State's invoices, payments, allocations, credit and plans: its own representatives, and
    staff. (The published status of contributions is public.)"""
    if principal.represents_state(state_id):
        return True
    return principal.is_staff_member and not principal.needs_otp


def can_see_donor_agreements(principal: Principal, donor_id: int) -> bool:
    """A donor's agreements and receipts: that donor's representatives, and finance staff."""
    if donor_id in principal.donor_ids:
        return True
    return can_manage_finance(principal)


def can_use_admin_site(principal: Principal) -> bool:
    if principal.needs_otp:
        return False
    return principal.has_staff_role(Role.STAFF_ADMIN)


# ---------------------------------------------------------------------------- view decorators

View = Callable[..., HttpResponse]


def _label(view: View, policy: str) -> View:
    view.access_policy = policy  # type: ignore[attr-defined]
    return view


def public(view: View) -> View:
    """Anyone, signed in or not, may use this view (it shows only published material)."""
    return _label(view, "public")


def signed_in(view: View) -> View:
    """Any signed-in user; staff must also have passed the second factor."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        principal = principal_for(request.user)
        if not principal.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if principal.needs_otp:
            return _redirect_to_otp(request)
        return view(request, *args, **kwargs)

    return _label(wrapper, "signed_in")


def signed_in_pending_otp(view: View) -> View:
    """Any signed-in user, whether or not they have passed the second factor yet.

    Only for the two-factor page itself (where staff pass it): every other page for
    signed-in users uses `signed_in`, which sends unverified staff here first.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        principal = principal_for(request.user)
        if not principal.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return _label(wrapper, "signed_in")


def staff_only(*roles: str) -> Callable[[View], View]:
    """Secretariat staff (of one of `roles`, if given) who have passed the second factor."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            principal = principal_for(request.user)
            if not principal.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not principal.is_staff_member:
                raise PermissionDenied
            if principal.needs_otp:
                return _redirect_to_otp(request)
            if roles and not principal.has_staff_role(*roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.access_roles = frozenset(roles)  # type: ignore[attr-defined]
        return _label(wrapper, "staff")

    return decorator


def _redirect_to_otp(request: HttpRequest) -> HttpResponse:
    url = reverse("accounts:otp")
    return redirect(f"{url}?{urlencode({'next': request.get_full_path()})}")


def require(allowed: bool) -> None:
    """Raise 403 unless `allowed`; used by views after loading an object through a selector."""
    if not allowed:
        raise PermissionDenied


# ---------------------------------------------------------------------------- API permissions


class DenyByDefault(BasePermission):
    """The default for every API view: an endpoint must choose its policy explicitly."""

    def has_permission(self, request: Any, view: Any) -> bool:
        return False


class PublicReadOnly(BasePermission):
    """Anyone may read; nobody may write through this endpoint."""

    def has_permission(self, request: Any, view: Any) -> bool:
        return request.method in SAFE_METHODS


def roles_display(roles: Iterable[str]) -> list[str]:
    labels = dict(Role.choices)
    return [str(labels.get(role, role)) for role in sorted(roles)]

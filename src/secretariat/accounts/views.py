"""Sign-in, two-factor, password reset, invitations, profile, and the administration of users and roles.

Django's own authentication views do the work where they exist; each is wrapped by one of
the access decorators of core.access. Pages that show personal data are never cached.
"""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import urlencode

import django_otp
import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from secretariat.core.access import (
    forget_principal,
    principal_for,
    public,
    signed_in,
    signed_in_pending_otp,
    staff_only,
)
from secretariat.core.roles import Role

from . import selectors, services
from .forms import (
    EmailAuthenticationForm,
    EmailPasswordResetForm,
    LanguagePreferenceForm,
    OtpTokenForm,
    RoleGrantForm,
    UserInviteForm,
    UserSearchForm,
)
from .models import RoleAssignment, User

USERS_PER_PAGE = 50
EMAIL_BACKEND_PATH = "secretariat.accounts.backends.EmailBackend"


def _safe_next(request: HttpRequest, default: str | None = None) -> str:
    """The `next` parameter if it points into this site, else `default` (the home page)."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default or reverse("core:home")


def _after_sign_in(request: HttpRequest, url: str) -> str:
    """Staff who still owe the second factor pass by the two-factor page on their way to `url`."""
    forget_principal(request.user)
    if principal_for(request.user).needs_otp:
        return f"{reverse('accounts:otp')}?{urlencode({'next': url})}"
    return url


# ---------------------------------------------------------------------------- sign in and out


class LoginView(auth_views.LoginView):
    form_class = EmailAuthenticationForm
    template_name = "accounts/login.html"

    def get_success_url(self) -> str:
        return _after_sign_in(self.request, super().get_success_url())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["show_demo_hint"] = settings.DEBUG
        return context


login_view = public(LoginView.as_view())
# Django's LogoutView accepts only POST and flushes the session.
logout_view = public(never_cache(auth_views.LogoutView.as_view()))


# ---------------------------------------------------------------------------- two-factor


def _qr_svg(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    return image.to_string(encoding="unicode")


def _grouped(secret: str) -> str:
    return " ".join(secret[index : index + 4] for index in range(0, len(secret), 4))


@signed_in_pending_otp
@never_cache
def otp(request: HttpRequest) -> HttpResponse:
    """The second factor for staff: enrol an authenticator app, or enter its current code."""
    next_url = _safe_next(request)
    principal = principal_for(request.user)
    if not principal.is_staff_member or principal.otp_verified:
        return redirect(next_url)
    user = request.user
    enrolling = selectors.otp_confirmed_device(user=user) is None
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = services.otp_token_verify(user=user, token=form.cleaned_data["token"])
        if outcome.verified:
            request.session.cycle_key()  # a more privileged session gets a new id
            django_otp.login(request, outcome.device)
            forget_principal(user)
            if enrolling:
                messages.success(request, _("Two-factor sign-in is set up. Welcome."))
            return redirect(next_url)
        if outcome.throttled:
            form.add_error("token", _("Too many wrong codes. Wait a minute, then enter the newest code."))
        else:
            form.add_error("token", _("That code is not valid. Enter the newest code shown by your app."))
    context: dict[str, Any] = {"form": form, "next": next_url, "enrolling": enrolling}
    if enrolling:
        device: TOTPDevice = services.otp_enrolment_device(user=user)
        context["qr_svg"] = mark_safe(_qr_svg(device.config_url))  # noqa: S308 - generated by qrcode, no user input
        context["secret"] = _grouped(_base32_secret(device))
    return render(request, "accounts/otp.html", context, status=400 if form.errors else 200)


def _base32_secret(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode("ascii")


# ---------------------------------------------------------------------------- password reset


class PasswordResetView(auth_views.PasswordResetView):
    form_class = EmailPasswordResetForm
    template_name = "accounts/password_reset.html"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: EmailPasswordResetForm) -> HttpResponse:
        # The same page follows whether or not the address has an account.
        services.password_reset_request(email=form.cleaned_data["email"])
        return HttpResponseRedirect(self.get_success_url())


class ActiveUserTokenMixin:
    """Links for deactivated accounts are dead, whatever their token."""

    def get_user(self, uidb64: str) -> User | None:
        user = super().get_user(uidb64)  # type: ignore[misc]
        if user is None or not user.is_active:
            return None
        return user


class PasswordResetConfirmView(ActiveUserTokenMixin, auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


password_reset = public(PasswordResetView.as_view())
password_reset_done = public(
    auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html")
)
password_reset_confirm = public(PasswordResetConfirmView.as_view())
password_reset_complete = public(
    auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html")
)


# ---------------------------------------------------------------------------- invitations


class InvitationAcceptView(ActiveUserTokenMixin, auth_views.PasswordResetConfirmView):
    """The invitee chooses a password through the emailed link, and is signed in."""

    form_class = SetPasswordForm
    template_name = "accounts/invitation_accept.html"
    post_reset_login = True
    post_reset_login_backend = EMAIL_BACKEND_PATH
    title = _("Choose your password")

    def get_success_url(self) -> str:
        return _after_sign_in(self.request, reverse("accounts:profile"))


invitation_accept = public(InvitationAcceptView.as_view())


# ---------------------------------------------------------------------------- own profile


@signed_in
@never_cache
def profile(request: HttpRequest) -> HttpResponse:
    """The user's own roles and scopes, and the language of their emails."""
    user = request.user
    form = LanguagePreferenceForm(request.POST or None, initial={"preferred_language": user.preferred_language})
    if request.method == "POST" and form.is_valid():
        language = form.cleaned_data["preferred_language"]
        services.user_language_set(user=user, language=language)
        messages.success(request, _("Your language preference is saved."))
        response = redirect("accounts:profile")
        # Show the interface in that language too.
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=False,
            samesite="Lax",
        )
        return response
    context = {
        "form": form,
        "roles": selectors.user_roles(user=user),
        "principal": principal_for(user),
        "has_otp_device": selectors.user_has_confirmed_otp_device(user=user),
    }
    return render(request, "accounts/profile.html", context, status=400 if form.errors else 200)


password_change = signed_in(
    auth_views.PasswordChangeView.as_view(
        template_name="accounts/password_change.html", success_url=reverse_lazy("accounts:password_change_done")
    )
)
password_change_done = signed_in(
    auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html")
)


# ---------------------------------------------------------------------------- users and roles (admin staff)


@staff_only(Role.STAFF_ADMIN)
@never_cache
def user_list(request: HttpRequest) -> HttpResponse:
    form = UserSearchForm(request.GET or None)
    query, role = "", ""
    if form.is_valid():
        query, role = form.cleaned_data["q"], form.cleaned_data["role"]
    page = Paginator(selectors.user_list(query=query, role=role), USERS_PER_PAGE).get_page(request.GET.get("page"))
    filters = request.GET.copy()
    filters.pop("page", None)
    context = {"form": form, "page": page, "users": page.object_list, "filters": filters.urlencode()}
    return render(request, "accounts/user_list.html", context)


@staff_only(Role.STAFF_ADMIN)
@never_cache
def user_invite(request: HttpRequest) -> HttpResponse:
    form = UserInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_invite(
                email=data["email"],
                full_name=data["full_name"],
                language=data["preferred_language"],
                role=data["role"],
                state=data["state"],
                donor=data["donor"],
                invited_by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": user.email})
            return redirect("accounts:user_detail", pk=user.pk)
    return render(request, "accounts/user_invite.html", {"form": form}, status=400 if form.errors else 200)


def _user_detail_response(
    request: HttpRequest, user: User, grant_form: RoleGrantForm, *, status: int = 200
) -> HttpResponse:
    context = {
        "account": user,
        "roles": selectors.user_roles(user=user),
        "grant_form": grant_form,
        "history": selectors.user_history(user=user),
        "has_otp_device": selectors.user_has_confirmed_otp_device(user=user),
        "awaiting_invitation": not user.has_usable_password(),
        "is_self": user.pk == request.user.pk,
    }
    return render(request, "accounts/user_detail.html", context, status=status)


@staff_only(Role.STAFF_ADMIN)
@never_cache
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(User, pk=pk)
    return _user_detail_response(request, user, RoleGrantForm())


@staff_only(Role.STAFF_ADMIN)
@never_cache
@require_POST
def role_grant(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(User, pk=pk)
    form = RoleGrantForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            assignment = services.role_grant(
                user=user, role=data["role"], state=data["state"], donor=data["donor"], granted_by=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Role granted: %(role)s.") % {"role": assignment})
            return redirect("accounts:user_detail", pk=user.pk)
    return _user_detail_response(request, user, form, status=400)


@staff_only(Role.STAFF_ADMIN)
@never_cache
@require_POST
def role_revoke(request: HttpRequest, pk: int, assignment_pk: int) -> HttpResponse:
    assignments = RoleAssignment.objects.select_related("state", "donor")
    assignment = get_object_or_404(assignments, pk=assignment_pk, user_id=pk)
    label = str(assignment)
    try:
        services.role_revoke(assignment=assignment, revoked_by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Role revoked: %(role)s.") % {"role": label})
    return redirect("accounts:user_detail", pk=pk)


@staff_only(Role.STAFF_ADMIN)
@never_cache
@require_POST
def invitation_resend(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(User, pk=pk)
    try:
        services.invitation_resend(user=user, invited_by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Invitation sent again to %(email)s.") % {"email": user.email})
    return redirect("accounts:user_detail", pk=pk)


@staff_only(Role.STAFF_ADMIN)
@never_cache
@require_POST
def user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(User, pk=pk)
    try:
        services.user_deactivate(user=user, deactivated_by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The account is deactivated; its sessions have ended."))
    return redirect("accounts:user_detail", pk=pk)


@staff_only(Role.STAFF_ADMIN)
@never_cache
@require_POST
def user_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(User, pk=pk)
    services.user_reactivate(user=user, reactivated_by=request.user)
    messages.success(request, _("The account is active again."))
    return redirect("accounts:user_detail", pk=pk)

"""Input validation for sign-in, two-factor, invitations and roles (the services do the writing)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _

from secretariat.core.roles import Role
from secretariat.states.models import State

from .models import Donor, RoleAssignment, User

TOKEN_PATTERN = re.compile(r"[0-9]{6,8}")


class EmailAuthenticationForm(AuthenticationForm):
    """Django's sign-in form, with an email address and one message for every refusal.

    A wrong address, a wrong password, a deactivated account and a demo account (when
    DEBUG is off) all get the same answer, so the form tells nobody which addresses exist.
    """

    username = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": _("The email address or the password is not correct."),
        "inactive": _("The email address or the password is not correct."),
    }

    def clean_username(self) -> str:
        # One spelling per address, so the failure count (django-axes) cannot be dodged by
        # changing the case of the address.
        return self.cleaned_data["username"].strip().lower()


class EmailPasswordResetForm(PasswordResetForm):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


class OtpTokenForm(forms.Form):
    token = forms.CharField(
        label=_("Six-digit code from your authenticator app"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "size": 8}
        ),
    )

    def clean_token(self) -> str:
        # Authenticator apps often show the code as "123 456".
        token = "".join(self.cleaned_data["token"].split())
        if not TOKEN_PATTERN.fullmatch(token):
            raise forms.ValidationError(_("Enter the digits shown by your authenticator app."))
        return token


def _state_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("State"),
        queryset=State.objects.order_by("name_en"),
        required=False,
        help_text=_("Only for a State representative: the State they act for."),
    )


def _donor_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("Donor"),
        queryset=Donor.objects.order_by("name"),
        required=False,
        help_text=_("Only for a donor representative: the donor they act for."),
    )


class RoleScopeMixin:
    """The role and its scope must fit: a State for State representatives, a donor for donor ones."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()  # type: ignore[misc]
        role = cleaned.get("role")
        if role:
            problem = RoleAssignment.scope_problem(
                role, has_state=cleaned.get("state") is not None, has_donor=cleaned.get("donor") is not None
            )
            if problem is not None:
                self.add_error(problem[0], problem[1])  # type: ignore[attr-defined]
        return cleaned


class RoleGrantForm(RoleScopeMixin, forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=[("", _("Choose a role")), *Role.choices])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["state"] = _state_field()
        self.fields["donor"] = _donor_field()


class UserInviteForm(RoleScopeMixin, forms.Form):
    email = forms.EmailField(label=_("Email address"), max_length=254)
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    preferred_language = forms.ChoiceField(
        label=_("Language of the invitation and later emails"), choices=settings.LANGUAGES
    )
    role = forms.ChoiceField(label=_("First role"), choices=[("", _("Choose a role")), *Role.choices])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["state"] = _state_field()
        self.fields["donor"] = _donor_field()

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("A user with this email address already exists."))
        return email


class UserSearchForm(forms.Form):
    q = forms.CharField(label=_("Email or name"), required=False, max_length=200)
    role = forms.ChoiceField(label=_("Role"), required=False, choices=[("", _("Any role")), *Role.choices])


class LanguagePreferenceForm(forms.Form):
    preferred_language = forms.ChoiceField(label=_("Language of your emails"), choices=settings.LANGUAGES)

"""Forms of the State registry. They only validate; services.py does the writing."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import (
    TREATY_OPENED_FOR_SIGNATURE,
    Declaration,
    Instrument,
    PartialDate,
    Region,
    State,
    TreatyStatus,
    WorkingLanguage,
)
from .services import REGISTRY_FIELDS

# The Treaty was opened for signature on 3 June 2013 (Art. 21(1)): no treaty act is older.

PARTIAL_DATE_RE = re.compile(r"^(?P<year>\d{4})(-(?P<month>\d{2}))?$")


# Dates of treaty acts: none can be older than the opening for signature.
TREATY_ACT_DATES = (
    "signature_date",
    "signature_repudiated_on",
    "deposit_date",
    "art23_date",
    "withdrawal_notified_on",
    "withdrawal_effective_on",
)
# Dates that record something that has happened (a withdrawal may be set to take effect later).
PAST_DATES = (
    "signature_date",
    "signature_repudiated_on",
    "deposit_date",
    "art23_date",
    "withdrawal_notified_on",
    "recorded_status_as_of",
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class StateRegistryForm(forms.ModelForm):
    """Names, standing, region and treaty facts of one State, with the reason for the change.

    Bind it to a copy of the State: like every ModelForm it writes the submitted values
    onto its instance while validating.
    """

    version = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)
    reason = forms.CharField(
        label=_("Reason for the change and its source"),
        max_length=100,
        help_text=_("Kept in the history of the record, e.g. “UNTC depositary notification C.N.123.2016”."),
    )

    class Meta:
        model = State
        fields = REGISTRY_FIELDS
        widgets = {
            **{name: DateInput() for name in (*TREATY_ACT_DATES, "recorded_status_as_of")},
            "signature_date_partial": forms.TextInput(attrs={"placeholder": "YYYY-MM", "size": 8}),
            "deposit_date_partial": forms.TextInput(attrs={"placeholder": "YYYY-MM", "size": 8}),
            "treaty_source": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "signature_date_partial": _("Only when the day is not known: YYYY-MM or YYYY. Leave the date empty."),
            "deposit_date_partial": _("Only when the day is not known: YYYY-MM or YYYY. Leave the date empty."),
            "art23_date": _("Only when the State declared provisional application."),
        }

    # ------------------------------------------------------------------ single fields

    def _clean_partial(self, name: str) -> str:
        value = (self.cleaned_data.get(name) or "").strip()
        if not value:
            return ""
        match = PARTIAL_DATE_RE.match(value)
        month = match and match.group("month")
        if match is None or (month and not 1 <= int(month) <= 12):
            raise forms.ValidationError(
                _("Enter a year (YYYY) or a year and month (YYYY-MM, month 01 to 12)."), code="partial_format"
            )
        return value

    def clean_signature_date_partial(self) -> str:
        return self._clean_partial("signature_date_partial")

    def clean_deposit_date_partial(self) -> str:
        return self._clean_partial("deposit_date_partial")

    # ------------------------------------------------------------------ the record as a whole

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        today = timezone.localdate()
        self._check_one_form("signature_date", "signature_date_partial")
        self._check_one_form("deposit_date", "deposit_date_partial")
        for name in TREATY_ACT_DATES:
            value = data.get(name)
            if value and value < TREATY_OPENED_FOR_SIGNATURE:
                self._error(name, _("The Treaty was opened for signature on 3 June 2013; enter a later date."))
        for name in ("signature_date_partial", "deposit_date_partial"):
            partial = PartialDate(None, data.get(name) or "")
            if partial.known and partial.latest < TREATY_OPENED_FOR_SIGNATURE:
                self._error(name, _("The Treaty was opened for signature on 3 June 2013; enter a later date."))
            elif partial.known and partial.earliest > today:
                self._error(name, _("This date is in the future."))
        for name in PAST_DATES:
            value = data.get(name)
            if value and value > today:
                self._error(name, _("This date is in the future."))
        self._check_order()
        self._check_art23()
        self._check_withdrawal()
        self._check_accession()
        return data

    def _error(self, name: str, message: Any) -> None:
        if name not in self.errors:
            self.add_error(name, message)

    def _check_one_form(self, date_name: str, partial_name: str) -> None:
        if self.cleaned_data.get(date_name) and self.cleaned_data.get(partial_name):
            self._error(
                partial_name,
                _("Enter either the full date or the month/year, not both. Clear this field when the day is known."),
            )

    def _partial(self, date_name: str, partial_name: str) -> PartialDate:
        return PartialDate(self.cleaned_data.get(date_name), self.cleaned_data.get(partial_name) or "")

    def _check_order(self) -> None:
        """Deposit and repudiation cannot come before the signature."""
        if {"signature_date", "signature_date_partial"} & set(self.errors):
            return
        signature = self._partial("signature_date", "signature_date_partial")
        if not signature.known:
            return
        deposit = self._partial("deposit_date", "deposit_date_partial")
        if deposit.known and deposit.latest < signature.earliest:
            name = "deposit_date" if deposit.day else "deposit_date_partial"
            self._error(
                name, _("The deposit cannot be earlier than the signature (%(signature)s).") % {"signature": signature}
            )
        repudiated = self.cleaned_data.get("signature_repudiated_on")
        if repudiated and repudiated < signature.earliest:
            self._error(
                "signature_repudiated_on",
                _("The signature cannot be repudiated before it was made (%(signature)s).") % {"signature": signature},
            )

    def _check_art23(self) -> None:
        if self.cleaned_data.get("art23_date") and self.cleaned_data.get("art23_declaration") != Declaration.YES:
            self._error(
                "art23_date",
                _("A declaration date can be entered only when the declaration is “Declared”."),
            )

    def _check_withdrawal(self) -> None:
        notified = self.cleaned_data.get("withdrawal_notified_on")
        effective = self.cleaned_data.get("withdrawal_effective_on")
        if effective and not notified:
            self._error(
                "withdrawal_effective_on",
                _("Enter the date the Depositary received the withdrawal first."),
            )
        elif effective and notified and effective < notified:
            self._error(
                "withdrawal_effective_on",
                _("A withdrawal cannot take effect before the Depositary received it (%(date)s).")
                % {"date": notified.isoformat()},
            )

    def _check_accession(self) -> None:
        """A State that signed ratifies, accepts or approves; accession is for those that did not (Art. 22)."""
        if self.cleaned_data.get("instrument") != Instrument.ACCESSION:
            return
        if self._partial("signature_date", "signature_date_partial").known:
            self._error(
                "instrument",
                _("A State that signed deposits ratification, acceptance or approval, not accession."),
            )


# ---------------------------------------------------------------------------- preferences
# NOTE (registry-edit helper): rebuilt from its use in views.py after this file was
# overwritten by accident; its author should check it against the original.


class StatePreferencesForm(forms.Form):
    """The State's preferred working language (chosen by its representatives or the registry staff)."""

    working_language = forms.ChoiceField(
        label=_("Preferred working language"),
        choices=WorkingLanguage.choices,
        help_text=_("Letters, invoices and reminders to the State are sent in this language."),
    )


class TreatyStatusFilterForm(forms.Form):
    """The GET filters of the public treaty-status page and its CSV export (states.views)."""

    as_of = forms.DateField(
        label=_("Status as of"),
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=DateInput(),
        help_text=_("YYYY-MM-DD; today if empty."),
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD, for example 2014-12-24.")},
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *TreatyStatus.choices]
    )
    region = forms.ChoiceField(
        label=_("UN regional group"), required=False, choices=[("", _("Any group")), *Region.choices]
    )
    q = forms.CharField(
        label=_("Name or ISO code"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )

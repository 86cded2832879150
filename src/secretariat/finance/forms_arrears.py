"""Forms of the arrears pages: the overview's filters, a payment plan request and its decision, and
the consequence rules. The services check everything again and have the last word; their errors are
shown on the form (`add_service_error`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from secretariat.states.models import Region, State, name_field

from .forms_common import DateInput
from .models import ConsequenceRule, PlanStatus

ACCEPTED_NOTE_VERBALE = ".pdf,.docx"


def state_choices(blank: Any) -> list[tuple[str, Any]]:
    states = State.objects.order_by(name_field(), "iso3")
    return [("", blank)] + [(state.iso3, f"{state.name} ({state.iso3})") for state in states]


# ---------------------------------------------------------------------------- the overview


class ArrearsFilterForm(forms.Form):
    as_of = forms.DateField(label=_("As of"), required=False, widget=DateInput())
    region = forms.ChoiceField(label=_("UN regional group"), required=False)
    flag = forms.ChoiceField(label=_("Consequence"), required=False)

    def __init__(self, *args: Any, with_flags: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("All regions")), *Region.choices]
        if with_flags:
            rules = ConsequenceRule.objects.filter(active=True).order_by("min_full_years", "code")
            self.fields["flag"].choices = [("", _("Any")), *((rule.code, rule.label) for rule in rules)]
        else:
            del self.fields["flag"]

    def clean_as_of(self) -> dt.date:
        as_of = self.cleaned_data.get("as_of") or timezone.localdate()
        if as_of > timezone.localdate():
            raise ValidationError(_("Arrears are shown as of today or an earlier date."))
        return as_of


# ---------------------------------------------------------------------------- payment plans


def parse_instalments(text: str) -> list[tuple[dt.date, Decimal]]:
    """One instalment a line: its date (YYYY-MM-DD) and amount, e.g. "2027-03-31 25000.00"."""
    instalments: list[tuple[dt.date, Decimal]] = []
    problems: list[str] = []
    for number, line in enumerate(str(text or "").splitlines(), start=1):
        parts = line.replace(";", " ").replace("\t", " ").split()
        if not parts:
            continue
        where = {"number": number, "line": line.strip()}
        if len(parts) < 2:
            problems.append(_("Line %(number)s (“%(line)s”): give a date and an amount.") % where)
            continue
        try:
            due_on = dt.date.fromisoformat(parts[0])
        except ValueError:
            problems.append(
                _("Line %(number)s: “%(value)s” is not a date such as 2027-03-31.") % {**where, "value": parts[0]}
            )
            continue
        raw = "".join(parts[1:]).replace(",", "").replace("'", "").replace("\u202f", "")
        try:
            amount = Decimal(raw)
        except InvalidOperation:
            problems.append(
                _("Line %(number)s: “%(value)s” is not an amount.") % {**where, "value": " ".join(parts[1:])}
            )
            continue
        if not amount.is_finite():
            problems.append(_("Line %(number)s: “%(value)s” is not an amount.") % {**where, "value": raw})
            continue
        instalments.append((due_on, amount))
    if problems:
        raise ValidationError(problems)
    return instalments


class PlanRequestForm(forms.Form):
    state = forms.ChoiceField(label=_("State"))
    received_on = forms.DateField(label=_("Request received on"), widget=DateInput())
    note_verbale = forms.FileField(
        label=_("Note Verbale"),
        help_text=_("PDF or DOCX, 20 MB at most."),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED_NOTE_VERBALE}),
    )
    note_verbale_reference = forms.CharField(label=_("Reference of the Note Verbale"), max_length=200)
    reasons = forms.CharField(label=_("Reasons for non-payment"), widget=forms.Textarea(attrs={"rows": 4}))
    outstanding_amount = forms.DecimalField(
        label=_("Total outstanding (USD)"), max_digits=14, decimal_places=2, min_value=Decimal("0.01")
    )
    conference_starts_on = forms.DateField(
        label=_("First day of the Conference"),
        widget=DateInput(),
        help_text=_("The request must be filed at least 60 days before the Conference."),
    )
    instalments = forms.CharField(
        label=_("Instalments"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "One instalment a line: its date and amount, e.g. “2027-03-31 25000.00”. The dates increase, the last "
            "is at most 6 years after the request, and the amounts add up to the total outstanding."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = state_choices(_("Choose a State"))

    def clean_state(self) -> State:
        iso3 = self.cleaned_data["state"]
        state = State.objects.filter(iso3=iso3).first()
        if state is None:
            raise ValidationError(_("Choose a State from the list."))
        return state

    def clean_instalments(self) -> list[tuple[dt.date, Decimal]]:
        return parse_instalments(self.cleaned_data["instalments"])


class PlanDecisionForm(forms.Form):
    decision_reference = forms.CharField(label=_("Decision reference"), max_length=200, required=False)
    decided_on = forms.DateField(label=_("Decided on"), required=False, widget=DateInput())


class PlanFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All")), *PlanStatus.choices])


# ---------------------------------------------------------------------------- consequence rules


class ConsequenceRuleForm(forms.ModelForm):
    class Meta:
        model = ConsequenceRule
        fields = ["code", "label", "min_full_years", "exempt_with_plan", "active", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["min_full_years"].validators.append(MinValueValidator(1))
        self.fields["min_full_years"].widget.attrs["min"] = 1
        if self.instance.pk:
            # The code is how later modules ask for a flag: it never changes.
            self.fields["code"].disabled = True
            self.fields["code"].help_text = _("The code names the flag for other modules; it cannot be changed.")
        else:
            self.fields["code"].help_text = _("Lower-case letters, digits and hyphens, e.g. two-full-years.")

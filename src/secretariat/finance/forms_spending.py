"""Forms of the spending, ledger and donor pages. They read what people type; the services check
everything (amounts, dates, funds, instalments, overruns) and their errors are shown on the form
(see add_service_error)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from secretariat.accounts.models import Donor

from .forms_common import date_field, money_field
from .models import AccountCode, Commitment, EntryKind, Fund, FundCode
from .services.donations import DONOR_FUNDS, InstalmentSpec

# ---------------------------------------------------------------------------- spending


class SpendingForm(forms.Form):
    """What a commitment and an expenditure share; `overrun_confirmed` is the second step when the
    line would be exceeded under a "warn" policy (the page shows it once the warning is given)."""

    date_name = "spent_on"

    description = forms.CharField(label=_("Description"), max_length=300)
    amount = money_field(_("Amount"))
    overrun_confirmed = forms.BooleanField(label=_("I know this exceeds the line"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.needs_confirmation = False

    def ask_confirmation(self, message: str) -> None:
        self.needs_confirmation = True
        self.overrun_message = message

    @property
    def show_confirmation(self) -> bool:
        return self.needs_confirmation or bool(self.data.get("overrun_confirmed"))


class CommitmentForm(SpendingForm):
    date_name = "committed_on"
    field_order = ["committed_on", "supplier", "description", "amount", "overrun_confirmed"]

    committed_on = date_field(_("Committed on"))
    supplier = forms.CharField(label=_("Supplier"), max_length=200, required=False)


class ExpenditureForm(SpendingForm):
    field_order = ["spent_on", "commitment", "description", "amount", "close_commitment", "overrun_confirmed"]

    spent_on = date_field(_("Date"))
    commitment = forms.ModelChoiceField(
        label=_("Against the commitment"),
        queryset=Commitment.objects.none(),
        required=False,
        empty_label=_("None"),
        help_text=_("An expenditure against an open commitment uses what the commitment holds first."),
    )
    close_commitment = forms.BooleanField(
        label=_("Close the commitment: no further spending is expected on it"), required=False
    )

    def __init__(self, *args: Any, commitments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["commitment"].queryset = commitments
        self.fields["commitment"].label_from_instance = lambda c: (
            f"{c.committed_on:%Y-%m-%d} {c.description} ({c.amount})"
        )


class BudgetVsActualForm(forms.Form):
    fund = forms.ChoiceField(label=_("Fund"), choices=FundCode.choices, required=False)
    year = forms.IntegerField(label=_("Financial year"), min_value=2000, max_value=2100, required=False)


# ---------------------------------------------------------------------------- ledger


class TrialBalanceForm(forms.Form):
    on = date_field(_("Balances on"), required=False)


class LedgerFilterForm(forms.Form):
    start = date_field(_("From"), required=False)
    end = date_field(_("To"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("Any")), *EntryKind.choices], required=False)
    account = forms.ChoiceField(
        label=pgettext_lazy("ledger account", "Account"), choices=[("", _("Any"))], required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].choices = [
            ("", _("Any")),
            *[(code, f"{code} {label}") for code, label in AccountCode.choices],
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            raise ValidationError(_("The period cannot end before it starts."))
        return cleaned


class AuditPeriodForm(forms.Form):
    """The period of the audit export; the calendar year by default."""

    start = date_field(_("From"))
    end = date_field(_("To"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            raise ValidationError(_("The period cannot end before it starts."))
        return cleaned

    @staticmethod
    def initial_for(today: dt.date) -> dict[str, dt.date]:
        return {"start": dt.date(today.year, 1, 1), "end": dt.date(today.year, 12, 31)}


# ---------------------------------------------------------------------------- donor contributions


class AgreementForm(forms.Form):
    donor = forms.ModelChoiceField(label=_("Donor"), queryset=Donor.objects.order_by("name"))
    fund = forms.ModelChoiceField(
        label=_("Fund"),
        queryset=Fund.objects.filter(code__in=DONOR_FUNDS).order_by("pk"),
        error_messages={
            "invalid_choice": _("Donor agreements are for the Voluntary Trust Fund or the Sponsorship Programme.")
        },
    )
    reference = forms.CharField(label=_("Reference"), max_length=100)
    signed_on = date_field(_("Signed on"))
    amount = money_field(_("Amount pledged"))
    currency = forms.CharField(
        label=_("Currency"), max_length=3, initial="USD", help_text=_("ISO 4217 code: USD, CHF, EUR …")
    )
    earmark = forms.CharField(label=_("Earmarked for"), max_length=300, required=False)
    starts_on = date_field(_("Starts on"))
    ends_on = date_field(_("Ends on"))


class InstalmentForm(forms.Form):
    due_on = date_field(_("Due on"), required=False)
    amount = money_field(_("Amount"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The rows are shown as a table without a label per cell: name each input for screen readers.
        number = int(self.prefix.rsplit("-", 1)[-1]) + 1 if self.prefix and self.prefix[-1].isdigit() else 1
        self.fields["due_on"].widget.attrs["aria-label"] = _("Instalment %(number)s: due on") % {"number": number}
        self.fields["amount"].widget.attrs["aria-label"] = _("Instalment %(number)s: amount") % {"number": number}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if (cleaned.get("due_on") is None) != (cleaned.get("amount") is None) and not self.errors:
            raise ValidationError(_("Give both the due date and the amount of each instalment."))
        return cleaned


InstalmentFormSet = forms.formset_factory(InstalmentForm, extra=8, max_num=60, validate_max=True)


def instalments_from(formset: Any) -> list[InstalmentSpec]:
    """The filled rows of a valid instalment formset (blank rows are left out)."""
    rows = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None) or {}
        if data.get("due_on") is not None and data.get("amount") is not None:
            rows.append(InstalmentSpec(data["due_on"], data["amount"]))
    return rows


class ReceiptForm(forms.Form):
    received_on = date_field(_("Received on"))
    amount = money_field(_("Amount received"), help_text=_("In the fund's currency."))
    bank_reference = forms.CharField(label=_("Bank reference"), max_length=100, required=False)
    original_currency = forms.CharField(
        label=_("Currency as paid"),
        max_length=3,
        required=False,
        help_text=_("Only when the donor paid in another currency than the fund's."),
    )
    original_amount = money_field(_("Amount as paid"), required=False)
    exchange_rate = forms.DecimalField(
        label=_("Exchange rate used"),
        max_digits=18,
        decimal_places=8,
        required=False,
        help_text=_("Units of the fund's currency for one unit of the currency as paid."),
        widget=forms.NumberInput(attrs={"step": "any"}),
    )

    def clean_original_currency(self) -> str:
        return (self.cleaned_data.get("original_currency") or "").strip().upper()

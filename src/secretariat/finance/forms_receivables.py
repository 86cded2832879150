"""Forms of the invoice, payment and bank import pages. They read what people type; the services
check everything (amounts, dates, balances, references) and their refusals are shown on the form
(see add_service_error)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from secretariat.states.models import State, name_field

from .forms_common import date_field, money_field
from .models import Invoice
from .selectors.receivables import InvoiceStatus
from .services import bank_import


def _state_choices(states: list[State], blank: Any) -> list[tuple[str, Any]]:
    return [("", blank)] + [(state.iso3, f"{state.name} ({state.iso3})") for state in states]


def all_states() -> list[State]:
    return list(State.objects.order_by(name_field(), "iso3"))


# ---------------------------------------------------------------------------- filters


class InvoiceFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Financial year"), required=False, coerce=int, empty_value=None)
    state = forms.ChoiceField(label=_("State"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args: Any, years: list[int], states: list[State], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("Every year"))] + [(year, year) for year in years]
        self.fields["state"].choices = _state_choices(states, _("Every State"))
        self.fields["status"].choices = [("", _("Any status")), *InvoiceStatus.choices]


class PaymentFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year received"), required=False, coerce=int, empty_value=None)
    state = forms.ChoiceField(label=_("State"), required=False)

    def __init__(self, *args: Any, years: list[int], states: list[State], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("Every year"))] + [(year, year) for year in years]
        self.fields["state"].choices = _state_choices(states, _("Every State"))


# ---------------------------------------------------------------------------- invoices


class RunIssueForm(forms.Form):
    """The issue button of an approved run: dates optional (today, and the default due date)."""

    issued_on = date_field(_("Date of issue"), required=False)
    due_on = date_field(_("Due date"), required=False)


class CreditNoteForm(forms.Form):
    amount = money_field(_("Amount to credit"))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    issued_on = date_field(_("Date of issue"), required=False, help_text=_("Today if left empty."))


# ---------------------------------------------------------------------------- payments


class PaymentForm(forms.Form):
    state = forms.ChoiceField(label=_("State"))
    received_on = date_field(_("Received on"))
    amount = money_field(_("Amount (USD)"), help_text=_("As credited to the account, in the fund's currency."))
    original_amount = money_field(_("Amount as paid"), required=False, help_text=_("Only for another currency."))
    original_currency = forms.CharField(
        label=_("Currency as paid"), required=False, max_length=3, help_text=_("ISO 4217 code, e.g. CHF or EUR.")
    )
    exchange_rate = forms.DecimalField(
        label=_("Exchange rate used"), required=False, max_digits=18, decimal_places=8, min_value=0
    )
    bank_reference = forms.CharField(label=_("Bank reference"), required=False, max_length=100)
    payer = forms.CharField(label=_("Payer as shown by the bank"), required=False, max_length=300)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    allocate_oldest_first = forms.BooleanField(
        label=_("Allocate to the State's oldest open invoices first"),
        required=False,
        initial=True,
        help_text=_("Untick to keep the whole amount as the State's credit and allocate it yourself."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"received_on": timezone.localdate(), "allocate_oldest_first": True})
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = _state_choices(all_states(), _("Choose the State"))

    def clean_state(self) -> State:
        state = State.objects.filter(iso3=self.cleaned_data["state"]).first()
        if state is None:
            raise ValidationError(_("Unknown State."))
        return state


class AllocationForm(forms.Form):
    invoice = forms.ModelChoiceField(label=_("Invoice"), queryset=Invoice.objects.none())
    amount = money_field(_("Amount"))

    def __init__(self, *args: Any, open_invoices: list[Invoice], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["invoice"]
        field.queryset = Invoice.objects.filter(pk__in=[invoice.pk for invoice in open_invoices])
        field.choices = [("", _("Choose an open invoice"))] + [
            (
                invoice.pk,
                _("%(number)s (due %(due)s): %(open)s open")
                % {
                    "number": invoice.number,
                    "due": invoice.due_on.isoformat(),
                    "open": invoice.open_balance,
                },
            )
            for invoice in open_invoices
        ]


# ---------------------------------------------------------------------------- bank statements


class BankStatementForm(forms.Form):
    file = forms.FileField(
        label=_("Bank statement (CSV)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size is not None and upload.size > bank_import.MAX_BYTES:
            raise ValidationError(
                _("%(name)s is %(size)s MB; the limit is %(limit)s MB.")
                % {
                    "name": upload.name,
                    "size": round(upload.size / 1024 / 1024, 1),
                    "limit": bank_import.MAX_BYTES // 1024 // 1024,
                }
            )
        return upload


def assignments_from(data: Any) -> dict[int, str]:
    """Staff's choices on the preview: {row number: ISO3 code or LEAVE_OUT} from `assign-<row>`."""
    choices = {}
    for key, value in data.items():
        if key.startswith("assign-") and key.removeprefix("assign-").isdigit() and value:
            choices[int(key.removeprefix("assign-"))] = str(value)[:8]
    return choices

"""Fields the finance forms share (dates and amounts); the services check the values."""

from __future__ import annotations

from typing import Any

from django import forms

from secretariat.core.forms import DateInput, add_service_error

from .models.common import MONEY_DIGITS

__all__ = ["DateInput", "add_service_error", "date_field", "money_field"]


def date_field(label: Any, **kwargs: Any) -> forms.DateField:
    return forms.DateField(label=label, widget=DateInput(), **kwargs)


def money_field(label: Any, **kwargs: Any) -> forms.DecimalField:
    """An amount as typed; the services say when it is zero, negative or not to the cent."""
    return forms.DecimalField(
        label=label,
        max_digits=MONEY_DIGITS,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01"}),
        **kwargs,
    )

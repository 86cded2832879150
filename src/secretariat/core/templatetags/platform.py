"""Template filters shared by every app."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django import template
from django.utils.formats import date_format, number_format

register = template.Library()


@register.filter
def partial_date(value: Any, format_name: str = "DATE_FORMAT") -> str:
    """A date in the reader's language; a date known only to the month or year is shown as such.

    Accepts a `datetime.date`, None, or an object with `day` (a date or None) and `text`
    ("YYYY-MM" or "YYYY"), such as `states.models.PartialDate`.
    """
    if value is None or value == "":
        return ""
    if isinstance(value, dt.date):
        return date_format(value, format_name)
    day = getattr(value, "day", None)
    if day is not None:
        return date_format(day, format_name)
    text = getattr(value, "text", "") or ""
    if len(text) == 7:
        return date_format(dt.date(int(text[:4]), int(text[5:7]), 1), "YEAR_MONTH_FORMAT")
    return text


@register.filter
def rate(value: Any, minimum_places: int = 3) -> str:
    """A percentage rate in the reader's language, without trailing zeros beyond `minimum_places`
    (the UN publishes its scale with three decimals): 20.00400 -> "20.004" / "20,004"."""
    if value is None or value == "":
        return ""
    value = Decimal(value)
    exponent = value.normalize().as_tuple().exponent
    places = max(int(minimum_places), -exponent if isinstance(exponent, int) and exponent < 0 else 0)
    return number_format(value, decimal_pos=places)

"""Helpers for files the platform lets people download."""

import datetime as dt

# A cell starting with one of these is read as a formula by spreadsheet programs (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> str:
    """A CSV cell that a spreadsheet shows as text: dates in ISO 8601, None empty, and a leading
    apostrophe before anything that would start a formula."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text

"""/finance/contributions/… (the published status of contributions) and /finance/payment-pattern/."""

import datetime as dt

from django.urls import path, register_converter
from django.urls.converters import get_converters

from . import views_publication as views


class IsoDateConverter:
    """A day in a URL as YYYY-MM-DD; an impossible date (2026-02-30) matches nothing (404)."""

    regex = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"

    def to_python(self, value: str) -> dt.date:
        return dt.date.fromisoformat(value)  # ValueError: no match

    def to_url(self, value: dt.date | str) -> str:
        return value.isoformat() if isinstance(value, dt.date) else str(value)


if "iso_date" not in get_converters():
    register_converter(IsoDateConverter, "iso_date")

urlpatterns = [
    path("contributions/", views.status_latest, name="status_latest"),
    path("contributions/archive/", views.status_archive, name="status_archive"),
    path("contributions/publish/", views.publish, name="status_publish"),
    path("contributions/<iso_date:as_of>/", views.status_on, name="status_on"),
    path("contributions/<iso_date:as_of>/status.pdf", views.status_pdf, name="status_pdf"),
    path("contributions/<iso_date:as_of>/status.xlsx", views.status_xlsx, name="status_xlsx"),
    path("contributions/<iso_date:as_of>/ledger/", views.summary_ledger, name="summary_ledger"),
    path("payment-pattern/", views.payment_pattern, name="payment_pattern"),
    path("payment-pattern/<slug:chart>.csv", views.payment_pattern_csv, name="payment_pattern_csv"),
]

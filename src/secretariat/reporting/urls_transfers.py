"""URLs of the reporting transfers pages (included by reporting/urls.py, namespace "reporting")."""

from django.urls import path

from . import transfer_views

urlpatterns: list = [
    path("transfers/", transfer_views.transfer_list, name="transfers"),
    path("transfers/export.csv", transfer_views.transfer_csv, name="transfers_csv"),
    path("transfers/export.xlsx", transfer_views.transfer_xlsx, name="transfers_xlsx"),
    path("transfers/export.json", transfer_views.transfer_json, name="transfers_json"),
    path("transfers/mirror/", transfer_views.transfer_mirror, name="transfers_mirror"),
]

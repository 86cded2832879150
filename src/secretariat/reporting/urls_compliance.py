"""URLs of the reporting compliance pages (included by reporting/urls.py, namespace "reporting")."""

from django.urls import path

from . import compliance_views

urlpatterns: list = [
    path("compliance/", compliance_views.compliance, name="compliance"),
    path("compliance/<slug:chart>.csv", compliance_views.compliance_csv, name="compliance_csv"),
]

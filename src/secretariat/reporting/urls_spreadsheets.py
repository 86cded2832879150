"""URLs of the reporting spreadsheets pages (included by reporting/urls.py, namespace "reporting")."""

from django.urls import path

from secretariat.states import converters  # noqa: F401 - registers <iso3:...>

from . import spreadsheet_views

urlpatterns = [
    path(
        "template/<iso3:iso3>/<int:year>.xlsx",
        spreadsheet_views.template_download,
        name="spreadsheet_template",
    ),
    path("upload/<iso3:iso3>/<int:year>/", spreadsheet_views.upload, name="spreadsheet_upload"),
    path("upload/<iso3:iso3>/<int:year>/confirm/", spreadsheet_views.upload_confirm, name="spreadsheet_confirm"),
]

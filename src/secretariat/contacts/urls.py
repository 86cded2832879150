"""URLs of the contacts pages (namespace "contacts", under /contacts/)."""

from django.urls import path

from secretariat.states import converters  # noqa: F401 - registers <iso3:...>

from . import views

app_name = "contacts"

urlpatterns: list = [
    path("", views.directory, name="directory"),
    path("designations/", views.designations, name="designations"),
    path("pending/", views.pending, name="pending"),
    path("export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("export.pdf", views.export_pdf, name="export_pdf"),
    path("<iso3:iso3>/", views.state_detail, name="state"),
    path("<iso3:iso3>/propose/", views.propose, name="propose"),
    path("<iso3:iso3>/add/", views.add, name="add"),
    path("<int:pk>/change/", views.change, name="change"),
    path("<int:pk>/confirm/", views.confirm, name="confirm"),
    path("<int:pk>/verify/", views.verify, name="verify"),
    path("<int:pk>/refuse/", views.refuse, name="refuse"),
    path("<int:pk>/end/", views.end, name="end"),
    path("<int:pk>/note-verbale/", views.note_verbale, name="note_verbale"),
]

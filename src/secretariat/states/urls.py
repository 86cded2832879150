from django.urls import path

from . import (
    converters,  # noqa: F401 - registers <iso3:...>
    staff_views,
    views,
)

app_name = "states"
urlpatterns = [
    path("", views.treaty_status, name="status"),
    path("export.csv", views.treaty_status_csv, name="status_csv"),
    path("data-quality/", staff_views.data_quality, name="data_quality"),
    path("<iso3:iso3>/", views.dossier, name="dossier"),
    path("<iso3:iso3>/edit/", staff_views.state_edit, name="edit"),
    path("<iso3:iso3>/preferences/", views.state_preferences, name="preferences"),
]

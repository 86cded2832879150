from django.urls import path

from secretariat.states import converters  # noqa: F401 - registers <iso3:...>

from . import views

app_name = "controllists"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("files/<int:pk>/", views.file_download, name="file"),
    path("<int:pk>/visibility/", views.set_visibility, name="set_visibility"),
    path("<int:pk>/files/new/", views.add_file, name="add_file"),
    path("<iso3:iso3>/", views.state_lists, name="state"),
    path("<iso3:iso3>/new/", views.record, name="record"),
]

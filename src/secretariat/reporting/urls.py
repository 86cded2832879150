from django.urls import path

from . import views

app_name = "reporting"
urlpatterns = [
    path("received/", views.received_list, name="received_list"),
    path("received/new/", views.record_received, name="record_received"),
    path("versions/<int:pk>/file/", views.version_file, name="version_file"),
]

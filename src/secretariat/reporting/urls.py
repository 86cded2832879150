from django.urls import path

from . import views
from .urls_compliance import urlpatterns as compliance_urls
from .urls_spreadsheets import urlpatterns as spreadsheet_urls
from .urls_transfers import urlpatterns as transfer_urls
from .urls_workflow import urlpatterns as workflow_urls

app_name = "reporting"
urlpatterns = [
    path("received/", views.received_list, name="received_list"),
    path("received/new/", views.record_received, name="record_received"),
    path("versions/<int:pk>/file/", views.version_file, name="version_file"),
    *workflow_urls,
    *spreadsheet_urls,
    *transfer_urls,
    *compliance_urls,
]

"""URLs of the reporting workflow pages (included by reporting/urls.py, namespace "reporting")."""

from django.urls import path

from secretariat.states import converters  # noqa: F401 - registers <iso3:...>

from . import workflow_views as views

urlpatterns: list = [
    path("", views.home, name="home"),
    path("published/", views.published_list, name="published_list"),
    path("start/<iso3:iso3>/", views.draft_start, name="draft_start"),
    path("versions/<int:pk>/", views.version_detail, name="version_detail"),
    path("versions/<int:pk>/edit/", views.draft_edit, name="draft_edit"),
    path("versions/<int:pk>/submit/", views.draft_submit, name="draft_submit"),
    path("versions/<int:pk>/discard/", views.draft_discard, name="draft_discard"),
    path("versions/<int:pk>/review/", views.version_review, name="version_review"),
    path("versions/<int:pk>/publish/", views.version_publish, name="version_publish"),
    path("versions/<int:pk>/queries/new/", views.query_ask, name="query_ask"),
    path("queries/<int:pk>/answer/", views.query_answer, name="query_answer"),
    path("attachments/<int:pk>/", views.attachment_file, name="attachment_file"),
]

"""The reminders' staff pages (namespace "reminders", under /reminders/)."""

from django.urls import path

from . import views

app_name = "reminders"

urlpatterns: list = [
    path("", views.overview, name="overview"),
    path("rules/", views.rule_list, name="rule_list"),
    path("rules/new/", views.rule_new, name="rule_new"),
    path("rules/<int:pk>/", views.rule_edit, name="rule_edit"),
    path("rules/<int:pk>/active/", views.rule_active, name="rule_active"),
    path("calendar/", views.calendar, name="calendar"),
    path("failed/", views.failed, name="failed"),
    path("messages/<int:pk>/", views.message_detail, name="message_detail"),
    path("messages/<int:pk>/retry/", views.message_retry, name="message_retry"),
]

"""/finance/…: arrears, Financial Rule 8 payment plans and consequence rules (views_arrears.py)."""

from django.urls import path

from . import views_arrears as views

urlpatterns = [
    path("arrears/", views.overview, name="arrears"),
    path("arrears/export.csv", views.overview_csv, name="arrears_csv"),
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/new/", views.plan_new, name="plan_new"),
    path("plans/record-progress/", views.plans_progress_record, name="plans_record_progress"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/note-verbale/", views.plan_note_verbale, name="plan_note_verbale"),
    path("plans/<int:pk>/approve/", views.plan_approve, name="plan_approve"),
    path("plans/<int:pk>/refuse/", views.plan_refuse, name="plan_refuse"),
    path("consequences/", views.consequence_list, name="consequence_list"),
    path("consequences/new/", views.consequence_new, name="consequence_new"),
    path("consequences/<int:pk>/edit/", views.consequence_edit, name="consequence_edit"),
]

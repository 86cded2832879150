"""Budgets and assessment pages (namespace "finance", under /finance/)."""

from django.urls import path

from . import views_budgets as views

urlpatterns: list = [
    path("budgets/", views.budget_list, name="budget_list"),
    path("budgets/new/", views.budget_create, name="budget_create"),
    path("budgets/<int:pk>/", views.budget_detail, name="budget_detail"),
    path("budgets/<int:pk>/lines/", views.budget_lines, name="budget_lines"),
    path("budgets/<int:pk>/comment/", views.budget_comment, name="budget_comment"),
    path("budgets/<int:pk>/review/", views.budget_review, name="budget_review"),
    path("budgets/<int:pk>/circulate/", views.budget_circulate, name="budget_circulate"),
    path("budgets/<int:pk>/adopt/", views.budget_adopt, name="budget_adopt"),
    path("budgets/<int:pk>/revise/", views.budget_revise, name="budget_revise"),
    path("assessment/runs/", views.run_list, name="run_list"),
    path("assessment/runs/new/", views.run_create, name="run_create"),
    path("assessment/runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("assessment/runs/<int:pk>/export.csv", views.run_csv, name="run_csv"),
    path("assessment/runs/<int:pk>/approve/", views.run_approve, name="run_approve"),
    path("assessment/runs/<int:pk>/cancel/", views.run_cancel, name="run_cancel"),
    path("assessment/rules/", views.rule_list, name="rule_list"),
    path("assessment/rules/new/", views.rule_create, name="rule_create"),
    path("assessment/rules/<int:pk>/", views.rule_edit, name="rule_edit"),
    path("assessment/attendance/", views.attendance, name="attendance"),
    path("assessment/attendance/add/", views.attendance_add, name="attendance_add"),
    path("assessment/attendance/<int:pk>/remove/", views.attendance_remove, name="attendance_remove"),
]

"""/finance/…: spending and budget versus actual, the ledger pages and audit export per fund, and
donor agreements (views in views_spending.py)."""

from django.urls import path

from . import views_spending as views

urlpatterns = [
    path("spending/", views.budget_vs_actual, name="budget_vs_actual"),
    path("spending/budget-vs-actual.csv", views.budget_vs_actual_csv, name="budget_vs_actual_csv"),
    path("spending/lines/<int:pk>/", views.line_detail, name="spending_line"),
    path("spending/lines/<int:pk>/commitments/new/", views.commitment_new, name="commitment_new"),
    path("spending/lines/<int:pk>/expenditures/new/", views.expenditure_new, name="expenditure_new"),
    path("spending/commitments/<int:pk>/close/", views.commitment_close, name="commitment_close"),
    path("ledger/", views.ledger_index, name="ledger_index"),
    path("ledger/<slug:fund>/", views.trial_balance, name="ledger_trial_balance"),
    path("ledger/<slug:fund>/entries/", views.general_ledger, name="ledger_entries"),
    path("ledger/<slug:fund>/audit.xlsx", views.audit_export, name="ledger_audit_export"),
    path("donor-agreements/", views.agreement_list, name="donor_agreements"),
    path("donor-agreements/new/", views.agreement_new, name="donor_agreement_new"),
    path("donor-agreements/<int:pk>/", views.agreement_detail, name="donor_agreement"),
    path("donor-agreements/<int:pk>/receipts/new/", views.receipt_new, name="donor_receipt_new"),
]

"""/finance/… invoices, credit notes, payments, bank statement imports and a State's contributions."""

from django.urls import path

from secretariat.states import converters  # noqa: F401 - registers <iso3:...>

from . import views_receivables as views

urlpatterns = [
    path("assessments/<int:pk>/issue/", views.run_issue, name="run_issue"),
    path("invoices/", views.invoice_list, name="invoice_list"),
    path("invoices/not-sent/", views.invoices_not_sent, name="invoices_not_sent"),
    path("invoices/<int:pk>/", views.invoice_detail, name="invoice_detail"),
    path("invoices/<int:pk>/pdf/", views.invoice_pdf, name="invoice_pdf"),
    path("invoices/<int:pk>/send/", views.invoice_send, name="invoice_send"),
    path("invoices/<int:pk>/credit-notes/new/", views.credit_note_new, name="credit_note_new"),
    path("credit-notes/<int:pk>/pdf/", views.credit_note_pdf, name="credit_note_pdf"),
    path("payments/", views.payment_list, name="payment_list"),
    path("payments/new/", views.payment_new, name="payment_new"),
    path("payments/import/", views.bank_import_upload, name="bank_import"),
    path("payments/import/sample.csv", views.bank_import_sample, name="bank_import_sample"),
    path("payments/import/confirm/", views.bank_import_confirm, name="bank_import_confirm"),
    path("payments/<int:pk>/", views.payment_detail, name="payment_detail"),
    path("payments/<int:pk>/allocate/", views.payment_allocate, name="payment_allocate"),
    path("payments/<int:pk>/allocate-oldest-first/", views.payment_allocate_oldest, name="payment_allocate_oldest"),
    path("payments/<int:pk>/reverse/", views.payment_reverse, name="payment_reverse"),
    path("allocations/<int:pk>/reverse/", views.allocation_reverse, name="allocation_reverse"),
    path("my-contributions/", views.my_contributions, name="my_contributions"),
    path("states/<iso3:iso3>/contributions/", views.state_contributions, name="state_contributions"),
]

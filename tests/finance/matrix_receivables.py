"""Access-matrix entries for the invoice, payment and bank import pages, and a State's
contributions page (same format as tests/contacts/matrix_contacts.py).

Who: the finance and admin staff issue invoices and credit notes, send invoices, record,
allocate and reverse payments and import bank statements; they and the Management Committee read
the invoice and payment pages. A State's invoice PDFs, credit notes and contributions page are
also open to its own representatives and to any staff member, never to another State's
representatives (Mexico's never sees Ghana's), signatories, committees or donors.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from secretariat.finance.models import (
    Allocation,
    AssessmentRun,
    BankStatement,
    CreditNote,
    Invoice,
    InvoiceLine,
    JournalEntry,
    JournalLine,
    Payment,
    RunStatus,
)
from tests.factories import UserFactory
from tests.reporting.matrix_common import DENIED, LOGIN, NOT_ALLOWED, OK, REDIRECT, Write, expect

MANAGERS = ["staff_admin", "staff_finance"]
READERS = expect(
    anonymous=LOGIN, non_staff=DENIED, staff=DENIED, staff_admin=OK, staff_finance=OK, management_committee=OK
)
MANAGER_PAGES = expect(anonymous=LOGIN, non_staff=DENIED, staff=DENIED, staff_admin=OK, staff_finance=OK)
MANAGER_POSTS = expect(
    anonymous=LOGIN, non_staff=DENIED, staff=DENIED, staff_admin=NOT_ALLOWED, staff_finance=NOT_ALLOWED
)
# Ghana's documents: Ghana's representatives, any staff member, and the Management Committee.
STATE_A_DOCUMENTS = expect(anonymous=LOGIN, non_staff=DENIED, staff=OK, state_a_rep=OK, management_committee=OK)
# Representatives are sent to their State's page, finance readers to the invoices.
MY_CONTRIBUTIONS = expect(
    anonymous=LOGIN,
    non_staff=DENIED,
    staff=DENIED,
    state_a_rep=REDIRECT,
    state_b_rep=REDIRECT,
    signatory_rep=REDIRECT,
    staff_admin=REDIRECT,
    staff_finance=REDIRECT,
    management_committee=REDIRECT,
)

SNAPSHOT_MODELS = (
    AssessmentRun,
    Invoice,
    InvoiceLine,
    CreditNote,
    Payment,
    Allocation,
    BankStatement,
    JournalEntry,
    JournalLine,
)


def _free_year(start: int) -> int:
    """A year below `start` in which no other area's targets issued invoices (one run per year)."""
    year = start
    while (
        AssessmentRun.objects.filter(year=year, status=RunStatus.ISSUED).exists()
        or Invoice.objects.filter(year=year).exists()
    ):
        year -= 1
    return year


def build_targets(t: Any) -> dict[str, Any]:
    """Invoices issued to Ghana and Mexico (Ghana's PDF made, not e-mailed), a credit note on
    Ghana's, a payment from Ghana allocated to it and another kept as credit, and an approved run
    of another year waiting to be issued."""
    from secretariat.finance.services.invoice_delivery import invoice_pdf_ensure
    from secretariat.finance.services.invoices import credit_note_issue, invoices_issue
    from secretariat.finance.services.payments import payment_record
    from tests.finance.factories import approved_run, fund

    user = UserFactory(email="matrix.receivables@example.org")
    year = _free_year(2015)
    run = approved_run({"GHA": "1000.00", "MEX": "800.00"}, year=year)
    invoices = {
        invoice.state.iso3: invoice
        for invoice in invoices_issue(run=run, user=user, issued_on=dt.date(year - 1, 10, 1))
    }
    ghana = invoices["GHA"]
    invoice_pdf_ensure(ghana)
    note = credit_note_issue(invoice=ghana, amount=Decimal("50.00"), reason="Matrix correction", user=user)
    allocated = payment_record(
        fund=fund(),
        state=ghana.state,
        received_on=dt.date(year, 2, 1),
        amount=Decimal("300.00"),
        user=user,
        bank_reference="MATRIX-REC-1",
    )
    credit = payment_record(
        fund=fund(),
        state=ghana.state,
        received_on=dt.date(year, 3, 1),
        amount=Decimal("200.00"),
        user=user,
        bank_reference="MATRIX-REC-2",
        allocate=False,
    )
    to_issue = approved_run({"GHA": "10.00", "MEX": "20.00"}, year=_free_year(year - 1))
    return {
        "receivables_invoice": ghana,
        "receivables_credit_note": note,
        "receivables_payment": allocated,
        "receivables_allocation": Allocation.objects.get(payment=allocated),
        "receivables_credit": credit,
        "receivables_run": to_issue,
    }


def _invoice(t: Any) -> Invoice:
    return t.extra["receivables_invoice"]


def _credit(t: Any) -> Payment:
    return t.extra["receivables_credit"]


def _statement(t: Any) -> dict[str, Any]:
    row = f"{dt.date.today().isoformat()},25.00,USD,MATRIX-BANK-1,Ghana,Invoice {_invoice(t).number}"
    data = f"date,amount,currency,bank_reference,payer,details\r\n{row}\r\n".encode()
    return {"file": SimpleUploadedFile("statement.csv", data, content_type="text/csv")}


PAGES: dict[str, tuple[Any, dict[str, str]]] = {
    "finance/assessments/<int:pk>/issue/": (
        lambda t: f"/finance/assessments/{t.extra['receivables_run'].pk}/issue/",
        MANAGER_POSTS,
    ),
    "finance/invoices/": (lambda t: "/finance/invoices/", READERS),
    "finance/invoices/not-sent/": (lambda t: "/finance/invoices/not-sent/", READERS),
    "finance/invoices/<int:pk>/": (lambda t: f"/finance/invoices/{_invoice(t).pk}/", READERS),
    "finance/invoices/<int:pk>/pdf/": (lambda t: f"/finance/invoices/{_invoice(t).pk}/pdf/", STATE_A_DOCUMENTS),
    "finance/invoices/<int:pk>/send/": (lambda t: f"/finance/invoices/{_invoice(t).pk}/send/", MANAGER_POSTS),
    "finance/invoices/<int:pk>/credit-notes/new/": (
        lambda t: f"/finance/invoices/{_invoice(t).pk}/credit-notes/new/",
        MANAGER_POSTS,
    ),
    "finance/credit-notes/<int:pk>/pdf/": (
        lambda t: f"/finance/credit-notes/{t.extra['receivables_credit_note'].pk}/pdf/",
        STATE_A_DOCUMENTS,
    ),
    "finance/payments/": (lambda t: "/finance/payments/", READERS),
    "finance/payments/new/": (lambda t: "/finance/payments/new/", MANAGER_PAGES),
    "finance/payments/import/": (lambda t: "/finance/payments/import/", MANAGER_PAGES),
    "finance/payments/import/sample.csv": (lambda t: "/finance/payments/import/sample.csv", MANAGER_PAGES),
    "finance/payments/import/confirm/": (lambda t: "/finance/payments/import/confirm/", MANAGER_POSTS),
    "finance/payments/<int:pk>/": (lambda t: f"/finance/payments/{t.extra['receivables_payment'].pk}/", READERS),
    "finance/payments/<int:pk>/allocate/": (lambda t: f"/finance/payments/{_credit(t).pk}/allocate/", MANAGER_POSTS),
    "finance/payments/<int:pk>/allocate-oldest-first/": (
        lambda t: f"/finance/payments/{_credit(t).pk}/allocate-oldest-first/",
        MANAGER_POSTS,
    ),
    "finance/payments/<int:pk>/reverse/": (lambda t: f"/finance/payments/{_credit(t).pk}/reverse/", MANAGER_POSTS),
    "finance/allocations/<int:pk>/reverse/": (
        lambda t: f"/finance/allocations/{t.extra['receivables_allocation'].pk}/reverse/",
        MANAGER_POSTS,
    ),
    "finance/my-contributions/": (lambda t: "/finance/my-contributions/", MY_CONTRIBUTIONS),
    "finance/states/<iso3:iso3>/contributions/": (
        lambda t: f"/finance/states/{t.state.iso3}/contributions/",
        STATE_A_DOCUMENTS,
    ),
}

WRITES: dict[str, Write] = {
    "issue the invoices of an approved run": Write(
        "post", lambda t: f"/finance/assessments/{t.extra['receivables_run'].pk}/issue/", lambda t: {}, MANAGERS
    ),
    "issue a credit note": Write(
        "post",
        lambda t: f"/finance/invoices/{_invoice(t).pk}/credit-notes/new/",
        lambda t: {"amount": "10.00", "reason": "Matrix: rate corrected"},
        MANAGERS,
    ),
    "send an invoice now": Write("post", lambda t: f"/finance/invoices/{_invoice(t).pk}/send/", lambda t: {}, MANAGERS),
    "record a payment": Write(
        "post",
        lambda t: "/finance/payments/new/",
        lambda t: {
            "state": "GHA",
            "received_on": f"{_invoice(t).year}-04-01",
            "amount": "75.00",
            "bank_reference": "MATRIX-NEW",
            "allocate_oldest_first": "on",
        },
        MANAGERS,
    ),
    "allocate a payment to a chosen invoice": Write(
        "post",
        lambda t: f"/finance/payments/{_credit(t).pk}/allocate/",
        lambda t: {"invoice": _invoice(t).pk, "amount": "50.00"},
        MANAGERS,
    ),
    "allocate a payment oldest first": Write(
        "post", lambda t: f"/finance/payments/{_credit(t).pk}/allocate-oldest-first/", lambda t: {}, MANAGERS
    ),
    "reverse an allocation": Write(
        "post",
        lambda t: f"/finance/allocations/{t.extra['receivables_allocation'].pk}/reverse/",
        lambda t: {},
        MANAGERS,
    ),
    "reverse a payment": Write("post", lambda t: f"/finance/payments/{_credit(t).pk}/reverse/", lambda t: {}, MANAGERS),
    # The check of a statement writes nothing, whoever asks (the preview page for the managers).
    "check a bank statement": Write("post", lambda t: "/finance/payments/import/", _statement, [], (LOGIN, DENIED, OK)),
    # Nothing is confirmed without an upload checked in the same session.
    "confirm a bank statement never uploaded": Write(
        "post",
        lambda t: "/finance/payments/import/confirm/",
        lambda t: {"token": "not-a-staged-upload", "confirm": "1"},
        [],
        (LOGIN, DENIED, REDIRECT),
    ),
}

"""Invoices, credit notes, payments and bank statement imports (staff), and a State's own
contributions page (its representatives).

Who: finance and admin staff issue, credit, record, allocate, reverse and import
(`can_manage_finance`); they and the Management Committee read the invoice and payment pages
(`can_oversee_finance`). A State's invoices (with their PDFs) and payments are also open to its
own representatives and to staff (`can_see_state_finances`), never to another State's. Thin views:
reads through selectors/receivables.py, writes through the services, whose refusals are shown
with nothing saved.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from secretariat.core.access import (
    FINANCE_MANAGERS,
    Principal,
    can_manage_finance,
    can_oversee_finance,
    can_see_state_finances,
    principal_for,
    require,
    signed_in,
    staff_only,
)
from secretariat.core.files import download_response
from secretariat.core.forms import add_service_error
from secretariat.reporting.services_attachments import STAGING_DIR, staged_uploads_purge
from secretariat.states.models import State, name_field

from . import conf
from .forms_receivables import (
    AllocationForm,
    BankStatementForm,
    CreditNoteForm,
    InvoiceFilterForm,
    PaymentFilterForm,
    PaymentForm,
    RunIssueForm,
    all_states,
    assignments_from,
)
from .models import Allocation, AssessmentRun, CreditNote, Fund, Invoice, Payment
from .selectors import receivables as selectors
from .services import bank_import, invoice_delivery
from .services import invoices as invoice_services
from .services import payments as payment_services

MANAGERS = FINANCE_MANAGERS
STATEMENT_SESSION_KEY = "finance_bank_statements"
MAX_STAGED_PER_SESSION = 3


def _reader(request: HttpRequest) -> Principal:
    principal = principal_for(request.user)
    require(can_oversee_finance(principal))
    return principal


def _may_see_state(principal: Principal, state_id: int) -> bool:
    """A State's documents: its representatives, staff, and the finance workspace's readers."""
    return can_see_state_finances(principal, state_id) or can_oversee_finance(principal)


def _error_messages(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _form_errors(request: HttpRequest, form: Any) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


# ---------------------------------------------------------------------------- invoices


@signed_in
def invoice_list(request: HttpRequest) -> HttpResponse:
    """Every invoice, filtered by year, State and status, with totals."""
    principal = _reader(request)
    years = selectors.invoice_years()
    form = InvoiceFilterForm(request.GET or None, years=years, states=selectors.invoiced_states())
    run = None
    filters = selectors.InvoiceFilters(year=years[0] if years else None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = selectors.InvoiceFilters(year=data["year"], iso3=data["state"], status=data["status"])
    if request.GET.get("run", "").isdigit():
        run = AssessmentRun.objects.filter(pk=int(request.GET["run"])).first()
        if run is not None:
            filters = selectors.InvoiceFilters(run_id=run.pk)
    context = {
        "form": form,
        "listing": selectors.invoice_list(filters),
        "run": run,
        "today": timezone.localdate(),
        "may_manage": can_manage_finance(principal),
        "not_sent": len(selectors.invoices_not_sent(day=timezone.localdate())),
    }
    return render(request, "finance/receivables/invoice_list.html", context)


def _invoice_detail(pk: int) -> selectors.InvoiceDetail:
    detail = selectors.invoice_detail(pk)
    if detail is None:
        raise Http404
    return detail


def _invoice_page(
    request: HttpRequest, detail: selectors.InvoiceDetail, principal: Principal, credit_form: CreditNoteForm | None
) -> HttpResponse:
    context = {
        "detail": detail,
        "invoice": detail.invoice,
        "may_manage": can_manage_finance(principal),
        "credit_form": credit_form or CreditNoteForm(),
        "bank": conf.bank_details(),
        "today": timezone.localdate(),
    }
    return render(request, "finance/receivables/invoice_detail.html", context)


@signed_in
def invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An invoice: lines, ledger balance, credit notes, allocations, the PDF and its e-mail."""
    principal = _reader(request)
    return _invoice_page(request, _invoice_detail(pk), principal, None)


@signed_in
def invoice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The invoice PDF (made on its first download if the background task has not made it yet)."""
    invoice = get_object_or_404(Invoice.objects.select_related("state"), pk=pk)
    require(_may_see_state(principal_for(request.user), invoice.state_id))
    invoice = invoice_delivery.invoice_pdf_ensure(invoice)
    return download_response(
        invoice.pdf,
        filename=invoice_delivery.invoice_pdf_filename(invoice),
        missing=_("The PDF of this invoice is missing from the storage."),
    )


@signed_in
def credit_note_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    note = get_object_or_404(CreditNote.objects.select_related("invoice__state"), pk=pk)
    require(_may_see_state(principal_for(request.user), note.invoice.state_id))
    response = HttpResponse(invoice_delivery.credit_note_pdf_bytes(note), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{invoice_delivery.credit_note_pdf_filename(note)}"'
    return response


@staff_only(*MANAGERS)
@require_POST
def credit_note_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Issue a credit note on an invoice (an amount and a reason)."""
    principal = principal_for(request.user)
    require(can_manage_finance(principal))
    detail = _invoice_detail(pk)
    form = CreditNoteForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            note = invoice_services.credit_note_issue(
                invoice=detail.invoice,
                amount=data["amount"],
                reason=data["reason"],
                user=request.user,
                issued_on=data["issued_on"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("Credit note %(number)s was issued on invoice %(invoice)s.")
                % {"number": note.number, "invoice": detail.invoice.number},
            )
            return redirect("finance:invoice_detail", pk=pk)
    return _invoice_page(request, detail, principal, form)


@signed_in
def invoices_not_sent(request: HttpRequest) -> HttpResponse:
    """Issued invoices not in the outbox yet: waiting for the background task, or nobody to write to."""
    principal = _reader(request)
    rows = selectors.invoices_not_sent(day=timezone.localdate())
    context = {"rows": rows, "may_manage": can_manage_finance(principal)}
    return render(request, "finance/receivables/invoices_not_sent.html", context)


@staff_only(*MANAGERS)
@require_POST
def invoice_send(request: HttpRequest, pk: int) -> HttpResponse:
    """Make the PDF and put the e-mail in the outbox now (after staff added a contact, or when the
    background task did not run)."""
    invoice = get_object_or_404(Invoice, pk=pk)
    result = invoice_delivery.invoices_deliver(invoice_ids=[invoice.pk])
    if result.queued:
        messages.success(request, _("Invoice %(number)s was put in the outbox.") % {"number": invoice.number})
    elif result.already:
        messages.info(request, _("Invoice %(number)s was already sent.") % {"number": invoice.number})
    elif result.nobody:
        messages.error(
            request,
            _(
                "Invoice %(number)s has nobody to be sent to: record a finance or Geneva mission contact of the "
                "State, or give a representative access, then send it again."
            )
            % {"number": invoice.number},
        )
    else:
        messages.error(
            request, _("Invoice %(number)s could not be made or sent; try again.") % {"number": invoice.number}
        )
    return redirect("finance:invoices_not_sent")


@staff_only(*MANAGERS)
@require_POST
def run_issue(request: HttpRequest, pk: int) -> HttpResponse:
    """Issue the invoices of an approved assessment run (the run page's button)."""
    run = get_object_or_404(AssessmentRun, pk=pk)
    form = RunIssueForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("finance:run_detail", pk=run.pk)
    try:
        invoices = invoice_services.invoices_issue(
            run=run,
            user=request.user,
            issued_on=form.cleaned_data["issued_on"],
            due_on=form.cleaned_data["due_on"],
        )
    except ValidationError as error:
        _error_messages(request, error)
        return redirect("finance:run_detail", pk=run.pk)
    messages.success(
        request,
        ngettext(
            "%(count)s invoice was issued. Its PDF is being made and e-mailed in the background; "
            "if it has nobody to be sent to, it is listed under “Invoices not sent”.",
            "%(count)s invoices were issued. Their PDFs are being made and e-mailed in the background; "
            "those with nobody to send them to are listed under “Invoices not sent”.",
            len(invoices),
        )
        % {"count": len(invoices)},
    )
    return redirect(reverse("finance:invoice_list") + f"?run={run.pk}")


# ---------------------------------------------------------------------------- payments


@signed_in
def payment_list(request: HttpRequest) -> HttpResponse:
    principal = _reader(request)
    years = selectors.payment_years()
    form = PaymentFilterForm(request.GET or None, years=years, states=selectors.paying_states())
    filters = selectors.PaymentFilters(year=years[0] if years else None)
    if form.is_bound and form.is_valid():
        filters = selectors.PaymentFilters(year=form.cleaned_data["year"], iso3=form.cleaned_data["state"])
    context = {"form": form, "listing": selectors.payment_list(filters), "may_manage": can_manage_finance(principal)}
    return render(request, "finance/receivables/payment_list.html", context)


@staff_only(*MANAGERS)
def payment_new(request: HttpRequest) -> HttpResponse:
    """Record a payment received (allocated to the oldest open invoices unless unticked)."""
    form = PaymentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            payment = payment_services.payment_record(
                fund=Fund.general(),
                state=data["state"],
                received_on=data["received_on"],
                amount=data["amount"],
                user=request.user,
                bank_reference=data["bank_reference"],
                payer=data["payer"],
                original_amount=data["original_amount"],
                original_currency=data["original_currency"],
                exchange_rate=data["exchange_rate"],
                note=data["note"],
                allocate=data["allocate_oldest_first"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The payment was recorded."))
            return redirect("finance:payment_detail", pk=payment.pk)
    return render(request, "finance/receivables/payment_form.html", {"form": form})


def _payment_detail(pk: int) -> selectors.PaymentDetail:
    detail = selectors.payment_detail(pk)
    if detail is None:
        raise Http404
    return detail


def _payment_page(
    request: HttpRequest, detail: selectors.PaymentDetail, principal: Principal, form: AllocationForm | None = None
) -> HttpResponse:
    context = {
        "detail": detail,
        "payment": detail.payment,
        "may_manage": can_manage_finance(principal),
        "allocation_form": form or AllocationForm(open_invoices=detail.open_invoices),
    }
    return render(request, "finance/receivables/payment_detail.html", context)


@signed_in
def payment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A payment: its allocations (live and reversed), what is left, and the staff's actions."""
    principal = _reader(request)
    return _payment_page(request, _payment_detail(pk), principal)


@staff_only(*MANAGERS)
@require_POST
def payment_allocate(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff choose: allocate an amount of the payment to one open invoice of the State."""
    principal = principal_for(request.user)
    require(can_manage_finance(principal))
    detail = _payment_detail(pk)
    form = AllocationForm(request.POST, open_invoices=detail.open_invoices)
    if form.is_valid():
        try:
            payment_services.allocation_make(
                payment=detail.payment,
                invoice=form.cleaned_data["invoice"],
                amount=form.cleaned_data["amount"],
                user=request.user,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("%(amount)s was allocated to invoice %(number)s.")
                % {"amount": form.cleaned_data["amount"], "number": form.cleaned_data["invoice"].number},
            )
            return redirect("finance:payment_detail", pk=pk)
    return _payment_page(request, detail, principal, form)


@staff_only(*MANAGERS)
@require_POST
def payment_allocate_oldest(request: HttpRequest, pk: int) -> HttpResponse:
    payment = get_object_or_404(Payment, pk=pk)
    try:
        allocations = payment_services.allocations_oldest_first(payment=payment, user=request.user)
    except ValidationError as error:
        _error_messages(request, error)
    else:
        if allocations:
            messages.success(
                request,
                ngettext(
                    "Allocated to %(count)s invoice, oldest first.",
                    "Allocated to %(count)s invoices, oldest first.",
                    len(allocations),
                )
                % {"count": len(allocations)},
            )
        else:
            messages.info(request, _("Nothing was allocated: nothing is left, or the State has no open invoice."))
    return redirect("finance:payment_detail", pk=pk)


@staff_only(*MANAGERS)
@require_POST
def allocation_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    """Undo an allocation: the amount goes back onto the invoice and into the payment's credit."""
    allocation = get_object_or_404(Allocation.objects.select_related("payment", "entry", "invoice"), pk=pk)
    try:
        payment_services.allocation_reverse(allocation=allocation, user=request.user)
    except ValidationError as error:
        _error_messages(request, error)
    else:
        messages.success(
            request,
            _("The allocation of %(amount)s to invoice %(number)s was reversed.")
            % {"amount": allocation.amount, "number": allocation.invoice.number},
        )
    return redirect("finance:payment_detail", pk=allocation.payment_id)


@staff_only(*MANAGERS)
@require_POST
def payment_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    """Undo a payment recorded in error (its allocations must be reversed first)."""
    payment = get_object_or_404(Payment.objects.select_related("entry"), pk=pk)
    try:
        payment_services.payment_reverse(payment=payment, user=request.user)
    except ValidationError as error:
        _error_messages(request, error)
    else:
        messages.success(request, _("The payment was reversed."))
    return redirect("finance:payment_detail", pk=pk)


# ---------------------------------------------------------------------------- bank statements
# The upload is checked and shown row by row; a file without errors is kept in the storage
# ("staging/bank-<token>.csv", purged with the other staged uploads) with its token in the
# uploader's session, so only they can confirm it. Nothing reaches the database before that.


def _import_page(request: HttpRequest, **context: Any) -> HttpResponse:
    context.setdefault("form", BankStatementForm())
    context.update(
        {
            "columns": bank_import.REQUIRED_COLUMNS,
            "optional_columns": bank_import.OPTIONAL_COLUMNS,
            "max_mb": bank_import.MAX_BYTES // 1024 // 1024,
            "leave_out": bank_import.LEAVE_OUT,
        }
    )
    check = context.get("check")
    if check is not None:
        context["states"] = all_states()
        assignments = context.get("assignments") or {}
        for row in check.rows:
            row.choice = assignments.get(row.number, "")
    return render(request, "finance/receivables/bank_import.html", context)


def _staged(request: HttpRequest) -> dict[str, dict[str, Any]]:
    return request.session.get(STATEMENT_SESSION_KEY, {})


def _stage(request: HttpRequest, data: bytes, file_name: str) -> str:
    staged = _staged(request)
    staged_uploads_purge(older_than=dt.timedelta(seconds=settings.SESSION_COOKIE_AGE))
    token = secrets.token_urlsafe(24)
    name = default_storage.save(f"{STAGING_DIR}/bank-{token}.csv", ContentFile(data))
    staged[token] = {
        "name": name,
        "file_name": file_name,
        "user": request.user.pk,
        "staged_at": timezone.now().isoformat(),
    }
    while len(staged) > MAX_STAGED_PER_SESSION:
        _discard(staged, min(staged, key=lambda key: staged[key]["staged_at"]))
    request.session[STATEMENT_SESSION_KEY] = staged
    return token


def _discard(staged: dict[str, dict[str, Any]], token: str) -> None:
    entry = staged.pop(token)
    default_storage.delete(entry["name"])


@staff_only(*MANAGERS)
def bank_import_upload(request: HttpRequest) -> HttpResponse:
    """The upload form and the layout; on POST, the preview (nothing written)."""
    if request.method != "POST":
        return _import_page(request)
    form = BankStatementForm(request.POST, request.FILES)
    if not form.is_valid():
        return _import_page(request, form=form)
    upload = form.cleaned_data["file"]
    data = upload.read()
    try:
        check = bank_import.statement_check(data, file_name=upload.name)
    except ValidationError as error:
        return _import_page(request, form=form, errors=error.messages)
    token = _stage(request, data, upload.name)
    return _import_page(request, check=check, token=token)


@staff_only(*MANAGERS)
def bank_import_sample(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(bank_import.sample_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="att-bank-statement-sample.csv"'
    return response


@staff_only(*MANAGERS)
@require_POST
def bank_import_confirm(request: HttpRequest) -> HttpResponse:
    """Update the preview with staff's choices of States ("preview"), or record it ("confirm")."""
    staged = _staged(request)
    token = request.POST.get("token", "")
    entry = staged.get(token)
    if entry is None or entry["user"] != request.user.pk or not default_storage.exists(entry["name"]):
        messages.error(request, _("This statement was already imported, or its upload expired: upload it again."))
        return redirect("finance:bank_import")
    with default_storage.open(entry["name"], "rb") as handle:
        data = handle.read()
    assignments = assignments_from(request.POST)
    if "confirm" not in request.POST:
        try:
            check = bank_import.statement_check(data, file_name=entry["file_name"], assignments=assignments)
        except ValidationError as error:
            return _import_page(request, errors=error.messages)
        return _import_page(request, check=check, token=token, assignments=assignments)
    try:
        result = bank_import.statement_import(
            data, file_name=entry["file_name"], user=request.user, assignments=assignments
        )
    except ValidationError as error:
        try:
            check = bank_import.statement_check(data, file_name=entry["file_name"], assignments=assignments)
        except ValidationError:
            _discard(staged, token)
            request.session[STATEMENT_SESSION_KEY] = staged
            return _import_page(request, errors=error.messages)
        return _import_page(request, check=check, token=token, assignments=assignments, errors=error.messages)
    _discard(staged, token)
    request.session[STATEMENT_SESSION_KEY] = staged
    if result.payments:
        messages.success(
            request,
            ngettext(
                "%(count)s payment was recorded from the statement.",
                "%(count)s payments were recorded from the statement.",
                len(result.payments),
            )
            % {"count": len(result.payments)},
        )
    else:
        messages.info(request, _("Nothing was recorded: the statement has no new payment."))
    if result.skipped:
        messages.info(
            request,
            _("Skipped, already recorded: %(references)s.") % {"references": ", ".join(result.skipped)},
        )
    if result.left_out:
        messages.warning(
            request,
            _("Left out, to record by hand: rows %(rows)s.") % {"rows": ", ".join(str(n) for n in result.left_out)},
        )
    return redirect("finance:payment_list")


# ---------------------------------------------------------------------------- a State's own page


@signed_in
def my_contributions(request: HttpRequest) -> HttpResponse:
    """Where a representative lands: their State's contributions (or the list of their States)."""
    principal = principal_for(request.user)
    states = list(State.objects.filter(pk__in=principal.state_ids).order_by(name_field(), "iso3"))
    if len(states) == 1:
        return redirect("finance:state_contributions", iso3=states[0].iso3)
    if not states:
        if can_oversee_finance(principal):
            return redirect("finance:invoice_list")
        raise PermissionDenied
    return render(request, "finance/receivables/my_contributions.html", {"states": states})


@signed_in
def state_contributions(request: HttpRequest, iso3: str) -> HttpResponse:
    """A State's invoices (with PDFs and credit notes), payments and their allocations, balance
    and credit: for its representatives and staff."""
    principal = principal_for(request.user)
    state = get_object_or_404(State, iso3=iso3.upper())
    require(_may_see_state(principal, state.pk))
    context = {
        "state": state,
        "finances": selectors.state_finances(state),
        "today": timezone.localdate(),
        "may_open_workspace": can_oversee_finance(principal),
        "bank": conf.bank_details(),
    }
    return render(request, "finance/receivables/state_contributions.html", context)

"""Spending against budget lines and budget versus actual; the staff ledger pages and the audit
export per fund; donor agreements and receipts.

Who: finance and admin staff record commitments, expenditures, agreements and receipts
(`can_manage_finance`); they and the Management Committee read budget versus actual, the ledgers
and the audit export (`can_oversee_finance`); a donor's representatives read their donors'
agreements (`can_see_donor_agreements`). Thin views: reads through the selectors, writes through
the services, whose refusals are shown on the form with nothing saved.
"""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from secretariat.core.access import (
    FINANCE_MANAGERS,
    can_manage_finance,
    can_oversee_finance,
    can_see_donor_agreements,
    principal_for,
    require,
    signed_in,
    staff_only,
)
from secretariat.core.exports import spreadsheet_safe
from secretariat.core.forms import add_service_error

from . import audit
from .forms_spending import (
    AgreementForm,
    AuditPeriodForm,
    BudgetVsActualForm,
    CommitmentForm,
    ExpenditureForm,
    InstalmentFormSet,
    LedgerFilterForm,
    ReceiptForm,
    TrialBalanceForm,
    instalments_from,
)
from .models import BudgetLine, BudgetStatus, Commitment, Fund, FundCode
from .selectors import donations as donation_selectors
from .selectors import ledger_views
from .selectors import spending as spending_selectors
from .services import donations as donation_services
from .services import spending as spending_services
from .services.spending import OVERRUN_UNCONFIRMED

MANAGERS = FINANCE_MANAGERS
ENTRIES_PER_PAGE = 50


def _fund(code: str) -> Fund:
    return get_object_or_404(Fund, code=code)


def _line(pk: int) -> BudgetLine:
    line = spending_selectors.spending_line(pk)
    if line is None:
        raise Http404
    return line


# ---------------------------------------------------------------------------- budget versus actual


def _budget_vs_actual_choice(request: HttpRequest) -> tuple[BudgetVsActualForm, Fund, int]:
    form = BudgetVsActualForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    fund = _fund(data.get("fund") or FundCode.GENERAL)
    year = data.get("year") or spending_selectors.default_year(fund, timezone.localdate())
    return form, fund, year


@signed_in
def budget_vs_actual(request: HttpRequest) -> HttpResponse:
    """Per line of a year's adopted budget: budgeted, committed, spent, available, % used."""
    principal = principal_for(request.user)
    require(can_oversee_finance(principal))
    form, fund, year = _budget_vs_actual_choice(request)
    report = spending_selectors.budget_vs_actual(fund, year)
    context = {
        "form": form,
        "fund": fund,
        "year": year,
        "report": report,
        "years": spending_selectors.adopted_years(fund),
        "may_record": can_manage_finance(principal),
        "query_string": f"fund={fund.code}&year={year}",
    }
    return render(request, "finance/spending/budget_vs_actual.html", context)


@signed_in
def budget_vs_actual_csv(request: HttpRequest) -> HttpResponse:
    require(can_oversee_finance(principal_for(request.user)))
    _form, fund, year = _budget_vs_actual_choice(request)
    report = spending_selectors.budget_vs_actual(fund, year)
    if report is None:
        raise Http404(_("No budget of %(fund)s for %(year)s is adopted.") % {"fund": fund.name, "year": year})
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="att-{fund.code}-budget-vs-actual-{year}.csv"'
    writer = csv.writer(response)
    writer.writerow(["code", "title", "budgeted", "committed", "spent", "available", "used_percent"])
    for row in report.rows:
        writer.writerow(
            [
                spreadsheet_safe(row.line.code),
                spreadsheet_safe(row.line.title),
                row.budgeted,
                row.committed,
                row.spent,
                row.available,
                "" if row.used_percent is None else row.used_percent,
            ]
        )
    writer.writerow(
        [
            "TOTAL",
            "",
            report.budgeted,
            report.committed,
            report.spent,
            report.available,
            "" if report.used_percent is None else report.used_percent,
        ]
    )
    return response


@signed_in
def line_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A budget line: its position, its commitments and its expenditures."""
    principal = principal_for(request.user)
    require(can_oversee_finance(principal))
    line = _line(pk)
    context = {
        "line": line,
        "position": spending_selectors.line_position(line),
        "commitments": spending_selectors.line_commitments(line),
        "expenditures": spending_selectors.line_expenditures(line),
        "may_record": can_manage_finance(principal) and line.budget.status == BudgetStatus.ADOPTED,
        "may_close": can_manage_finance(principal),
    }
    return render(request, "finance/spending/line.html", context)


def _spending_form_page(request: HttpRequest, line: BudgetLine, form: Any, title: str) -> HttpResponse:
    context = {"line": line, "form": form, "title": title, "position": spending_selectors.line_position(line)}
    return render(request, "finance/spending/form.html", context)


def _record(request: HttpRequest, form: Any, write: Any, line: BudgetLine, title: str, done: str) -> HttpResponse:
    """Run the service `write` for a valid form; on an unconfirmed overrun, ask for the tick."""
    try:
        recorded = write()
    except ValidationError as error:
        if getattr(error, "code", None) == OVERRUN_UNCONFIRMED:
            form.ask_confirmation(error.messages[0])
        else:
            add_service_error(form, error)
        return _spending_form_page(request, line, form, title)
    messages.success(request, done)
    if recorded.warning:
        messages.warning(request, recorded.warning)
    return redirect("finance:spending_line", pk=line.pk)


@staff_only(*MANAGERS)
def commitment_new(request: HttpRequest, pk: int) -> HttpResponse:
    line = _line(pk)
    title = _("Record a commitment on %(code)s %(title)s") % {"code": line.code, "title": line.title}
    form = CommitmentForm(request.POST or None, initial={"committed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        return _record(
            request,
            form,
            lambda: spending_services.commitment_record(
                line=line,
                committed_on=data["committed_on"],
                supplier=data["supplier"],
                description=data["description"],
                amount=data["amount"],
                user=request.user,
                overrun_confirmed=data["overrun_confirmed"],
            ),
            line,
            title,
            _("The commitment was recorded."),
        )
    return _spending_form_page(request, line, form, title)


@staff_only(*MANAGERS)
def expenditure_new(request: HttpRequest, pk: int) -> HttpResponse:
    line = _line(pk)
    title = _("Record an expenditure on %(code)s %(title)s") % {"code": line.code, "title": line.title}
    initial: dict[str, Any] = {"spent_on": timezone.localdate()}
    if request.GET.get("commitment", "").isdigit():
        initial["commitment"] = int(request.GET["commitment"])
    form = ExpenditureForm(
        request.POST or None, initial=initial, commitments=spending_selectors.open_commitments_for(line)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        return _record(
            request,
            form,
            lambda: spending_services.expenditure_record(
                line=line,
                spent_on=data["spent_on"],
                description=data["description"],
                amount=data["amount"],
                commitment=data["commitment"],
                close_commitment=data["close_commitment"],
                user=request.user,
                overrun_confirmed=data["overrun_confirmed"],
            ),
            line,
            title,
            _("The expenditure was recorded and posted to the ledger."),
        )
    return _spending_form_page(request, line, form, title)


@staff_only(*MANAGERS)
@require_POST
def commitment_close(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = get_object_or_404(Commitment, pk=pk)
    try:
        spending_services.commitment_close(commitment=commitment, user=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The commitment was closed; what it still held is available again."))
    return redirect("finance:spending_line", pk=commitment.budget_line_id)


# ---------------------------------------------------------------------------- ledger pages


@signed_in
def ledger_index(request: HttpRequest) -> HttpResponse:
    require(can_oversee_finance(principal_for(request.user)))
    today = timezone.localdate()
    return render(
        request,
        "finance/ledger/index.html",
        {
            "funds": Fund.objects.order_by("pk"),
            "audit_form": AuditPeriodForm(initial=AuditPeriodForm.initial_for(today)),
        },
    )


@signed_in
def trial_balance(request: HttpRequest, fund: str) -> HttpResponse:
    """Per account of the fund: debits, credits and balance on a date (today by default)."""
    require(can_oversee_finance(principal_for(request.user)))
    fund_obj = _fund(fund)
    form = TrialBalanceForm(request.GET or None)
    on = (form.cleaned_data.get("on") if form.is_valid() else None) or timezone.localdate()
    context = {
        "fund": fund_obj,
        "form": form,
        "on": on,
        "balance": ledger_views.trial_balance(fund_obj, end=on),
        "audit_form": AuditPeriodForm(initial=AuditPeriodForm.initial_for(timezone.localdate())),
    }
    return render(request, "finance/ledger/trial_balance.html", context)


@signed_in
def general_ledger(request: HttpRequest, fund: str) -> HttpResponse:
    """The fund's entries with their lines, filtered by period, kind and account, a page at a time."""
    require(can_oversee_finance(principal_for(request.user)))
    fund_obj = _fund(fund)
    form = LedgerFilterForm(request.GET or None)
    entries = None
    if not form.is_bound or form.is_valid():
        data = form.cleaned_data if form.is_bound else {}
        filters = ledger_views.LedgerFilters(
            start=data.get("start"), end=data.get("end"), kind=data.get("kind", ""), account=data.get("account", "")
        )
        entries = Paginator(ledger_views.general_ledger(fund_obj, filters), ENTRIES_PER_PAGE).get_page(
            request.GET.get("page")
        )
    query = request.GET.copy()
    query.pop("page", None)
    context = {"fund": fund_obj, "form": form, "page": entries, "query_string": query.urlencode()}
    return render(request, "finance/ledger/entries.html", context)


@signed_in
def audit_export(request: HttpRequest, fund: str) -> HttpResponse:
    """The audit workbook of the fund for a period (the calendar year by default)."""
    require(can_oversee_finance(principal_for(request.user)))
    fund_obj = _fund(fund)
    today = timezone.localdate()
    form = AuditPeriodForm(request.GET or AuditPeriodForm.initial_for(today))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("finance:ledger_trial_balance", fund=fund_obj.code)
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    handle = audit.audit_workbook(fund_obj, start=start, end=end, generated=timezone.now())
    return FileResponse(handle, as_attachment=True, filename=audit.audit_filename(fund_obj, start, end))


# ---------------------------------------------------------------------------- donor contributions


@signed_in
def agreement_list(request: HttpRequest) -> HttpResponse:
    """Finance staff: every agreement; a donor's representatives: their donors' agreements."""
    principal = principal_for(request.user)
    require(can_manage_finance(principal) or bool(principal.donor_ids))
    context = {
        "agreements": donation_selectors.agreements_visible_to(principal),
        "may_manage": can_manage_finance(principal),
    }
    return render(request, "finance/donors/list.html", context)


@signed_in
def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    principal = principal_for(request.user)
    agreement = donation_selectors.agreement(pk)
    if agreement is None:
        raise Http404
    require(can_see_donor_agreements(principal, agreement.donor_id))
    summary = donation_selectors.agreement_summary(agreement)
    context = {
        "agreement": agreement,
        "summary": summary,
        "overdue": donation_selectors.overdue(summary, timezone.localdate()),
        "may_manage": can_manage_finance(principal),
    }
    return render(request, "finance/donors/detail.html", context)


@staff_only(*MANAGERS)
def agreement_new(request: HttpRequest) -> HttpResponse:
    form = AgreementForm(request.POST or None)
    instalments = InstalmentFormSet(request.POST or None, prefix="instalments")
    instalment_errors: list[str] = []
    if request.method == "POST" and form.is_valid() and instalments.is_valid():
        data = form.cleaned_data
        try:
            agreement = donation_services.agreement_create(
                donor=data["donor"],
                fund=data["fund"],
                reference=data["reference"],
                signed_on=data["signed_on"],
                amount=data["amount"],
                currency=data["currency"],
                earmark=data["earmark"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                instalments=instalments_from(instalments),
                user=request.user,
            )
        except ValidationError as error:
            if hasattr(error, "error_dict") and "instalments" in error.error_dict:
                instalment_errors = [message for e in error.error_dict.pop("instalments") for message in e.messages]
            add_service_error(form, error)
        else:
            messages.success(
                request, _("The agreement %(reference)s was recorded.") % {"reference": agreement.reference}
            )
            return redirect("finance:donor_agreement", pk=agreement.pk)
    context = {"form": form, "instalments": instalments, "instalment_errors": instalment_errors}
    return render(request, "finance/donors/agreement_form.html", context)


@staff_only(*MANAGERS)
def receipt_new(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = donation_selectors.agreement(pk)
    if agreement is None:
        raise Http404
    form = ReceiptForm(request.POST or None, initial={"received_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            receipt = donation_services.receipt_record(
                agreement=agreement,
                received_on=data["received_on"],
                amount=data["amount"],
                original_amount=data["original_amount"],
                original_currency=data["original_currency"],
                exchange_rate=data["exchange_rate"],
                bank_reference=data["bank_reference"],
                user=request.user,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            message = _("The receipt was recorded and posted to the ledger.")
            if receipt.admin_charge:
                message += " " + _("%(charge)s %(currency)s went to the administration account.") % {
                    "charge": spending_services.money_text(receipt.admin_charge),
                    "currency": agreement.fund.currency,
                }
            messages.success(request, message)
            return redirect(reverse("finance:donor_agreement", args=[agreement.pk]))
    return render(request, "finance/donors/receipt_form.html", {"agreement": agreement, "form": form})

"""Arrears and Financial Rule 8: the arrears overview (with its CSV), payment plans under
Rule 8(1)(d) and the consequence rules.

Who:
- the overview and its CSV: the finance workspace's readers (`can_oversee_finance`: finance and
  admin staff, the Management Committee). The consequence flags (column and filter) are shown to
  staff only: DOMAIN.md §3.2 marks the consequences of arrears as unverified, so flags are kept
  to staff and, on the State dossier, to the State's own representatives; they are never public;
- payment plans: the list for the workspace's readers; a plan and its Note Verbale also for the
  State's own representatives and any staff (`can_see_state_finances`); recording a request,
  approving, refusing and recording the plans' progress: `can_manage_finance`;
- consequence rules (list, new, edit): `can_manage_finance`.
Thin views: reads through selectors/arrears.py, writes through services/arrears.py.
"""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
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
from secretariat.core.exports import spreadsheet_safe
from secretariat.core.files import download_response, file_extension
from secretariat.core.forms import add_service_error

from .forms_arrears import (
    ArrearsFilterForm,
    ConsequenceRuleForm,
    PlanDecisionForm,
    PlanFilterForm,
    PlanRequestForm,
)
from .models import ConsequenceRule, PaymentPlan, PlanStatus
from .selectors import arrears as selectors
from .selectors.ageing import bucket_for
from .services import arrears as services

MANAGERS = FINANCE_MANAGERS


def _reader(request: HttpRequest) -> Principal:
    principal = principal_for(request.user)
    require(can_oversee_finance(principal))
    return principal


def _manager(request: HttpRequest) -> Principal:
    principal = principal_for(request.user)
    require(can_manage_finance(principal))
    return principal


def _sees_flags(principal: Principal) -> bool:
    """Consequence flags are for staff (and, on the dossier, the State's own representatives)."""
    return principal.is_staff_member and not principal.needs_otp


def _plan(pk: int) -> PaymentPlan:
    return get_object_or_404(PaymentPlan.objects.select_related("state", "created_by"), pk=pk)


def _form_errors(request: HttpRequest, form: ArrearsFilterForm | PlanDecisionForm) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


# ---------------------------------------------------------------------------- the overview


def _overview(request: HttpRequest, principal: Principal) -> tuple[ArrearsFilterForm, selectors.ArrearsOverview]:
    with_flags = _sees_flags(principal)
    form = ArrearsFilterForm(request.GET or None, with_flags=with_flags)
    as_of = timezone.localdate()
    region = flag = ""
    if form.is_bound and form.is_valid():
        as_of = form.cleaned_data["as_of"]
        region = form.cleaned_data["region"]
        flag = form.cleaned_data.get("flag", "")
    return form, selectors.arrears_overview(as_of=as_of, region=region, flag=flag, with_flags=with_flags)


@signed_in
def overview(request: HttpRequest) -> HttpResponse:
    """Per State: outstanding per year, ageing, full years in arrears, flags and payment plan."""
    principal = _reader(request)
    form, data = _overview(request, principal)
    context = {
        "form": form,
        "data": data,
        "with_flags": _sees_flags(principal),
        "may_manage": can_manage_finance(principal),
        "query_string": request.GET.urlencode(),
    }
    return render(request, "finance/arrears/overview.html", context)


CSV_COLUMNS = [
    "iso3",
    "state",
    "region",
    "year",
    "due_on",
    "assessed",
    "credited",
    "received",
    "outstanding",
    "ageing",
    "full_years_in_arrears",
    "payment_plan",
]


@signed_in
def overview_csv(request: HttpRequest) -> HttpResponse:
    """The overview as CSV: one row per State and financial year with an outstanding balance."""
    principal = _reader(request)
    form, data = _overview(request, principal)
    if form.is_bound and not form.is_valid():
        errors = "; ".join(f"{name}: {' '.join(problems)}" for name, problems in form.errors.items())
        return HttpResponseBadRequest(errors, content_type="text/plain; charset=utf-8")
    with_flags = _sees_flags(principal)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="att-arrears-{data.as_of.isoformat()}.csv"'
    response.write("\ufeff")  # the byte order mark makes Excel read the file as UTF-8
    writer = csv.writer(response)
    writer.writerow([*CSV_COLUMNS, "consequences"] if with_flags else CSV_COLUMNS)
    for row in data.rows:
        for figures in row.years_owed:
            values = [
                row.state.iso3,
                row.state.name_en,
                row.state.region,
                figures.year,
                figures.due_on,
                figures.assessed,
                figures.credited,
                figures.received,
                figures.outstanding,
                bucket_for(figures.due_on, data.as_of),
                row.full_years,
                row.plan_status,
            ]
            if with_flags:
                values.append("; ".join(rule.code for rule in row.flags))
            writer.writerow(spreadsheet_safe(value) for value in values)
    return response


# ---------------------------------------------------------------------------- payment plans


@signed_in
def plan_list(request: HttpRequest) -> HttpResponse:
    principal = _reader(request)
    form = PlanFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_bound and form.is_valid() else ""
    plans = selectors.plan_list(status=status)
    progress = selectors.plans_progress([plan for plan in plans if plan.status == PlanStatus.APPROVED])
    rows = [(plan, progress.get(plan.pk)) for plan in plans]
    context = {"form": form, "rows": rows, "may_manage": can_manage_finance(principal)}
    return render(request, "finance/arrears/plan_list.html", context)


@signed_in
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    principal = principal_for(request.user)
    plan = _plan(pk)
    require(can_see_state_finances(principal, plan.state_id) or can_oversee_finance(principal))
    tracked = plan.status in (PlanStatus.APPROVED, PlanStatus.COMPLETED, PlanStatus.LAPSED)
    context = {
        "plan": plan,
        "instalments": list(plan.instalments.order_by("due_on")),
        "progress": selectors.plan_progress(plan) if tracked else None,
        "may_manage": can_manage_finance(principal),
        "may_open_workspace": can_oversee_finance(principal),
        "decision_form": PlanDecisionForm(initial={"decided_on": timezone.localdate()}),
        "lapse_days": selectors.PLAN_LAPSE_DAYS,
    }
    return render(request, "finance/arrears/plan_detail.html", context)


@signed_in
def plan_note_verbale(request: HttpRequest, pk: int) -> FileResponse:
    principal = principal_for(request.user)
    plan = _plan(pk)
    require(can_see_state_finances(principal, plan.state_id) or can_oversee_finance(principal))
    extension = file_extension(plan.note_verbale.name, "bin")
    filename = f"{plan.state.iso3}-payment-plan-note-verbale-{plan.received_on.isoformat()}.{extension}"
    return download_response(
        plan.note_verbale, filename=filename, missing=_("The file of this Note Verbale is missing from the storage.")
    )


@staff_only(*MANAGERS)
def plan_new(request: HttpRequest) -> HttpResponse:
    """Record a State's request for a payment plan (Financial Rule 8(1)(d))."""
    principal = _manager(request)
    form = PlanRequestForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = services.plan_request(
                state=data["state"],
                received_on=data["received_on"],
                note_verbale=data["note_verbale"],
                note_verbale_reference=data["note_verbale_reference"],
                reasons=data["reasons"],
                outstanding_amount=data["outstanding_amount"],
                conference_starts_on=data["conference_starts_on"],
                instalments=data["instalments"],
                user=request.user,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The request for a payment plan has been recorded."))
            return redirect("finance:plan_detail", plan.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "may_manage": can_manage_finance(principal)}
    return render(request, "finance/arrears/plan_form.html", context, status=status)


def _decide(request: HttpRequest, pk: int, *, approve: bool) -> HttpResponse:
    _manager(request)
    plan = _plan(pk)
    form = PlanDecisionForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("finance:plan_detail", plan.pk)
    data = form.cleaned_data
    try:
        if approve:
            services.plan_approve(
                plan=plan, decision_reference=data["decision_reference"], decided_on=data["decided_on"], by=request.user
            )
        else:
            services.plan_refuse(
                plan=plan, decision_reference=data["decision_reference"], decided_on=data["decided_on"], by=request.user
            )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The plan has been approved.") if approve else _("The request has been refused."))
    return redirect("finance:plan_detail", plan.pk)


@staff_only(*MANAGERS)
@require_POST
def plan_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, approve=True)


@staff_only(*MANAGERS)
@require_POST
def plan_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, approve=False)


@staff_only(*MANAGERS)
@require_POST
def plans_progress_record(request: HttpRequest) -> HttpResponse:
    """Record "completed" and "lapsed" on the approved plans, as their instalments say today."""
    _manager(request)
    counts = services.plans_record_progress()
    messages.success(
        request,
        _("Plans completed: %(completed)s. Plans lapsed: %(lapsed)s.")
        % {"completed": counts["completed"], "lapsed": counts["lapsed"]},
    )
    return redirect("finance:plan_list")


# ---------------------------------------------------------------------------- consequence rules


@staff_only(*MANAGERS)
def consequence_list(request: HttpRequest) -> HttpResponse:
    _manager(request)
    rules = list(ConsequenceRule.objects.order_by("min_full_years", "code"))
    today = timezone.localdate()
    raised = selectors.consequences_on(today)
    counts = {rule.pk: sum(1 for flags in raised.values() if rule in flags) for rule in rules}
    return render(
        request,
        "finance/arrears/consequence_list.html",
        {"rows": [(rule, counts[rule.pk]) for rule in rules], "today": today},
    )


def _consequence_form(request: HttpRequest, rule: ConsequenceRule | None) -> HttpResponse:
    form = ConsequenceRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        try:
            services.consequence_rule_save(rule=rule, data=form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The consequence rule has been saved."))
            return redirect("finance:consequence_list")
    status = 400 if request.method == "POST" else 200
    return render(request, "finance/arrears/consequence_form.html", {"form": form, "rule": rule}, status=status)


@staff_only(*MANAGERS)
def consequence_new(request: HttpRequest) -> HttpResponse:
    _manager(request)
    return _consequence_form(request, None)


@staff_only(*MANAGERS)
def consequence_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _manager(request)
    return _consequence_form(request, get_object_or_404(ConsequenceRule, pk=pk))

"""The budgets and assessment pages: budgets with their versions, review comments and workflow;
assessment runs (new, detail, CSV, approve, cancel); the assessment rule sets; the States in
attendance per year.

Thin views: who may see or do what is decided by core.access (`can_oversee_finance` to read,
`can_manage_finance` to write, `can_comment_on_budgets` to comment); every write is a service call,
every read goes through the selectors.
"""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from secretariat.core.access import (
    FINANCE_MANAGERS,
    can_comment_on_budgets,
    can_manage_finance,
    can_oversee_finance,
    principal_for,
    require,
    signed_in,
    staff_only,
)
from secretariat.core.exports import spreadsheet_safe
from secretariat.core.forms import add_service_error

from .forms_budgets import (
    AdoptForm,
    AttendanceForm,
    AttendanceYearForm,
    BudgetFilterForm,
    BudgetForm,
    CirculateForm,
    CommentForm,
    ReviewForm,
    ReviseForm,
    RuleSetForm,
    RunFilterForm,
    RunForm,
    initial_lines,
    line_formset,
)
from .models import AssessmentRuleSet, BudgetStatus, ConferenceAttendance, RunStatus
from .selectors import assessment as assessment_selectors
from .selectors import budgets as budget_selectors
from .services import assessment as assessment_services
from .services import budgets as budget_services

MANAGERS = FINANCE_MANAGERS


def _error_messages(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _form_errors(request: HttpRequest, form: Any) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


def _oversee(request: HttpRequest) -> Any:
    principal = principal_for(request.user)
    require(can_oversee_finance(principal))
    return principal


# ---------------------------------------------------------------------------- budgets


@signed_in
def budget_list(request: HttpRequest) -> HttpResponse:
    """Every budget version, filterable by fund, year and status."""
    principal = _oversee(request)
    form = BudgetFilterForm(request.GET or None)
    filters = budget_selectors.BudgetFilters()
    budgets: Any = []
    if not form.is_bound or form.is_valid():
        if form.is_bound:
            data = form.cleaned_data
            filters = budget_selectors.BudgetFilters(fund=data["fund"], year=data["year"], status=data["status"])
        budgets = budget_selectors.budget_list(filters=filters)
    return render(
        request,
        "finance/budgets/list.html",
        {"form": form, "budgets": budgets, "may_manage": can_manage_finance(principal)},
    )


@staff_only(*MANAGERS)
def budget_create(request: HttpRequest) -> HttpResponse:
    """A new budget estimate (version 1) with its lines."""
    formset_class = line_formset(extra=4)
    form = BudgetForm(request.POST or None)
    formset = formset_class(request.POST or None, prefix="lines")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = form.cleaned_data
        try:
            budget = budget_services.budget_create(
                fund=data["fund"],
                year=data["year"],
                created_by=request.user,
                lines=formset.lines(),
                period_start=data["period_start"],
                period_end=data["period_end"],
                overrun_policy=data["overrun_policy"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The budget estimate was created."))
            return redirect("finance:budget_detail", budget.pk)
    return render(request, "finance/budgets/form.html", {"form": form, "formset": formset})


@signed_in
def budget_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A budget version: lines with totals per cost pool, comments, every version, and the actions
    the reader may take."""
    principal = _oversee(request)
    budget = budget_selectors.budget_get(pk)
    detail = budget_selectors.budget_detail(budget)
    may_manage = can_manage_finance(principal)
    today = timezone.localdate()
    status = budget.status
    context = {
        "detail": detail,
        "budget": budget,
        "may_manage": may_manage,
        "may_comment": can_comment_on_budgets(principal),
        "comment_form": CommentForm(),
        "review_form": ReviewForm(initial={"reviewed_on": today})
        if may_manage and status == BudgetStatus.ESTIMATE
        else None,
        "circulate_form": CirculateForm(initial={"circulated_on": today})
        if may_manage and status == BudgetStatus.REVIEWED
        else None,
        "adopt_form": AdoptForm(initial={"adopted_on": today})
        if may_manage and status == BudgetStatus.CIRCULATED
        else None,
        "revise_form": ReviseForm() if may_manage and status == BudgetStatus.ADOPTED else None,
        "may_edit_lines": may_manage and status == BudgetStatus.ESTIMATE,
        "may_assess": may_manage and status == BudgetStatus.ADOPTED and budget.fund.code == "general",
        "runs": list(budget.runs.order_by("-created_at")),
    }
    return render(request, "finance/budgets/detail.html", context)


@staff_only(*MANAGERS)
def budget_lines(request: HttpRequest, pk: int) -> HttpResponse:
    """Change the lines of an estimate (a formset: change, add, delete)."""
    budget = budget_selectors.budget_get(pk)
    if budget.status != BudgetStatus.ESTIMATE:
        messages.error(request, _("Lines can only be changed while the budget is an estimate."))
        return redirect("finance:budget_detail", budget.pk)
    formset_class = line_formset(extra=3)
    service_errors: list[str] = []
    if request.method == "POST":
        formset = formset_class(request.POST, prefix="lines")
        if formset.is_valid():
            try:
                budget_services.budget_lines_update(budget=budget, lines=formset.lines())
            except ValidationError as error:
                service_errors = error.messages
            else:
                messages.success(request, _("The lines were saved."))
                return redirect("finance:budget_detail", budget.pk)
    else:
        formset = formset_class(initial=initial_lines(budget), prefix="lines")
    return render(
        request,
        "finance/budgets/lines.html",
        {"budget": budget, "formset": formset, "service_errors": service_errors},
    )


@signed_in
@require_POST
def budget_comment(request: HttpRequest, pk: int) -> HttpResponse:
    """The Management Committee (or finance staff) comment on a budget version."""
    require(can_comment_on_budgets(principal_for(request.user)))
    budget = budget_selectors.budget_get(pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        try:
            budget_services.budget_comment_add(budget=budget, author=request.user, body=form.cleaned_data["body"])
        except ValidationError as error:
            _error_messages(request, error)
        else:
            messages.success(request, _("Your comment was added."))
    return redirect("finance:budget_detail", budget.pk)


def _transition(request: HttpRequest, pk: int, form_class: Any, action: Any, done: str) -> HttpResponse:
    budget = budget_selectors.budget_get(pk)
    form = form_class(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("finance:budget_detail", budget.pk)
    try:
        result = action(budget, form.cleaned_data)
    except ValidationError as error:
        _error_messages(request, error)
        return redirect("finance:budget_detail", budget.pk)
    messages.success(request, done)
    return redirect("finance:budget_detail", result.pk)


@staff_only(*MANAGERS)
@require_POST
def budget_review(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(
        request,
        pk,
        ReviewForm,
        lambda budget, data: budget_services.budget_review(
            budget=budget, reviewed_on=data["reviewed_on"], by=request.user
        ),
        _("The budget is marked as reviewed by the Management Committee."),
    )


@staff_only(*MANAGERS)
@require_POST
def budget_circulate(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(
        request,
        pk,
        CirculateForm,
        lambda budget, data: budget_services.budget_circulate(
            budget=budget, circulated_on=data["circulated_on"], by=request.user
        ),
        _("The budget is marked as circulated to States."),
    )


@staff_only(*MANAGERS)
@require_POST
def budget_adopt(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(
        request,
        pk,
        AdoptForm,
        lambda budget, data: budget_services.budget_adopt(
            budget=budget, decision_reference=data["decision_reference"], adopted_on=data["adopted_on"], by=request.user
        ),
        _("The budget is adopted."),
    )


@staff_only(*MANAGERS)
@require_POST
def budget_revise(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(
        request,
        pk,
        ReviseForm,
        lambda budget, data: budget_services.budget_revise(
            budget=budget, reason=data["reason"], created_by=request.user
        ),
        _("A revision was made: change its lines, then take it through review, circulation and adoption."),
    )


# ---------------------------------------------------------------------------- assessment runs


@signed_in
def run_list(request: HttpRequest) -> HttpResponse:
    principal = _oversee(request)
    form = RunFilterForm(request.GET or None)
    runs: Any = []
    if not form.is_bound:
        runs = assessment_selectors.run_list()
    elif form.is_valid():
        runs = assessment_selectors.run_list(year=form.cleaned_data["year"], status=form.cleaned_data["status"])
    return render(
        request,
        "finance/assessment/runs.html",
        {"form": form, "runs": runs, "may_manage": can_manage_finance(principal)},
    )


@staff_only(*MANAGERS)
def run_create(request: HttpRequest) -> HttpResponse:
    """A new draft run: an adopted budget, an assessment date and a rule set."""
    initial = {}
    if request.method == "GET" and request.GET.get("budget", "").isdigit():
        initial["budget"] = int(request.GET["budget"])
    form = RunForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            run = assessment_services.assessment_run_create(
                budget=data["budget"],
                assessment_date=data["assessment_date"],
                rule_set=data["rule_set"],
                created_by=request.user,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The draft run was made. Check it, then approve it."))
            return redirect("finance:run_detail", run.pk)
    return render(request, "finance/assessment/run_form.html", {"form": form})


def _issue_url(run: Any) -> str | None:
    """The invoices' issue action (the receivables pages provide it once they exist)."""
    try:
        return reverse("finance:run_issue", args=[run.pk])
    except NoReverseMatch:
        return None


def _rules_display(rules: dict[str, Any]) -> list[tuple[str, str]]:
    """The rules a run recorded, as (label, value) in the reader's language."""
    fields = {field.name: field for field in AssessmentRuleSet._meta.get_fields() if hasattr(field, "verbose_name")}

    def label(name: str) -> str:
        return str(fields[name].verbose_name).capitalize()

    def choice(name: str) -> str:
        value = rules.get(name)
        return str(dict(fields[name].choices).get(value, value))

    def percent(name: str) -> str:
        return rules.get(name) or _("none")

    return [
        (_("Rule set"), rules.get("name", "")),
        (label("secretariat_states"), choice("secretariat_states")),
        (label("conference_states"), choice("conference_states")),
        (label("scale_year_offset"), str(rules.get("scale_year_offset", 0))),
        (label("floor_percent"), percent("floor_percent")),
        (label("ceiling_percent"), percent("ceiling_percent")),
        (label("notes"), rules.get("notes") or ""),
    ]


@signed_in
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    principal = _oversee(request)
    run = assessment_selectors.run_get(pk)
    may_manage = can_manage_finance(principal)
    context = {
        "run": run,
        "detail": assessment_selectors.run_detail(run),
        "warnings": [assessment_services.warning_message(warning) for warning in run.warnings],
        "rules": _rules_display(run.rules_used),
        "may_manage": may_manage,
        "may_approve": may_manage and run.status == RunStatus.DRAFT,
        "may_cancel": may_manage and run.status in (RunStatus.DRAFT, RunStatus.APPROVED),
        "issue_url": _issue_url(run) if may_manage and run.status == RunStatus.APPROVED else None,
    }
    return render(request, "finance/assessment/run_detail.html", context)


@signed_in
def run_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """A run's lines as CSV: one row per State and pool."""
    _oversee(request)
    run = assessment_selectors.run_get(pk)
    detail = assessment_selectors.run_detail(run)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="assessment-{run.year}-run-{run.pk}.csv"'
    writer = csv.writer(response)
    writer.writerow(["iso3", "name", "pool", "un_rate", "share", "amount"])
    for line in detail.lines:
        writer.writerow(
            [
                spreadsheet_safe(value)
                for value in (line.state.iso3, line.state.name_en, line.pool, line.un_rate, line.share, line.amount)
            ]
        )
    return response


def _run_action(request: HttpRequest, pk: int, action: Any, done: str) -> HttpResponse:
    run = assessment_selectors.run_get(pk)
    try:
        action(run)
    except ValidationError as error:
        _error_messages(request, error)
    else:
        messages.success(request, done)
    return redirect("finance:run_detail", run.pk)


@staff_only(*MANAGERS)
@require_POST
def run_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _run_action(
        request,
        pk,
        lambda run: assessment_services.assessment_run_approve(run=run, approved_by=request.user),
        _("The run is approved; its invoices can be issued."),
    )


@staff_only(*MANAGERS)
@require_POST
def run_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _run_action(
        request,
        pk,
        lambda run: assessment_services.assessment_run_cancel(run=run, cancelled_by=request.user),
        _("The run is cancelled; it stays on record."),
    )


# ---------------------------------------------------------------------------- rule sets


@signed_in
def rule_list(request: HttpRequest) -> HttpResponse:
    principal = _oversee(request)
    return render(
        request,
        "finance/assessment/rules.html",
        {"rule_sets": assessment_selectors.rule_sets(), "may_manage": can_manage_finance(principal)},
    )


def _rule_form_page(request: HttpRequest, *, rule_set: Any) -> HttpResponse:
    if request.method == "POST":
        form = RuleSetForm(request.POST)
    else:
        form = RuleSetForm(initial=RuleSetForm.initial_from(rule_set) if rule_set else {})
    if request.method == "POST" and form.is_valid():
        try:
            saved = assessment_services.rule_set_save(data=form.cleaned_data, rule_set=rule_set)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The rule set %(name)s was saved.") % {"name": saved.name})
            return redirect("finance:rule_list")
    return render(request, "finance/assessment/rule_form.html", {"form": form, "rule_set": rule_set})


@staff_only(*MANAGERS)
def rule_create(request: HttpRequest) -> HttpResponse:
    return _rule_form_page(request, rule_set=None)


@staff_only(*MANAGERS)
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _rule_form_page(request, rule_set=assessment_selectors.rule_set_get(pk))


# ---------------------------------------------------------------------------- States in attendance


def _attendance_page(year: int) -> str:
    return f"{reverse('finance:attendance')}?year={year}"


@signed_in
def attendance(request: HttpRequest) -> HttpResponse:
    """The States in attendance of a year (Rule 5), which share the Conference costs."""
    principal = _oversee(request)
    year_form = AttendanceYearForm(request.GET or None)
    year = year_form.cleaned_data["year"] if year_form.is_bound and year_form.is_valid() else None
    if year is None:
        year = timezone.localdate().year
        year_form = AttendanceYearForm(initial={"year": year})
    may_manage = can_manage_finance(principal)
    return render(
        request,
        "finance/assessment/attendance.html",
        {
            "year": year,
            "year_form": year_form,
            "rows": assessment_selectors.attendance_list(year=year),
            "years": assessment_selectors.attendance_years(),
            "may_manage": may_manage,
            "add_form": AttendanceForm(initial={"year": year}) if may_manage else None,
        },
    )


@staff_only(*MANAGERS)
@require_POST
def attendance_add(request: HttpRequest) -> HttpResponse:
    form = AttendanceForm(request.POST)
    year = request.POST.get("year", "")
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(_attendance_page(int(year)) if year.isdigit() else reverse("finance:attendance"))
    data = form.cleaned_data
    try:
        added, present = assessment_services.attendance_add(
            year=data["year"],
            entered_by=request.user,
            states=data["states"],
            iso3_codes=data["iso3_codes"],
            source=data["source"],
        )
    except ValidationError as error:
        _error_messages(request, error)
    else:
        messages.success(
            request,
            _("%(added)s States added; %(present)s were already in the list.") % {"added": added, "present": present},
        )
    return redirect(_attendance_page(data["year"]))


@staff_only(*MANAGERS)
@require_POST
def attendance_remove(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(ConferenceAttendance.objects.select_related("state"), pk=pk)
    try:
        assessment_services.attendance_remove(attendance_id=row.pk)
    except ValidationError as error:
        _error_messages(request, error)
    else:
        messages.success(request, _("%(state)s was removed from the list.") % {"state": row.state.name})
    return redirect(_attendance_page(row.year))

"""The reporting workflow pages (issue 3, items 2, 3a and 4): the reporting hub, the published
reports, a report version, the online forms, and the workflow actions.

Thin views: who may see a version is decided by `selectors.version_visible_to` (404 otherwise),
who may act on it by the `can_*` rules of core.access (403 when the version may be seen but not
acted on); every write is a call to a service. The reads that only these pages need are at the top.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from secretariat.core.access import (
    Principal,
    can_prepare_reports,
    can_review_reports,
    principal_for,
    public,
    require,
    signed_in,
    staff_only,
)
from secretariat.core.files import download_response, file_extension
from secretariat.core.roles import Role
from secretariat.states.models import State, name_field

from . import selectors, services
from .models import (
    ClarificationQuery,
    Direction,
    ImplementationArea,
    Report,
    ReportKind,
    ReportVersion,
    TransferRow,
    VersionAttachment,
    VersionStatus,
)
from .obligations import ObligationRow, ObligationStatus
from .services_attachments import initial_draft_save
from .workflow_forms import (
    AnnualDraftForms,
    DraftStartForm,
    InitialDraftForm,
    PublishedFilterForm,
    QueryAnswerForm,
    QueryAskForm,
)

PUBLISHED_PER_PAGE = 50
QUEUE_LIMIT = 100

# ---------------------------------------------------------------------------- reads of these pages


def _state_versions(state_ids: frozenset[int]) -> list[ReportVersion]:
    return list(
        ReportVersion.objects.filter(report__state_id__in=state_ids)
        .select_related("report")
        .order_by("report_id", "number")
    )


@dataclass
class ReportVersions:
    """A report's open draft and its latest version that is not a draft."""

    report: Report
    draft: ReportVersion | None = None
    latest: ReportVersion | None = None


def _by_report(versions: list[ReportVersion]) -> dict[tuple[int, str, int | None], ReportVersions]:
    result: dict[tuple[int, str, int | None], ReportVersions] = {}
    for version in versions:  # ordered by number: the last one seen is the latest
        report = version.report
        entry = result.setdefault((report.state_id, report.kind, report.year), ReportVersions(report))
        if version.status == VersionStatus.DRAFT:
            entry.draft = version
        else:
            entry.latest = version
    return result


@dataclass
class ObligationLine:
    row: ObligationRow
    versions: ReportVersions | None
    can_start: bool = False
    from_last_year: bool = False
    template_url: str = ""
    upload_url: str = ""


@dataclass
class StatePanel:
    state: State
    computable: bool
    reason: str
    lines: list[ObligationLine] = field(default_factory=list)
    other_reports: list[ReportVersions] = field(default_factory=list)
    start_form: DraftStartForm | None = None


def _state_panels(principal: Principal, today: dt.date) -> list[StatePanel]:
    """For each State the principal represents: its obligations, each with what can be done now."""
    if not principal.state_ids:
        return []
    states = list(State.objects.filter(pk__in=principal.state_ids).order_by(name_field(), "iso3"))
    reports = _by_report(_state_versions(principal.state_ids))
    panels = []
    for state in states:
        obligations = selectors.state_obligations(state=state, day=today)
        panel = StatePanel(
            state=state,
            computable=obligations.computable,
            reason=obligations.reason,
            start_form=DraftStartForm(auto_id=f"start-{state.iso3}-%s"),
        )
        listed = set()
        for row in obligations.rows(today):
            kind, year = row.obligation.kind, row.obligation.year
            listed.add((state.pk, kind, year))
            versions = reports.get((state.pk, kind, year))
            line = ObligationLine(row=row, versions=versions)
            startable = row.status != ObligationStatus.NOT_YET_DUE and (kind != ReportKind.ANNUAL or year < today.year)
            if versions is None and startable:
                line.can_start = True
                if kind == ReportKind.ANNUAL:
                    last_year = reports.get((state.pk, kind, year - 1))
                    line.from_last_year = last_year is not None and last_year.latest is not None
                    line.template_url = f"/reports/template/{state.iso3}/{year}.xlsx"
                    line.upload_url = f"/reports/upload/{state.iso3}/{year}/"
            panel.lines.append(line)
        panel.other_reports = [entry for key, entry in reports.items() if key[0] == state.pk and key not in listed]
        panels.append(panel)
    return panels


def _open_queries(**filters: Any) -> QuerySet[ClarificationQuery]:
    return (
        ClarificationQuery.objects.filter(answered_at__isnull=True, **filters)
        .select_related("version__report__state")
        .order_by("asked_at", "pk")
    )


def _review_queue() -> dict[str, Any]:
    def versions(status: str) -> list[ReportVersion]:
        return list(
            ReportVersion.objects.filter(status=status)
            .select_related("report__state")
            .order_by("submitted_at", "pk")[:QUEUE_LIMIT]
        )

    return {
        "to_review": versions(VersionStatus.SUBMITTED),
        "to_publish": versions(VersionStatus.REVIEWED),
        "open_queries": list(_open_queries()[:QUEUE_LIMIT]),
        "limit": QUEUE_LIMIT,
    }


def _visible_version(principal: Principal, pk: int) -> ReportVersion:
    """The version, or 404 for anyone who may not see it (its existence is not revealed)."""
    version = get_object_or_404(ReportVersion.objects.select_related("report__state"), pk=pk)
    if not selectors.version_visible_to(principal, version):
        raise Http404
    return version


def _own_version(request: HttpRequest, pk: int) -> tuple[Principal, ReportVersion]:
    """A version the signed-in user prepares: 404 if they may not see it, 403 if they see it but
    do not represent its State."""
    principal = principal_for(request.user)
    version = _visible_version(principal, pk)
    require(can_prepare_reports(principal, version.report.state_id))
    return principal, version


def _detail(version: ReportVersion) -> str:
    return reverse("reporting:version_detail", args=[version.pk])


def _edit(version: ReportVersion) -> str:
    return reverse("reporting:draft_edit", args=[version.pk])


def _error_messages(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# ---------------------------------------------------------------------------- pages


@public
def home(request: HttpRequest) -> HttpResponse:
    """The reporting hub: a State representative's obligations and drafts, the staff's queue."""
    principal = principal_for(request.user)
    today = timezone.localdate()
    context: dict[str, Any] = {"today": today, "panels": _state_panels(principal, today)}
    if principal.state_ids:
        context["state_queries"] = list(_open_queries(version__report__state_id__in=principal.state_ids))
    if can_review_reports(principal) and not principal.needs_otp:
        context["queue"] = _review_queue()
    return render(request, "reporting/workflow/home.html", context)


@public
def published_list(request: HttpRequest) -> HttpResponse:
    """The latest published version of every report, filtered by year, State and kind."""
    principal = principal_for(request.user)
    versions = selectors.published_reports_visible_to(principal)
    states = [
        (state.iso3, state.name)
        for state in State.objects.filter(reports__versions__status=VersionStatus.PUBLISHED)
        .distinct()
        .order_by(name_field(), "iso3")
    ]
    form = PublishedFilterForm(request.GET or None, states=states)
    if form.is_valid():
        if form.cleaned_data["year"] is not None:
            versions = versions.filter(report__year=form.cleaned_data["year"])
        if form.cleaned_data["state"]:
            versions = versions.filter(report__state__iso3=form.cleaned_data["state"])
        if form.cleaned_data["kind"]:
            versions = versions.filter(report__kind=form.cleaned_data["kind"])
    elif form.is_bound:
        versions = versions.none()
    page = Paginator(versions, PUBLISHED_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "reporting/workflow/published_list.html",
        {"form": form, "page": page, "query_string": query.urlencode()},
    )


@public
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One version of a report, as far as the reader may see it."""
    principal = principal_for(request.user)
    version = _visible_version(principal, pk)
    report = version.report
    state_id = report.state_id
    forms = list(version.forms.all().order_by("direction"))
    visible = selectors.forms_visible_in(principal, version)
    visible_ids = {form.pk for form in visible}
    rows: dict[int, list[TransferRow]] = {form.pk: [] for form in visible}
    for row in (
        TransferRow.objects.filter(form__in=visible).select_related("category", "partner", "origin").order_by("pk")
    ):
        rows[row.form_id].append(row)
    represents = principal.represents_state(state_id)
    reviewer = can_review_reports(principal) and not principal.needs_otp
    history = list(
        selectors.versions_visible_to(principal).filter(report=report).order_by("number").select_related("report")
    )
    latest_submitted = report.versions.exclude(status=VersionStatus.DRAFT).order_by("-number").first()
    open_draft = report.versions.filter(status=VersionStatus.DRAFT).first()
    show_queries = represents or (principal.is_staff_member and not principal.needs_otp)
    areas = dict(ImplementationArea.choices)
    context = {
        "version": version,
        "report": report,
        "state": report.state,
        "forms": [
            {
                "form": form,
                "visible": form.pk in visible_ids,
                "rows": rows.get(form.pk, []),
                "label": Direction(form.direction).label,
            }
            for form in forms
        ],
        "answers": [(areas.get(answer.area, answer.area), answer.answer) for answer in version.answers.order_by("pk")],
        "attachments": list(VersionAttachment.objects.filter(version=version).order_by("pk")),
        "history": history,
        "queries": list(version.queries.order_by("asked_at", "pk")) if show_queries else None,
        "may_prepare": represents and version.status == VersionStatus.DRAFT,
        "may_amend": represents and open_draft is None and latest_submitted == version,
        "open_draft": open_draft if (represents or reviewer) else None,
        "may_review": reviewer and version.status == VersionStatus.SUBMITTED,
        "may_publish": reviewer and version.status == VersionStatus.REVIEWED,
        "may_query": reviewer and version.status != VersionStatus.DRAFT,
        "may_answer": represents,
        "problems": services.draft_problems(version) if represents and version.status == VersionStatus.DRAFT else [],
        "query_form": QueryAskForm(),
    }
    return render(request, "reporting/workflow/version_detail.html", context)


@public
def attachment_file(request: HttpRequest, pk: int) -> FileResponse:
    """An attached law or regulation, for whoever may see its version (always as a download)."""
    principal = principal_for(request.user)
    attachment = get_object_or_404(VersionAttachment.objects.select_related("version__report__state"), pk=pk)
    version = attachment.version
    if not selectors.version_visible_to(principal, version):
        raise Http404
    report = version.report
    extension = file_extension(attachment.file.name, "bin")
    filename = f"{report.state.iso3}-{report.kind}-{report.year or 'initial'}-v{version.number}-annex-{pk}.{extension}"
    return download_response(
        attachment.file, filename=filename, missing=_("The file of this attachment is missing from the storage.")
    )


# ---------------------------------------------------------------------------- drafts


@signed_in
@require_POST
def draft_start(request: HttpRequest, iso3: str) -> HttpResponse:
    """Open a draft of the State's report and go to its form."""
    principal = principal_for(request.user)
    state = get_object_or_404(State, iso3=iso3)
    require(can_prepare_reports(principal, state.pk))
    form = DraftStartForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("reporting:home")
    data = form.cleaned_data
    try:
        version = services.draft_start(
            state=state,
            kind=data["kind"],
            year=data["year"],
            started_by=request.user,
            from_last_year=data["from_last_year"],
            amendment_reason=data["amendment_reason"],
        )
    except ValidationError as error:
        _error_messages(request, error)
        existing = (
            ReportVersion.objects.filter(report__state=state, report__kind=data["kind"], report__year=data["year"])
            .order_by("-number")
            .first()
        )
        if existing is None:
            return redirect("reporting:home")
        return redirect(_edit(existing) if existing.status == VersionStatus.DRAFT else _detail(existing))
    messages.success(request, _("A draft of the %(report)s is open.") % {"report": version.report})
    return redirect(_edit(version))


@signed_in
def draft_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The online form of a draft: the annual report with its rows, or the initial report."""
    _principal, version = _own_version(request, pk)
    if version.status != VersionStatus.DRAFT:
        messages.info(request, _("This version was submitted and can no longer change; amend it instead."))
        return redirect(_detail(version))
    if version.report.kind == ReportKind.INITIAL:
        return _initial_edit(request, version)
    page = AnnualDraftForms(version, request.POST if request.method == "POST" else None)
    errors: list[str] = []
    if request.method == "POST":
        if page.is_valid():
            try:
                services.draft_save_contents(version=version, contents=page.contents(), saved_by=request.user)
            except ValidationError as error:
                errors = list(error.messages)
            else:
                messages.success(request, _("The draft is saved."))
                return redirect(_edit(version))
        else:
            errors = page.error_summary()
    return render(
        request,
        "reporting/workflow/draft_edit.html",
        {
            "version": version,
            "report": version.report,
            "page": page,
            "errors": errors,
            "currencies": page.reference.sorted_currencies,
        },
    )


def _initial_edit(request: HttpRequest, version: ReportVersion) -> HttpResponse:
    if request.method == "POST":
        form = InitialDraftForm(request.POST, request.FILES, version=version)
        if form.is_valid():
            try:
                initial_draft_save(
                    version=version,
                    answers=form.answers(),
                    authority=form.cleaned_data["authority"].strip(),
                    contact=form.cleaned_data["contact"].strip(),
                    saved_by=request.user,
                    new_attachment=form.new_attachment(),
                    remove_attachment_ids=form.cleaned_data["remove_attachments"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The draft is saved."))
                return redirect(_edit(version))
    else:
        form = InitialDraftForm(version=version)
    attachments = list(VersionAttachment.objects.filter(version=version).order_by("pk"))
    return render(
        request,
        "reporting/workflow/draft_edit_initial.html",
        {"version": version, "report": version.report, "form": form, "attachments": attachments},
    )


@signed_in
@require_POST
def draft_submit(request: HttpRequest, pk: int) -> HttpResponse:
    _principal, version = _own_version(request, pk)
    try:
        version = services.draft_submit(version=version, submitted_by=request.user)
    except ValidationError as error:
        messages.error(request, _("The report cannot be submitted yet:"))
        _error_messages(request, error)
        current = ReportVersion.objects.get(pk=version.pk)
        return redirect(_edit(current) if current.status == VersionStatus.DRAFT else _detail(current))
    messages.success(
        request,
        _("Submitted: %(report)s, version %(number)s. An acknowledgement was sent by email.")
        % {"report": version.report, "number": version.number},
    )
    return redirect(_detail(version))


@signed_in
@require_POST
def draft_discard(request: HttpRequest, pk: int) -> HttpResponse:
    _principal, version = _own_version(request, pk)
    report = version.report
    try:
        services.draft_discard(version=version, discarded_by=request.user)
    except ValidationError as error:
        _error_messages(request, error)
        return redirect(_detail(version))
    messages.success(request, _("The draft of the %(report)s was discarded.") % {"report": report})
    return redirect("reporting:home")


# ---------------------------------------------------------------------------- review


def _staff_version(pk: int) -> ReportVersion:
    return get_object_or_404(ReportVersion.objects.select_related("report__state"), pk=pk)


@staff_only(Role.STAFF_ADMIN, Role.STAFF_REPORTING)
@require_POST
def version_review(request: HttpRequest, pk: int) -> HttpResponse:
    version = _staff_version(pk)
    try:
        services.version_review(version=version, reviewed_by=request.user)
    except ValidationError as error:
        _error_messages(request, error)
    else:
        messages.success(request, _("Marked as reviewed."))
    return redirect(_detail(version))


@staff_only(Role.STAFF_ADMIN, Role.STAFF_REPORTING)
@require_POST
def version_publish(request: HttpRequest, pk: int) -> HttpResponse:
    version = _staff_version(pk)
    try:
        services.version_publish(version=version, published_by=request.user)
    except ValidationError as error:
        _error_messages(request, error)
    else:
        messages.success(request, _("Published. The public forms are now in the transfer database."))
    return redirect(_detail(version))


@staff_only(Role.STAFF_ADMIN, Role.STAFF_REPORTING)
@require_POST
def query_ask(request: HttpRequest, pk: int) -> HttpResponse:
    version = _staff_version(pk)
    form = QueryAskForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(_detail(version))
    try:
        services.query_ask(version=version, question=form.cleaned_data["question"], asked_by=request.user)
    except ValidationError as error:
        _error_messages(request, error)
    else:
        messages.success(request, _("The question was sent to the State's representatives."))
    return redirect(_detail(version))


@signed_in
def query_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """The queried State's representatives answer, in words and/or with an amendment."""
    principal = principal_for(request.user)
    query = get_object_or_404(ClarificationQuery.objects.select_related("version__report__state"), pk=pk)
    version = query.version
    if not selectors.version_visible_to(principal, version):
        raise Http404
    require(can_prepare_reports(principal, version.report.state_id))
    if not query.is_open:
        messages.info(request, _("This query was already answered."))
        return redirect(_detail(version))
    form = QueryAnswerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            query = services.query_answer(
                query=query,
                answer=form.cleaned_data["answer"],
                answered_by=request.user,
                amendment_reason=form.cleaned_data["amendment_reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if query.amendment is not None:
                messages.success(request, _("Answer sent. Correct the report in the new draft, then submit it."))
                return redirect(_edit(query.amendment))
            messages.success(request, _("Answer sent."))
            return redirect(_detail(version))
    return render(
        request,
        "reporting/workflow/query_answer.html",
        {"query": query, "version": version, "report": version.report, "form": form},
    )

"""Staff pages of the reporting module: reports received by email, recorded by the Secretariat."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _

from secretariat.core.access import staff_only
from secretariat.core.files import download_response, file_extension
from secretariat.core.roles import Role

from .forms import ReceivedReportForm
from .models import ReportVersion, VersionStatus
from .services import report_record_received

RECENT_VERSIONS = 50


@staff_only(Role.STAFF_ADMIN, Role.STAFF_REPORTING)
def received_list(request: HttpRequest) -> HttpResponse:
    """The most recently recorded report versions (drafts are not received), newest first."""
    versions = (
        ReportVersion.objects.exclude(status=VersionStatus.DRAFT)
        .select_related("report__state", "submitted_by")
        .order_by("-created_at", "-pk")[:RECENT_VERSIONS]
    )
    return render(request, "reporting/received_list.html", {"versions": versions, "limit": RECENT_VERSIONS})


@staff_only(Role.STAFF_ADMIN, Role.STAFF_REPORTING)
def record_received(request: HttpRequest) -> HttpResponse:
    """Record a report that arrived by email: the file as received and what its cover says."""
    if request.method == "POST":
        form = ReceivedReportForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            state = data["state"]
            try:
                version = report_record_received(
                    state=state,
                    kind=data["kind"],
                    year=data["year"],
                    received_on=data["received_on"],
                    recorded_by=request.user,
                    upload=data["file"],
                    authority=data["authority"],
                    contact=data["contact"],
                    report_date=data["report_date"],
                    withheld_commercial=data["withheld_commercial"],
                    withheld_security=data["withheld_security"],
                    forms=form.report_forms(),
                    contents=form.transcription,
                    amendment_reason=data["amendment_reason"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("Recorded: %(report)s version %(number)s.")
                    % {"report": version.report, "number": version.number},
                )
                return redirect("states:dossier", iso3=state.iso3)
    else:
        form = ReceivedReportForm()
    return render(request, "reporting/record_received.html", {"form": form})


@staff_only(Role.STAFF_ADMIN, Role.STAFF_REPORTING)
def version_file(request: HttpRequest, pk: int) -> FileResponse:
    """The file of a version as received (restricted material: staff only, always as a download)."""
    version = get_object_or_404(ReportVersion.objects.select_related("report__state"), pk=pk)
    if not version.original_file:
        raise Http404(_("This version has no file."))
    report = version.report
    name = version.original_file.name
    extension = file_extension(name, "bin")
    filename = f"{report.state.iso3}-{report.kind}-{report.year or 'initial'}-v{version.number}.{extension}"
    return download_response(
        version.original_file, filename=filename, missing=_("The file of this version is missing from the storage.")
    )

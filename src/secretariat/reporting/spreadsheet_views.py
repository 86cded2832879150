"""The annual report as a spreadsheet: download the template, upload it, confirm the import.

Nothing reaches the database before the confirmation: the upload is parsed and judged, and a
file without errors is staged in the default storage ("staging/<token>.xlsx"); the token lives
in the uploader's session with the State, the year, the user and the reason for the amendment,
so it works only for them. The confirmation parses the staged file again and writes the draft
through services_spreadsheets.draft_import_workbook (rows written a batch at a time as they are
read, all in one transaction), keeping the file with the version.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from secretariat.core.access import can_prepare_reports, can_review_reports, principal_for, require, signed_in
from secretariat.states.models import State

from .services_attachments import STAGING_DIR, staged_uploads_purge
from .services_spreadsheets import ImportRefused, draft_import_workbook
from .spreadsheet_forms import SpreadsheetUploadForm
from .spreadsheets import (
    FIRST_REPORTING_YEAR,
    TEMPLATE_LANGUAGES,
    XLSX_CONTENT_TYPE,
    has_submitted_version,
    open_draft,
    parse_workbook,
    template_workbook,
)

SESSION_KEY = "reporting_spreadsheet_uploads"
MAX_STAGED_PER_SESSION = 5


def _target(request: HttpRequest, iso3: str, year: int) -> State:
    """The State whose report the user prepares, after the access rule and the year check."""
    state = get_object_or_404(State, iso3=iso3)
    principal = principal_for(request.user)
    require(can_prepare_reports(principal, state.pk) or can_review_reports(principal))
    if not FIRST_REPORTING_YEAR <= year < timezone.localdate().year:
        raise Http404(_("An annual report covers a calendar year that has ended, from 2014 on."))
    return state


@signed_in
def template_download(request: HttpRequest, iso3: str, year: int) -> HttpResponse:
    """The annual report template of a State and year, in ?lang=en|fr|es (default: the page's)."""
    state = _target(request, iso3, year)
    language = request.GET.get("lang", "")
    if language not in TEMPLATE_LANGUAGES:
        language = translation.get_language() if translation.get_language() in TEMPLATE_LANGUAGES else "en"
    content = template_workbook(state=state, year=year, language=language)
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    filename = f"ATT-annual-report-{state.iso3}-{year}-{language}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _needs_reason(state: State, year: int, draft: Any) -> bool:
    """An upload becomes an amendment (which needs a reason) when no draft is open and the
    report was already submitted."""
    return draft is None and has_submitted_version(state, year)


def _page(request: HttpRequest, state: State, year: int, **context: Any) -> HttpResponse:
    draft = context.pop("draft", None) or open_draft(state, year)
    context.setdefault("form", SpreadsheetUploadForm(needs_reason=_needs_reason(state, year, draft)))
    languages = [translation.get_language_info(code) | {"code": code} for code in TEMPLATE_LANGUAGES]
    return render(
        request,
        "reporting/spreadsheets/upload.html",
        {"state": state, "year": year, "draft": draft, "template_languages": languages, **context},
    )


@signed_in
def upload(request: HttpRequest, iso3: str, year: int) -> HttpResponse:
    """The upload form; on POST, the validation report, and a file without errors staged."""
    state = _target(request, iso3, year)
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    if request.method == "GET":
        return _page(request, state, year)
    draft = open_draft(state, year)
    form = SpreadsheetUploadForm(request.POST, request.FILES, needs_reason=_needs_reason(state, year, draft))
    if not form.is_valid():
        return _page(request, state, year, form=form, draft=draft)
    upload_file = form.cleaned_data["file"]
    result = parse_workbook(upload_file, state=state, year=year, row_sink=_drop_rows)  # a check: keep no rows
    token = None
    if not result.has_errors:
        token = _stage(request, upload_file, state, year, form.reason)
    return _page(request, state, year, form=form, draft=draft, result=result, token=token)


def _stage(request: HttpRequest, upload_file: Any, state: State, year: int, reason: str) -> str:
    """Keep a file that passed the checks until it is confirmed; one per State and year."""
    staged: dict[str, dict[str, Any]] = request.session.get(SESSION_KEY, {})
    for token, entry in list(staged.items()):
        if entry["state"] == state.iso3 and entry["year"] == year:
            _discard(staged, token)
    token = secrets.token_urlsafe(24)
    # Files left by sessions that ended without a confirmation go first.
    staged_uploads_purge(older_than=dt.timedelta(seconds=settings.SESSION_COOKIE_AGE))
    upload_file.seek(0)
    name = default_storage.save(f"{STAGING_DIR}/{token}.xlsx", upload_file)
    staged[token] = {
        "name": name,
        "state": state.iso3,
        "year": year,
        "user": request.user.pk,
        "reason": reason,
        "staged_at": timezone.now().isoformat(),
    }
    while len(staged) > MAX_STAGED_PER_SESSION:
        _discard(staged, min(staged, key=lambda key: staged[key]["staged_at"]))
    request.session[SESSION_KEY] = staged
    return token


def _drop_rows(direction: str, rows: list[Any]) -> None:
    """The upload's check reports on the rows; the confirmation reads them again to import them."""


def _discard(staged: dict[str, dict[str, Any]], token: str) -> None:
    entry = staged.pop(token)
    default_storage.delete(entry["name"])


def _version_url(pk: int) -> str:
    return reverse("reporting:version_detail", kwargs={"pk": pk})


@signed_in
def upload_confirm(request: HttpRequest, iso3: str, year: int) -> HttpResponse:
    """Import a staged file into the State's draft (started now, or the one already open)."""
    state = _target(request, iso3, year)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    staged: dict[str, dict[str, Any]] = request.session.get(SESSION_KEY, {})
    token = request.POST.get("token", "")
    entry = staged.get(token)
    if entry is None or not default_storage.exists(entry["name"]):
        messages.error(request, _("This upload was already imported, or it has expired: upload the file again."))
        return redirect("reporting:spreadsheet_upload", iso3=state.iso3, year=year)
    if entry["user"] != request.user.pk or entry["state"] != state.iso3 or entry["year"] != year:
        messages.error(request, _("This upload was made for another report: upload the file again."))
        return redirect("reporting:spreadsheet_upload", iso3=state.iso3, year=year)
    with default_storage.open(entry["name"], "rb") as handle:
        data = handle.read()
    try:
        draft, result = draft_import_workbook(
            state=state,
            year=year,
            data=data,
            imported_by=request.user,
            original_file=ContentFile(data, name=f"ATT-annual-report-{state.iso3}-{year}.xlsx"),
            amendment_reason=entry["reason"],
        )
    except ImportRefused as refused:  # the names or categories changed since the check
        _discard(staged, token)
        request.session[SESSION_KEY] = staged
        return _page(request, state, year, result=refused.result)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("reporting:spreadsheet_upload", iso3=state.iso3, year=year)
    _discard(staged, token)
    request.session[SESSION_KEY] = staged
    rows = sum(form.rows for form in result.forms if form.included)
    messages.success(
        request,
        _("The spreadsheet was imported into the draft (%(rows)s rows). Check it, then submit it.") % {"rows": rows},
    )
    return redirect(_version_url(draft.pk))

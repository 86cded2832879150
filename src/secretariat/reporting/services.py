"""Every write of the reporting module.

Versions are numbered per report under a row lock on the report, so two people recording or
submitting at the same moment get versions 1 and 2, never two versions 1 (the unique constraint
on (report, number) is the last word).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from secretariat.core.files import DOCUMENT_MAX_BYTES, SIGNATURES, file_extension
from secretariat.core.roles import Role
from secretariat.states.models import TREATY_OPENED_FOR_SIGNATURE, State

from .contents import AnnualReportContents, FormContents, RowContents
from .models import (
    Channel,
    ClarificationQuery,
    Direction,
    ImplementationArea,
    InitialAnswer,
    PublishedTransfer,
    Report,
    ReportForm,
    ReportKind,
    ReportVersion,
    TransferRow,
    VersionAttachment,
    VersionStatus,
    Visibility,
)
from .transfers import transfer_data_changed

MAX_FILE_BYTES = DOCUMENT_MAX_BYTES
# What a report received by email may be, recognised by its first bytes, not by its name.
FILE_SIGNATURES = SIGNATURES


def check_received_file(upload: UploadedFile) -> None:
    """Refuse a file that is too big, of another type, or whose content does not match its name."""
    if upload.size is not None and upload.size > MAX_FILE_BYTES:
        raise ValidationError(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": round(upload.size / 1024 / 1024, 1), "limit": MAX_FILE_BYTES // 1024 // 1024}
        )
    name = upload.name or ""
    extension = file_extension(name)
    signatures = FILE_SIGNATURES.get(extension)
    if signatures is None:
        raise ValidationError(
            _("Attach the report as PDF, Word, Excel or OpenDocument (%(types)s).")
            % {"types": ", ".join(sorted(FILE_SIGNATURES))}
        )
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if not any(head.startswith(signature) for signature in signatures):
        raise ValidationError(_("The file's content is not a .%(extension)s file.") % {"extension": extension})


@transaction.atomic
def report_record_received(
    *,
    state: State,
    kind: str,
    year: int | None,
    received_on: dt.date,
    recorded_by: Any,
    upload: UploadedFile | None = None,
    channel: str = Channel.EMAIL,
    authority: str = "",
    contact: str = "",
    report_date: dt.date | None = None,
    withheld_commercial: bool = False,
    withheld_security: bool = False,
    forms: dict[str, dict[str, Any]] | None = None,
    contents: AnnualReportContents | None = None,
    amendment_reason: str = "",
) -> ReportVersion:
    """Record a report the Secretariat received outside the online forms (by email, on paper).

    The caller has checked that `recorded_by` is reporting staff. The first version of a report
    is the submission that counts for the deadline; a later one is an amendment and needs a
    reason. `forms` ({"exports": {"is_nil": bool, "visibility": "public"|"restricted"}, ...})
    records what the annual report says of each form. `contents` (an annual report read from the
    platform's spreadsheet template, or transcribed) replaces the cover fields and `forms` with
    its own, rows included. Raises ValidationError with a message for the user; nothing is saved then.
    """
    if kind not in ReportKind.values:
        raise ValidationError(_("Unknown kind of report."))
    if kind == ReportKind.INITIAL and year is not None:
        raise ValidationError(_("An initial report covers no calendar year."))
    if kind == ReportKind.ANNUAL and year is None:
        raise ValidationError(_("Give the calendar year the annual report covers."))
    today = timezone.localdate()
    if received_on > today:
        raise ValidationError(_("The date of receipt cannot be in the future."))
    if received_on < TREATY_OPENED_FOR_SIGNATURE:
        raise ValidationError(_("The date of receipt is before the Treaty existed."))
    if kind == ReportKind.ANNUAL and not 2014 <= year <= received_on.year:  # type: ignore[operator]
        raise ValidationError(_("An annual report can only cover a year that has begun before it was received."))
    if not state.has_deposited:
        raise ValidationError(_("%(state)s has no instrument on record: it has no reports to make.") % {"state": state})
    if upload is not None:
        check_received_file(upload)
    forms = forms or {}
    if kind == ReportKind.INITIAL and (forms or contents is not None):
        raise ValidationError(_("An initial report has no exports or imports forms."))
    if forms and contents is not None:
        raise ValidationError(_("Give the forms or the transcribed report, not both."))
    for direction, spec in forms.items():
        if direction not in Direction.values or spec.get("visibility", Visibility.RESTRICTED) not in Visibility.values:
            raise ValidationError(_("Unknown form or visibility."))

    report, _created = Report.objects.get_or_create(state=state, kind=kind, year=year)
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.versions.filter(status=VersionStatus.DRAFT).exists():
        raise ValidationError(_("A draft of this report is open; submit or discard it first."))
    number = (report.versions.aggregate(last=Max("number"))["last"] or 0) + 1
    if number > 1 and not amendment_reason.strip():
        raise ValidationError(_("This report was already received: say why this new version replaces it."))
    version = ReportVersion(
        report=report,
        number=number,
        status=VersionStatus.SUBMITTED,
        channel=channel,
        received_on=received_on,
        submitted_at=timezone.now(),
        submitted_by=recorded_by,
        amendment_reason=amendment_reason.strip() if number > 1 else "",
        authority=authority,
        contact=contact,
        report_date=report_date,
        withheld_commercial=withheld_commercial,
        withheld_security=withheld_security,
    )
    version.full_clean(exclude=["original_file"])
    version.save()
    if upload is not None:
        version.original_file.save(upload.name, upload, save=False)
        version.save(update_fields=["original_file"])
    for direction, spec in forms.items():
        ReportForm.objects.create(
            version=version,
            direction=direction,
            is_nil=bool(spec.get("is_nil")),
            visibility=spec.get("visibility", Visibility.RESTRICTED),
        )
    if contents is not None:
        _write_contents(version, contents)
    return version


# ---------------------------------------------------------------------------- drafts and the workflow
#
# draft -> submitted (immutable; acknowledgement to the State, notice to reporting staff)
#       -> reviewed (staff; clarification queries may be asked at any point after submission)
#       -> published (staff; the public transfer database is refreshed from the public forms).
# An amendment is a new version of the same report, started as a draft from the latest version.


def _lock_report(report: Report) -> Report:
    return Report.objects.select_for_update().get(pk=report.pk)


def _lock_version(version: ReportVersion) -> ReportVersion:
    return ReportVersion.objects.select_for_update().select_related("report__state").get(pk=version.pk)


def _check_reportable(state: State, kind: str, year: int | None) -> None:
    if kind not in ReportKind.values:
        raise ValidationError(_("Unknown kind of report."))
    if kind == ReportKind.INITIAL and year is not None:
        raise ValidationError(_("An initial report covers no calendar year."))
    if kind == ReportKind.ANNUAL:
        if year is None:
            raise ValidationError(_("Give the calendar year the annual report covers."))
        if not 2014 <= year < timezone.localdate().year:
            raise ValidationError(_("An annual report covers a calendar year that has ended."))
    if not state.has_deposited:
        raise ValidationError(_("%(state)s has no instrument on record: it has no reports to make.") % {"state": state})


def version_contents(version: ReportVersion) -> AnnualReportContents:
    """What an annual report version says (to pre-fill a new draft or an amendment)."""
    contents = AnnualReportContents(
        authority=version.authority,
        contact=version.contact,
        report_date=version.report_date,
        withheld_commercial=version.withheld_commercial,
        withheld_security=version.withheld_security,
        national_definitions=version.national_definitions,
    )
    for form in version.forms.all():
        rows = [
            RowContents(
                category=row.category,
                partner=row.partner,
                basis=row.basis,
                items=row.items,
                value=row.value,
                currency=row.currency,
                origin=row.origin,
                intermediate_location=row.intermediate_location,
                description=row.description,
                comments=row.comments,
            )
            for row in form.rows.select_related("category", "partner", "origin").order_by("pk")
        ]
        contents.forms[form.direction] = FormContents(is_nil=form.is_nil, visibility=form.visibility, rows=rows)
    return contents


def _latest_version(report: Report) -> ReportVersion | None:
    return report.versions.exclude(status=VersionStatus.DRAFT).order_by("-number").first()


@transaction.atomic
def draft_start(
    *,
    state: State,
    kind: str,
    year: int | None,
    started_by: Any,
    channel: str = Channel.ONLINE,
    from_last_year: bool = False,
    amendment_reason: str = "",
) -> ReportVersion:
    """Open a draft of the State's report (a first version, or an amendment of the latest one).

    A first annual draft may start from the State's latest submitted report on the previous year
    ("start from last year's report": title page, forms and rows are copied; the State edits
    them). An amendment starts from the latest submitted version of the same report and needs a
    reason. There is at most one draft per report (the database refuses a second one).
    """
    _check_reportable(state, kind, year)
    if channel not in Channel.values:
        raise ValidationError(_("Unknown channel."))
    report, _created = Report.objects.get_or_create(state=state, kind=kind, year=year)
    report = _lock_report(report)
    if report.versions.filter(status=VersionStatus.DRAFT).exists():
        raise ValidationError(_("A draft of this report is open; submit or discard it first."))
    latest = _latest_version(report)
    number = (report.versions.aggregate(last=Max("number"))["last"] or 0) + 1
    if latest is not None and not amendment_reason.strip():
        raise ValidationError(_("This report was already submitted: say why the new version amends it."))
    version = ReportVersion.objects.create(
        report=report,
        number=number,
        status=VersionStatus.DRAFT,
        channel=channel,
        created_by=started_by,
        amendment_reason=amendment_reason.strip() if latest is not None else "",
    )
    source = latest
    if source is None and from_last_year and kind == ReportKind.ANNUAL:
        source = (
            ReportVersion.objects.filter(report__state=state, report__kind=ReportKind.ANNUAL, report__year=year - 1)  # type: ignore[operator]
            .exclude(status=VersionStatus.DRAFT)
            .order_by("-number")
            .first()
        )
        if source is None:
            raise ValidationError(_("There is no submitted report on %(year)s to start from.") % {"year": year - 1})  # type: ignore[operator]
    if source is not None:
        contents = version_contents(source)
        if source.report_id != report.pk:
            contents.report_date = None  # a new report gets its own date
        _write_contents(version, contents)
        if kind == ReportKind.INITIAL:
            # An update of the initial report ("new measures") starts from what the State said;
            # the attachments share the stored files (never deleted, see services_attachments).
            InitialAnswer.objects.bulk_create(
                [InitialAnswer(version=version, area=a.area, answer=a.answer) for a in source.answers.order_by("pk")]
            )
            VersionAttachment.objects.bulk_create(
                [
                    VersionAttachment(version=version, title=a.title, file=a.file.name)
                    for a in source.attachments.order_by("pk")
                ]
            )
    return version


def write_cover(version: ReportVersion, contents: AnnualReportContents) -> None:
    """The title page, declarations and national definitions of an annual report version."""
    version.authority = contents.authority
    version.contact = contents.contact
    version.report_date = contents.report_date
    version.withheld_commercial = contents.withheld_commercial
    version.withheld_security = contents.withheld_security
    version.national_definitions = contents.national_definitions
    # Field checks give the user a message; the table's constraints are enforced by the database.
    version.clean_fields(exclude=["original_file", "report", "created_by"])
    version.save()


_ROW_FIELDS = (
    "form",
    "category",
    "partner",
    "origin",
    "intermediate_location",
    "items",
    "value",
    "currency",
    "basis",
    "description",
    "comments",
)


def write_rows(form: ReportForm, rows: list[RowContents]) -> None:
    """Insert the transfer rows of a form with one statement run for every row (executemany).

    The ORM's bulk_create builds a model instance and compiles the SQL for each batch of each
    call, which cost more than reading the rows from a spreadsheet; the columns' constraints
    are the database's either way."""
    if not rows:
        return
    quote = connection.ops.quote_name
    meta = TransferRow._meta
    columns = ", ".join(quote(meta.get_field(name).column) for name in _ROW_FIELDS)
    marks = ", ".join(["%s"] * len(_ROW_FIELDS))
    value_field = meta.get_field("value")
    params = [
        (
            form.pk,
            row.category.pk,
            row.partner.pk,
            row.origin.pk if row.origin else None,
            row.intermediate_location,
            row.items,
            value_field.get_db_prep_save(row.value, connection),
            row.currency if row.value is not None else "",
            row.basis,
            row.description,
            row.comments,
        )
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({marks})", params)  # noqa: S608


def _write_contents(version: ReportVersion, contents: AnnualReportContents) -> None:
    write_cover(version, contents)
    version.forms.all().delete()  # rows go with their form (CASCADE)
    for direction, form_contents in contents.forms.items():
        if direction not in Direction.values or form_contents.visibility not in Visibility.values:
            raise ValidationError(_("Unknown form or visibility."))
        if form_contents.is_nil and form_contents.rows:
            raise ValidationError(
                _("The %(form)s form is a nil report and also has rows: choose one.")
                % {"form": Direction(direction).label}
            )
        form = ReportForm.objects.create(
            version=version, direction=direction, is_nil=form_contents.is_nil, visibility=form_contents.visibility
        )
        write_rows(form, form_contents.rows)


def annual_draft_lock(version: ReportVersion) -> ReportVersion:
    """The draft annual report, locked for writing (inside the caller's transaction)."""
    version = _lock_version(version)
    if version.status != VersionStatus.DRAFT:
        raise ValidationError(_("This version was submitted and can no longer change; amend it instead."))
    if version.report.kind != ReportKind.ANNUAL:
        raise ValidationError(_("Only an annual report has exports and imports forms."))
    return version


@transaction.atomic
def draft_save_contents(
    *,
    version: ReportVersion,
    contents: AnnualReportContents,
    saved_by: Any,
    channel: str | None = None,
    original_file: UploadedFile | None = None,
) -> ReportVersion:
    """Replace what a draft annual report says (online form, spreadsheet import, transcription).

    All or nothing: a constraint that fails rolls back every row. Only a draft can change.
    """
    version = annual_draft_lock(version)
    if channel is not None:
        if channel not in Channel.values:
            raise ValidationError(_("Unknown channel."))
        version.channel = channel
    _write_contents(version, contents)
    if original_file is not None:
        check_received_file(original_file)
        version.original_file.save(original_file.name, original_file, save=False)
        version.save(update_fields=["original_file", "channel"])
    elif channel is not None:
        version.save(update_fields=["channel"])
    return version


@transaction.atomic
def draft_save_initial(
    *, version: ReportVersion, answers: dict[str, str], authority: str, contact: str, saved_by: Any
) -> ReportVersion:
    """Replace the answers of a draft initial report (one text per implementation area)."""
    version = _lock_version(version)
    if version.status != VersionStatus.DRAFT:
        raise ValidationError(_("This version was submitted and can no longer change; amend it instead."))
    if version.report.kind != ReportKind.INITIAL:
        raise ValidationError(_("Only an initial report has implementation areas."))
    unknown = set(answers) - set(ImplementationArea.values)
    if unknown:
        raise ValidationError(_("Unknown area of implementation."))
    version.authority, version.contact = authority, contact
    version.save(update_fields=["authority", "contact", "updated_at"])
    version.answers.all().delete()
    InitialAnswer.objects.bulk_create(
        [
            InitialAnswer(version=version, area=area, answer=text.strip())
            for area, text in answers.items()
            if text.strip()
        ]
    )
    return version


@transaction.atomic
def draft_discard(*, version: ReportVersion, discarded_by: Any) -> None:
    """Throw a draft away (a report left with no version at all goes too)."""
    version = _lock_version(version)
    if version.status != VersionStatus.DRAFT:
        raise ValidationError(_("Only a draft can be discarded."))
    report = version.report
    # A draft opened to answer a query: an answer in words stands; a query answered only by
    # this amendment is open again.
    for query in ClarificationQuery.objects.select_for_update().filter(amendment=version):
        query.amendment = None
        if not query.answer:
            query.answered_at = None
            query.answered_by = None
        query.save(update_fields=["amendment", "answered_at", "answered_by"])
    version.delete()
    if not report.versions.exists():
        report.delete()


def _completeness_errors(version: ReportVersion) -> list[str]:
    errors: list[str] = []
    if version.report.kind == ReportKind.ANNUAL:
        forms = {form.direction: form for form in version.forms.all()}
        for direction in Direction:
            form = forms.get(direction.value)
            if form is None:
                errors.append(
                    str(
                        _("The %(form)s form is missing: give its rows or mark it as a nil report.")
                        % {"form": direction.label}
                    )
                )
            elif not form.is_nil and not form.rows.exists():
                errors.append(
                    str(
                        _("The %(form)s form has no rows: add them or mark it as a nil report.")
                        % {"form": direction.label}
                    )
                )
    elif not version.answers.exists() and not version.attachments.exists():
        errors.append(str(_("Answer at least one area or attach the laws and regulations.")))
    if not version.authority.strip():
        errors.append(str(_("Give the national authority submitting the report.")))
    return errors


def draft_problems(version: ReportVersion) -> list[str]:
    """What stops a draft from being submitted (empty when it can be)."""
    return _completeness_errors(version)


def _users_with_role(role: str, state: State | None = None) -> list[Any]:
    from secretariat.accounts.models import User

    users = User.objects.filter(is_active=True, role_assignments__role=role)
    if state is not None:
        users = users.filter(role_assignments__state=state)
    return list(users.distinct().order_by("pk"))


def _email_each(users: list[Any], template: str, context: dict[str, Any], *, about: str, state: State | None) -> None:
    """One message per language, to everyone who reads it, through the platform's outbox: it is
    sent once the transaction commits, and kept and retried if the mail server is down. `about`
    makes the outbox key (one message per template, object and language, however often asked)."""
    from secretariat.reminders.models import MessageKind
    from secretariat.reminders.services import outbox_enqueue, outbox_send_on_commit

    by_language: dict[str, list[str]] = {}
    for user in users:
        by_language.setdefault(user.preferred_language or "en", []).append(user.email)
    kind = MessageKind.ACKNOWLEDGEMENT if template.endswith("/acknowledgement") else MessageKind.NOTICE
    label = str(context.get("report", ""))
    messages = [
        outbox_enqueue(
            key=f"{template}:{about}:{language}",
            kind=kind,
            template=template,
            to=addresses,
            context=context,
            language=language,
            state=state,
            label=label,
        )
        for language, addresses in sorted(by_language.items())
    ]
    outbox_send_on_commit(messages)


@transaction.atomic
def draft_submit(*, version: ReportVersion, submitted_by: Any) -> ReportVersion:
    """Submit a draft: it becomes an immutable version received today.

    The version row is locked, so two simultaneous submissions of one draft give one version:
    the second finds it submitted and is refused. The State's representatives get an
    acknowledgement and the reporting staff a notice, once the transaction commits.
    """
    version = _lock_version(version)
    if version.status != VersionStatus.DRAFT:
        raise ValidationError(_("This draft was already submitted."))
    problems = _completeness_errors(version)
    if problems:
        raise ValidationError(problems)
    now = timezone.now()
    version.status = VersionStatus.SUBMITTED
    version.submitted_at = now
    version.submitted_by = submitted_by
    version.received_on = timezone.localdate(now)
    version.save(update_fields=["status", "submitted_at", "submitted_by", "received_on", "updated_at"])
    state = version.report.state
    context = {"version": version, "report": version.report, "state": state, "site_url": settings.SITE_URL}
    about = f"version-{version.pk}"
    representatives = _users_with_role(Role.STATE_REPRESENTATIVE, state)
    _email_each(representatives, "reporting/emails/acknowledgement", context, about=about, state=state)
    _email_each(
        _users_with_role(Role.STAFF_REPORTING), "reporting/emails/staff_notice", context, about=about, state=state
    )
    return version


@transaction.atomic
def version_review(*, version: ReportVersion, reviewed_by: Any) -> ReportVersion:
    """Staff mark a submitted version as reviewed."""
    version = _lock_version(version)
    if version.status != VersionStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted version can be marked as reviewed."))
    version.status = VersionStatus.REVIEWED
    version.reviewed_at = timezone.now()
    version.reviewed_by = reviewed_by
    version.save(update_fields=["status", "reviewed_at", "reviewed_by", "updated_at"])
    return version


@transaction.atomic
def version_publish(*, version: ReportVersion, published_by: Any) -> ReportVersion:
    """Publish a reviewed version; the public transfer database then shows its public forms.

    Publishing an older version after a newer one is refused: the public pages always show the
    latest published version.
    """
    version = _lock_version(version)
    if version.status != VersionStatus.REVIEWED:
        raise ValidationError(_("Only a reviewed version can be published."))
    newer = version.report.versions.filter(number__gt=version.number, status=VersionStatus.PUBLISHED)
    if newer.exists():
        raise ValidationError(_("A later version of this report is already published."))
    version.status = VersionStatus.PUBLISHED
    version.published_at = timezone.now()
    version.published_by = published_by
    version.save(update_fields=["status", "published_at", "published_by", "updated_at"])
    published_transfers_refresh(version.report)
    return version


def published_transfers_refresh(report: Report) -> int:
    """Rebuild the report's rows in the public transfer database from its latest published
    version: only rows of forms marked public. Returns the number of rows written."""
    PublishedTransfer.objects.filter(report=report).delete()
    transfer_data_changed()  # every cached count of the transfer database is now stale
    latest = report.versions.filter(status=VersionStatus.PUBLISHED).order_by("-number").first()
    if latest is None or report.kind != ReportKind.ANNUAL:
        return 0
    state = report.state
    published_on = timezone.localdate(latest.published_at)
    rows = (
        TransferRow.objects.filter(form__version=latest, form__visibility=Visibility.PUBLIC, form__is_nil=False)
        .select_related("form", "partner")
        .order_by("pk")
    )
    created = PublishedTransfer.objects.bulk_create(
        [
            PublishedTransfer(
                row=row,
                report=report,
                version=latest,
                year=report.year,
                direction=row.form.direction,
                reporter=state,
                reporter_region=state.region,
                partner=row.partner,
                partner_region=row.partner.region,
                category_id=row.category_id,
                origin_id=row.origin_id,
                intermediate_location=row.intermediate_location,
                items=row.items,
                value=row.value,
                currency=row.currency,
                basis=row.basis,
                description=row.description,
                comments=row.comments,
                is_synthetic=report.is_synthetic,
                published_on=published_on,
            )
            for row in rows.iterator(chunk_size=2000)
        ],
        batch_size=2000,
    )
    return len(created)


@transaction.atomic
def query_ask(*, version: ReportVersion, question: str, asked_by: Any) -> ClarificationQuery:
    """Staff ask the State a question about a submitted version; its representatives are told."""
    version = _lock_version(version)
    if version.status == VersionStatus.DRAFT:
        raise ValidationError(_("A draft cannot be queried; wait until it is submitted."))
    if not question.strip():
        raise ValidationError(_("Write the question."))
    query = ClarificationQuery.objects.create(version=version, question=question.strip(), asked_by=asked_by)
    state = version.report.state
    context = {
        "query": query,
        "version": version,
        "report": version.report,
        "state": state,
        "site_url": settings.SITE_URL,
    }
    representatives = _users_with_role(Role.STATE_REPRESENTATIVE, state)
    _email_each(representatives, "reporting/emails/query", context, about=f"query-{query.pk}", state=state)
    return query


@transaction.atomic
def query_answer(
    *, query: ClarificationQuery, answer: str, answered_by: Any, amendment_reason: str = ""
) -> ClarificationQuery:
    """The State answers a query in words and/or by opening an amendment (a new draft whose
    reason is `amendment_reason`). Reporting staff are told."""
    query = ClarificationQuery.objects.select_for_update().select_related("version__report__state").get(pk=query.pk)
    if not query.is_open:
        raise ValidationError(_("This query was already answered."))
    if not answer.strip() and not amendment_reason.strip():
        raise ValidationError(_("Answer the question, or amend the report (give the reason), or both."))
    report = query.version.report
    if amendment_reason.strip():
        query.amendment = draft_start(
            state=report.state,
            kind=report.kind,
            year=report.year,
            started_by=answered_by,
            channel=query.version.channel if query.version.channel != Channel.EMAIL else Channel.ONLINE,
            amendment_reason=amendment_reason,
        )
    query.answer = answer.strip()
    query.answered_by = answered_by
    query.answered_at = timezone.now()
    query.save()
    context = {"query": query, "report": report, "state": report.state, "site_url": settings.SITE_URL}
    staff = _users_with_role(Role.STAFF_REPORTING)
    _email_each(staff, "reporting/emails/query_answered", context, about=f"query-{query.pk}", state=report.state)
    return query


@transaction.atomic
def draft_for_import(
    *, state: State, year: int, imported_by: Any, channel: str, amendment_reason: str = ""
) -> ReportVersion:
    """The State's open draft of its annual report on `year`, or a new one (an amendment when a
    version was submitted: then `amendment_reason` is required)."""
    draft = (
        ReportVersion.objects.filter(
            report__state=state, report__kind=ReportKind.ANNUAL, report__year=year, status=VersionStatus.DRAFT
        )
        .order_by("pk")
        .first()
    )
    if draft is None:
        draft = draft_start(
            state=state,
            kind=ReportKind.ANNUAL,
            year=year,
            started_by=imported_by,
            channel=channel,
            amendment_reason=amendment_reason,
        )
    return draft

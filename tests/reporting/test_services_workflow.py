"""The reporting workflow services: drafts, submission, review, publication, clarification queries."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from secretariat.reporting import services
from secretariat.reporting.contents import AnnualReportContents, FormContents, RowContents
from secretariat.reporting.models import (
    Category,
    ClarificationQuery,
    InitialAnswer,
    PublishedTransfer,
    Report,
    ReportVersion,
    TransferDataGeneration,
    TransferRow,
    VersionAttachment,
    VersionStatus,
)
from secretariat.reporting.services_attachments import attachment_add, attachment_remove, initial_draft_save
from secretariat.states.models import State
from tests import factories

pytestmark = pytest.mark.django_db


PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture
def rep(ghana):
    user = factories.UserFactory(email="ghana.rep@example.org")
    factories.RoleAssignmentFactory(user=user, role="state_representative", state=ghana)
    return user


@pytest.fixture
def officer():
    user = factories.UserFactory(email="reporting.officer@example.org", is_staff=True)
    factories.RoleAssignmentFactory(user=user, role="staff_reporting")
    return user


def start(state, by, year=2022, **kwargs):
    return services.draft_start(state=state, kind="annual", year=year, started_by=by, **kwargs)


def submitted(state, by, partner, year=2022, **contents_options):
    draft = factories.annual_draft(state=state, year=year, by=by, partner=partner, **contents_options)
    return services.draft_submit(version=draft, submitted_by=by)


def transfer_generation():
    return TransferDataGeneration.objects.filter(pk=1).values_list("number", flat=True).first() or 0


def rows_of(version, direction):
    return list(
        TransferRow.objects.filter(form__version=version, form__direction=direction)
        .order_by("pk")
        .values_list("category__code", "partner__iso3", "items", "description")
    )


# ---------------------------------------------------------------------------- draft_start


def test_the_first_draft_is_version_one_online(ghana, rep):
    draft = start(ghana, rep)

    assert (draft.number, draft.status, draft.channel) == (1, VersionStatus.DRAFT, "online")
    assert draft.created_by == rep
    assert draft.amendment_reason == ""
    assert draft.received_on is None
    assert not draft.forms.exists()


def test_starting_from_last_year_copies_the_title_page_and_rows_but_not_the_date(ghana, mexico, rep):
    last_year = factories.annual_draft(state=ghana, year=2021, by=rep, partner=mexico, rows=2)
    services.draft_save_contents(
        version=last_year,
        contents=AnnualReportContents(
            authority="Ministry of Defence",
            contact="Desk officer",
            report_date=dt.date(2022, 5, 3),
            withheld_security=True,
            national_definitions="Our definitions",
            forms={
                "exports": factories.transfer_contents(partner=mexico, rows=2, visibility="public"),
                "imports": FormContents(is_nil=True, visibility="restricted"),
            },
        ),
        saved_by=rep,
    )
    services.draft_submit(version=last_year, submitted_by=rep)

    draft = start(ghana, rep, year=2022, from_last_year=True)

    assert draft.report.year == 2022
    assert (draft.authority, draft.contact, draft.national_definitions) == (
        "Ministry of Defence",
        "Desk officer",
        "Our definitions",
    )
    assert draft.withheld_security is True
    assert draft.report_date is None  # a new report gets its own date
    assert rows_of(draft, "exports") == rows_of(last_year, "exports")
    assert len(rows_of(draft, "exports")) == 2
    forms = {form.direction: (form.is_nil, form.visibility) for form in draft.forms.all()}
    assert forms == {"exports": (False, "public"), "imports": (True, "restricted")}
    # The copy is new rows: last year's stay with last year's report.
    assert TransferRow.objects.filter(form__version=last_year).count() == 2


def test_starting_from_last_year_needs_a_submitted_report_on_that_year(ghana, mexico, rep):
    factories.annual_draft(state=ghana, year=2021, by=rep, partner=mexico)  # a draft does not count

    with pytest.raises(ValidationError, match="no submitted report on 2021"):
        start(ghana, rep, year=2022, from_last_year=True)
    assert not Report.objects.filter(year=2022).exists()


def test_a_second_draft_of_a_report_is_refused(ghana, rep):
    start(ghana, rep)

    with pytest.raises(ValidationError, match="A draft of this report is open"):
        start(ghana, rep)
    assert ReportVersion.objects.filter(report__state=ghana).count() == 1


def test_an_amendment_needs_a_reason_and_starts_from_the_latest_version(ghana, mexico, rep):
    first = submitted(ghana, rep, mexico)

    with pytest.raises(ValidationError, match="say why the new version amends it"):
        start(ghana, rep)
    with pytest.raises(ValidationError, match="say why"):
        start(ghana, rep, amendment_reason="   ")
    assert ReportVersion.objects.filter(report=first.report).count() == 1

    amendment = start(ghana, rep, amendment_reason="  Corrected the imports  ")

    assert (amendment.number, amendment.status) == (2, VersionStatus.DRAFT)
    assert amendment.amendment_reason == "Corrected the imports"
    assert rows_of(amendment, "exports") == rows_of(first, "exports")
    assert amendment.authority == first.authority


def test_an_amendment_keeps_the_report_date_of_the_same_report(ghana, mexico, rep):
    draft = start(ghana, rep)
    contents = factories.annual_contents(partner=mexico)
    contents.report_date = dt.date(2023, 5, 1)
    services.draft_save_contents(version=draft, contents=contents, saved_by=rep)
    services.draft_submit(version=draft, submitted_by=rep)

    amendment = start(ghana, rep, amendment_reason="Typo")

    assert amendment.report_date == dt.date(2023, 5, 1)


@pytest.mark.parametrize(
    ("iso3", "kind", "year", "message"),
    [
        ("AGO", "annual", 2022, "no instrument on record"),  # a signatory, not a State Party
        ("IND", "annual", 2022, "no instrument on record"),  # never joined
        ("GHA", "annual", None, "Give the calendar year"),
        ("GHA", "initial", 2022, "covers no calendar year"),
        ("GHA", "annual", 2013, "has ended"),
        ("GHA", "bogus", None, "Unknown kind"),
    ],
)
def test_a_draft_that_cannot_exist_is_refused_and_nothing_is_saved(rep, iso3, kind, year, message):
    with pytest.raises(ValidationError, match=message):
        services.draft_start(state=State.objects.get(iso3=iso3), kind=kind, year=year, started_by=rep)
    assert not Report.objects.exists()


def test_the_current_year_cannot_be_reported_on_yet(ghana, rep):
    with pytest.raises(ValidationError, match="has ended"):
        start(ghana, rep, year=timezone.localdate().year)
    start(ghana, rep, year=timezone.localdate().year - 1)


def test_an_amendment_of_an_initial_report_starts_from_its_answers_and_attachments(ghana, rep):
    draft = services.draft_start(state=ghana, kind="initial", year=None, started_by=rep)
    initial_draft_save(
        version=draft,
        answers={"exports": "Export licences since 2016.", "brokering": "Brokers are registered."},
        authority="Ministry of the Interior",
        contact="",
        saved_by=rep,
        new_attachment=("Arms Act", SimpleUploadedFile("act.pdf", PDF)),
    )
    services.draft_submit(version=draft, submitted_by=rep)

    amendment = services.draft_start(
        state=ghana, kind="initial", year=None, started_by=rep, amendment_reason="New measures"
    )

    assert dict(amendment.answers.values_list("area", "answer")) == {
        "exports": "Export licences since 2016.",
        "brokering": "Brokers are registered.",
    }
    assert list(amendment.attachments.values_list("title", flat=True)) == ["Arms Act"]


# ---------------------------------------------------------------------------- draft_save_contents


def test_saving_replaces_what_the_draft_says(ghana, mexico, rep):
    draft = factories.annual_draft(state=ghana, year=2022, by=rep, partner=mexico, rows=3)
    category = Category.objects.get(code="VIII.SA.4")
    contents = AnnualReportContents(
        authority="New authority",
        forms={
            "exports": FormContents(
                visibility="public",
                rows=[
                    RowContents(
                        category=category,
                        partner=mexico,
                        basis="authorised",
                        value=Decimal("1200.50"),
                        currency="EUR",
                        origin=State.objects.get(iso3="FRA"),
                        intermediate_location="Lomé",
                        description="Assault rifles",
                    )
                ],
            ),
            "imports": FormContents(is_nil=True),
        },
    )

    services.draft_save_contents(version=draft, contents=contents, saved_by=rep)

    draft.refresh_from_db()
    assert draft.authority == "New authority"
    row = TransferRow.objects.get(form__version=draft)
    assert (row.category.code, row.value, row.currency, row.origin.iso3, row.items) == (
        "VIII.SA.4",
        Decimal("1200.50"),
        "EUR",
        "FRA",
        None,
    )
    assert draft.forms.get(direction="imports").is_nil is True


def test_saving_is_all_or_nothing_when_a_row_breaks_a_database_rule(ghana, mexico, rep):
    draft = factories.annual_draft(state=ghana, year=2022, by=rep, partner=mexico, rows=2)
    before = rows_of(draft, "exports"), rows_of(draft, "imports")
    contents = factories.annual_contents(partner=mexico, rows=3)
    contents.authority = "Changed authority"
    contents.forms["imports"].rows[2].items = None  # neither items nor value: the CHECK refuses it

    with pytest.raises(IntegrityError):
        services.draft_save_contents(version=draft, contents=contents, saved_by=rep)

    draft.refresh_from_db()
    assert draft.authority == "Ministry of Defence"
    assert (rows_of(draft, "exports"), rows_of(draft, "imports")) == before


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda c: setattr(c.forms["imports"], "is_nil", True), "nil report and also has rows"),
        (lambda c: setattr(c.forms["exports"], "visibility", "secret"), "Unknown form or visibility"),
        (lambda c: c.forms.update(transit=FormContents()), "Unknown form or visibility"),
        (lambda c: setattr(c, "authority", "x" * 301), "at most 300 characters"),
    ],
)
def test_contents_the_service_refuses_leave_the_draft_as_it_was(ghana, mexico, rep, change, message):
    draft = factories.annual_draft(state=ghana, year=2022, by=rep, partner=mexico, rows=2)
    before = rows_of(draft, "exports"), rows_of(draft, "imports")
    contents = factories.annual_contents(partner=mexico, rows=1)
    change(contents)

    with pytest.raises(ValidationError, match=message):
        services.draft_save_contents(version=draft, contents=contents, saved_by=rep)

    assert (rows_of(draft, "exports"), rows_of(draft, "imports")) == before


def test_an_initial_report_has_no_forms(ghana, mexico, rep):
    draft = services.draft_start(state=ghana, kind="initial", year=None, started_by=rep)

    with pytest.raises(ValidationError, match="Only an annual report"):
        services.draft_save_contents(version=draft, contents=factories.annual_contents(partner=mexico), saved_by=rep)


def test_a_submitted_version_is_immutable(ghana, mexico, rep):
    version = submitted(ghana, rep, mexico)
    before = rows_of(version, "exports")

    with pytest.raises(ValidationError, match="can no longer change"):
        services.draft_save_contents(version=version, contents=AnnualReportContents(authority="X"), saved_by=rep)
    with pytest.raises(ValidationError, match="Only a draft can be discarded"):
        services.draft_discard(version=version, discarded_by=rep)

    version.refresh_from_db()
    assert version.authority == "Ministry of Defence"
    assert rows_of(version, "exports") == before


def test_discarding_the_only_draft_removes_the_report(ghana, mexico, rep):
    draft = factories.annual_draft(state=ghana, year=2022, by=rep, partner=mexico)

    services.draft_discard(version=draft, discarded_by=rep)

    assert not Report.objects.filter(state=ghana).exists()
    assert not TransferRow.objects.exists()


def test_discarding_an_amendment_keeps_the_report_and_its_versions(ghana, mexico, rep):
    first = submitted(ghana, rep, mexico)
    amendment = start(ghana, rep, amendment_reason="Fix")

    services.draft_discard(version=amendment, discarded_by=rep)

    assert list(first.report.versions.values_list("number", flat=True)) == [1]


# ---------------------------------------------------------------------------- draft_submit


def test_problems_are_listed_and_block_the_submission(ghana, mexico, rep):
    draft = start(ghana, rep)
    services.draft_save_contents(
        version=draft,
        contents=AnnualReportContents(forms={"exports": FormContents(visibility="public")}),
        saved_by=rep,
    )

    problems = services.draft_problems(draft)

    assert problems == [
        "The Exports form has no rows: add them or mark it as a nil report.",
        "The Imports form is missing: give its rows or mark it as a nil report.",
        "Give the national authority submitting the report.",
    ]
    with pytest.raises(ValidationError) as raised:
        services.draft_submit(version=draft, submitted_by=rep)
    assert raised.value.messages == problems
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


def test_a_nil_report_on_both_forms_can_be_submitted(ghana, rep):
    draft = start(ghana, rep)
    contents = AnnualReportContents(
        authority="Ministry", forms={"exports": FormContents(is_nil=True), "imports": FormContents(is_nil=True)}
    )
    draft = services.draft_save_contents(version=draft, contents=contents, saved_by=rep)

    assert services.draft_problems(draft) == []
    assert services.draft_submit(version=draft, submitted_by=rep).status == VersionStatus.SUBMITTED


def test_an_initial_report_needs_an_answer_or_an_attachment(ghana, rep):
    draft = services.draft_start(state=ghana, kind="initial", year=None, started_by=rep)
    draft = services.draft_save_initial(version=draft, answers={}, authority="Ministry", contact="", saved_by=rep)

    assert services.draft_problems(draft) == ["Answer at least one area or attach the laws and regulations."]
    attachment_add(version=draft, title="Arms Act", upload=SimpleUploadedFile("act.pdf", PDF), added_by=rep)
    assert services.draft_problems(draft) == []


def test_submitting_makes_an_immutable_version_received_today(ghana, mexico, rep):
    draft = factories.annual_draft(state=ghana, year=2022, by=rep, partner=mexico)

    version = services.draft_submit(version=draft, submitted_by=rep)

    version.refresh_from_db()
    assert version.status == VersionStatus.SUBMITTED
    assert version.received_on == timezone.localdate()
    assert version.submitted_by == rep
    assert version.submitted_at is not None
    with pytest.raises(ValidationError, match="already submitted"):
        services.draft_submit(version=draft, submitted_by=rep)
    assert ReportVersion.objects.filter(report=version.report).count() == 1


def test_the_acknowledgement_and_the_staff_notice_go_out_on_commit_in_each_language(
    ghana, mexico, rep, officer, django_capture_on_commit_callbacks
):
    french_rep = factories.UserFactory(email="ghana.fr@example.org", preferred_language="fr")
    factories.RoleAssignmentFactory(user=french_rep, role="state_representative", state=ghana)
    gone = factories.UserFactory(email="ghana.gone@example.org", is_active=False)
    factories.RoleAssignmentFactory(user=gone, role="state_representative", state=ghana)
    mexican = factories.UserFactory(email="mexico.rep@example.org")
    factories.RoleAssignmentFactory(user=mexican, role="state_representative", state=mexico)
    admin = factories.UserFactory(email="admin@example.org", is_staff=True)
    factories.RoleAssignmentFactory(user=admin, role="staff_admin")
    draft = factories.annual_draft(state=ghana, year=2022, by=rep, partner=mexico)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.draft_submit(version=draft, submitted_by=rep)
        assert mail.outbox == []  # nothing before the transaction commits
    for callback in callbacks:
        callback()

    by_recipient = {tuple(message.to): message for message in mail.outbox}
    assert set(by_recipient) == {
        ("ghana.rep@example.org",),
        ("ghana.fr@example.org",),
        ("reporting.officer@example.org",),
    }
    english = by_recipient[("ghana.rep@example.org",)]
    assert english.subject == "Received: Annual report of Ghana on 2022"
    assert "version 1" in english.body
    assert f"/reports/versions/{draft.pk}/" in english.body
    french = by_recipient[("ghana.fr@example.org",)]
    assert "Rapport annuel de Ghana pour 2022" in french.subject
    assert '<html lang="fr">' in french.alternatives[0][0]
    notice = by_recipient[("reporting.officer@example.org",)]
    assert notice.subject == "Submitted for review: Annual report of Ghana on 2022"
    assert f"/reports/versions/{draft.pk}/" in notice.body


def test_a_submission_that_is_rolled_back_sends_nothing(
    ghana, mexico, rep, officer, django_capture_on_commit_callbacks
):
    draft = factories.annual_draft(state=ghana, year=2022, by=rep, partner=mexico)

    def submit_then_fail():
        with transaction.atomic():
            services.draft_submit(version=draft, submitted_by=rep)
            raise RuntimeError("something after the submission failed")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        submit_then_fail()

    assert callbacks == []
    assert mail.outbox == []
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


def test_two_submissions_one_after_the_other_give_one_version(ghana, mexico, rep):
    draft = factories.annual_draft(state=ghana, year=2022, by=rep, partner=mexico)
    stale_copy = ReportVersion.objects.get(pk=draft.pk)  # what a second browser tab still holds

    services.draft_submit(version=draft, submitted_by=rep)
    with pytest.raises(ValidationError, match="already submitted"):
        services.draft_submit(version=stale_copy, submitted_by=rep)

    assert list(ReportVersion.objects.filter(report=draft.report).values_list("number", "status")) == [
        (1, VersionStatus.SUBMITTED)
    ]


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submissions_of_one_draft_give_one_version(article2_categories):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself; the row lock matters on PostgreSQL")
    call_command("load_reference_data", verbosity=0)
    ghana, mexico = State.objects.get(iso3="GHA"), State.objects.get(iso3="MEX")
    rep = factories.UserFactory(email="concurrent.rep@example.org")
    draft = factories.annual_draft(state=ghana, year=2022, by=rep, partner=mexico)
    barrier = threading.Barrier(2)
    outcomes = []

    def worker():
        try:
            barrier.wait()
            services.draft_submit(version=ReportVersion.objects.get(pk=draft.pk), submitted_by=rep)
            outcomes.append("submitted")
        except ValidationError as error:
            outcomes.append(error.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["This draft was already submitted.", "submitted"]
    assert list(ReportVersion.objects.values_list("number", "status")) == [(1, VersionStatus.SUBMITTED)]


# ---------------------------------------------------------------------------- review and publication


def test_only_a_submitted_version_is_reviewed_and_only_a_reviewed_one_published(ghana, mexico, rep, officer):
    draft = factories.annual_draft(state=ghana, year=2022, by=rep, partner=mexico)
    with pytest.raises(ValidationError, match="Only a submitted version"):
        services.version_review(version=draft, reviewed_by=officer)
    version = services.draft_submit(version=draft, submitted_by=rep)
    with pytest.raises(ValidationError, match="Only a reviewed version"):
        services.version_publish(version=version, published_by=officer)

    version = services.version_review(version=version, reviewed_by=officer)
    assert (version.status, version.reviewed_by) == (VersionStatus.REVIEWED, officer)
    with pytest.raises(ValidationError, match="Only a submitted version"):
        services.version_review(version=version, reviewed_by=officer)
    version = services.version_publish(version=version, published_by=officer)
    assert (version.status, version.published_by) == (VersionStatus.PUBLISHED, officer)
    assert version.published_at is not None


def test_publication_puts_only_the_public_forms_in_the_transfer_database(ghana, mexico, rep, officer):
    version = submitted(ghana, rep, mexico, rows=2, exports_visibility="public", imports_visibility="restricted")
    services.version_review(version=version, reviewed_by=officer)
    assert not PublishedTransfer.objects.exists()  # nothing before publication

    services.version_publish(version=version, published_by=officer)

    published = PublishedTransfer.objects.order_by("pk")
    assert [(row.direction, row.reporter.iso3, row.partner.iso3, row.year) for row in published] == [
        ("exports", "GHA", "MEX", 2022),
        ("exports", "GHA", "MEX", 2022),
    ]
    restricted_rows = TransferRow.objects.filter(form__version=version, form__visibility="restricted")
    assert restricted_rows.count() == 2
    assert not PublishedTransfer.objects.filter(row__in=restricted_rows).exists()
    assert published[0].published_on == timezone.localdate()
    assert published[0].reporter_region == ghana.region


def test_publishing_an_amendment_replaces_the_reports_rows(ghana, mexico, rep, officer):
    first = factories.published_annual_report(state=ghana, year=2022, by=officer, partner=mexico, rows=3)
    assert PublishedTransfer.objects.filter(report=first.report).count() == 3
    amendment = start(ghana, rep, amendment_reason="Two rows were duplicates")
    services.draft_save_contents(version=amendment, contents=factories.annual_contents(partner=mexico), saved_by=rep)
    amendment = services.draft_submit(version=amendment, submitted_by=rep)
    services.version_review(version=amendment, reviewed_by=officer)

    services.version_publish(version=amendment, published_by=officer)

    published = PublishedTransfer.objects.filter(report=first.report)
    assert published.count() == 1
    assert published.get().row.form.version_id == amendment.pk
    # The first version stays on record, unchanged.
    assert TransferRow.objects.filter(form__version=first).count() == 6


def test_an_older_version_cannot_be_published_over_a_newer_one(ghana, mexico, rep, officer):
    first = submitted(ghana, rep, mexico)
    first = services.version_review(version=first, reviewed_by=officer)
    amendment = start(ghana, rep, amendment_reason="Fix")
    amendment = services.draft_submit(version=amendment, submitted_by=rep)
    services.version_publish(
        version=services.version_review(version=amendment, reviewed_by=officer), published_by=officer
    )

    with pytest.raises(ValidationError, match="later version of this report is already published"):
        services.version_publish(version=first, published_by=officer)
    assert PublishedTransfer.objects.filter(row__form__version=amendment).count() == 1


def test_publication_starts_a_new_generation_of_the_transfer_counts(ghana, mexico, rep, officer):
    first = factories.published_annual_report(state=ghana, year=2022, by=officer, partner=mexico)
    generation = transfer_generation()
    amendment = start(ghana, rep, amendment_reason="Exports are restricted after all")
    services.draft_save_contents(
        version=amendment,
        contents=factories.annual_contents(partner=mexico, exports_visibility="restricted"),
        saved_by=rep,
    )
    amendment = services.draft_submit(version=amendment, submitted_by=rep)
    services.version_publish(
        version=services.version_review(version=amendment, reviewed_by=officer), published_by=officer
    )

    assert not PublishedTransfer.objects.filter(report=first.report).exists()
    # Rows were only deleted (the highest row id may not move): the counts must be told.
    assert transfer_generation() > generation


# ---------------------------------------------------------------------------- clarification queries


def test_a_query_is_asked_of_a_submitted_version_and_the_state_is_told(
    ghana, mexico, rep, officer, django_capture_on_commit_callbacks
):
    draft = factories.annual_draft(state=ghana, year=2022, by=rep, partner=mexico)
    with pytest.raises(ValidationError, match="A draft cannot be queried"):
        services.query_ask(version=draft, question="Why?", asked_by=officer)
    version = services.draft_submit(version=draft, submitted_by=rep)
    with pytest.raises(ValidationError, match="Write the question"):
        services.query_ask(version=version, question="  ", asked_by=officer)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        query = services.query_ask(version=version, question=" Which licences? ", asked_by=officer)

    assert (query.question, query.asked_by, query.is_open) == ("Which licences?", officer, True)
    assert [message.to for message in mail.outbox] == [["ghana.rep@example.org"]]
    assert mail.outbox[0].subject == "Question from the ATT Secretariat on the Annual report of Ghana on 2022"
    assert "Which licences?" in mail.outbox[0].body
    assert f"/reports/queries/{query.pk}/answer/" in mail.outbox[0].body


def test_a_query_answered_in_words(ghana, mexico, rep, officer, django_capture_on_commit_callbacks):
    version = submitted(ghana, rep, mexico)
    query = services.query_ask(version=version, question="Which licences?", asked_by=officer)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        query = services.query_answer(query=query, answer=" Export licences. ", answered_by=rep)

    query.refresh_from_db()
    assert (query.answer, query.answered_by, query.amendment) == ("Export licences.", rep, None)
    assert not query.is_open
    assert [message.to for message in mail.outbox] == [["reporting.officer@example.org"]]
    assert "Export licences." in mail.outbox[0].body
    assert ReportVersion.objects.filter(report=version.report).count() == 1
    with pytest.raises(ValidationError, match="already answered"):
        services.query_answer(query=query, answer="Again", answered_by=rep)


def test_a_query_answered_with_an_amendment_opens_a_draft(ghana, mexico, rep, officer):
    version = submitted(ghana, rep, mexico)
    query = services.query_ask(version=version, question="Row 1 looks wrong", asked_by=officer)

    query = services.query_answer(query=query, answer="", answered_by=rep, amendment_reason="Corrected row 1")

    amendment = query.amendment
    assert (amendment.number, amendment.status, amendment.channel) == (2, VersionStatus.DRAFT, "online")
    assert amendment.amendment_reason == "Corrected row 1"
    assert rows_of(amendment, "exports") == rows_of(version, "exports")
    assert ClarificationQuery.objects.get(pk=query.pk).answered_at is not None


def test_a_query_on_a_report_received_by_email_is_amended_online(ghana, rep, officer):
    version = services.report_record_received(
        state=ghana, kind="annual", year=2021, received_on=dt.date(2022, 5, 20), recorded_by=officer
    )
    query = services.query_ask(version=version, question="Please send the imports", asked_by=officer)

    query = services.query_answer(query=query, answer="Here they are", answered_by=rep, amendment_reason="Imports")

    assert query.amendment.channel == "online"


def test_an_empty_answer_or_an_impossible_amendment_leaves_the_query_open(ghana, mexico, rep, officer):
    version = submitted(ghana, rep, mexico)
    query = services.query_ask(version=version, question="Why?", asked_by=officer)
    with pytest.raises(ValidationError, match="Answer the question"):
        services.query_answer(query=query, answer=" ", answered_by=rep)
    start(ghana, rep, amendment_reason="Already amending")

    with pytest.raises(ValidationError, match="A draft of this report is open"):
        services.query_answer(query=query, answer="See the amendment", answered_by=rep, amendment_reason="Again")

    query.refresh_from_db()
    assert query.is_open
    assert query.answer == ""
    assert ReportVersion.objects.filter(report=version.report).count() == 2


def test_discarding_the_amendment_that_answered_a_query_reopens_the_query(ghana, mexico, rep, officer):
    version = submitted(ghana, rep, mexico)
    query = services.query_ask(version=version, question="Row 1 looks wrong", asked_by=officer)
    query = services.query_answer(query=query, answer="", answered_by=rep, amendment_reason="Corrected row 1")

    services.draft_discard(version=query.amendment, discarded_by=rep)

    query.refresh_from_db()
    assert query.is_open
    assert query.amendment is None
    assert ReportVersion.objects.filter(report=version.report).count() == 1


# ---------------------------------------------------------------------------- attachments (services_attachments)


def test_attachments_are_added_and_removed_on_drafts_only(ghana, rep, settings):
    draft = services.draft_start(state=ghana, kind="initial", year=None, started_by=rep)

    attachment = attachment_add(
        version=draft, title="  Arms and\nAmmunition Act ", upload=SimpleUploadedFile("act.pdf", PDF), added_by=rep
    )

    assert attachment.title == "Arms and Ammunition Act"
    assert attachment.file.name.startswith("reports/GHA/initial-initial-v1-annex")
    with attachment.file.open("rb") as stored:
        assert stored.read() == PDF
    for bad, message in [
        (SimpleUploadedFile("act.exe", b"MZ"), "Attach the report as"),
        (SimpleUploadedFile("act.pdf", b"PK\x03\x04"), "not a .pdf file"),
    ]:
        with pytest.raises(ValidationError, match=message):
            attachment_add(version=draft, title="Bad", upload=bad, added_by=rep)
    with pytest.raises(ValidationError, match="Give the title"):
        attachment_add(version=draft, title=" ", upload=SimpleUploadedFile("a.pdf", PDF), added_by=rep)
    assert VersionAttachment.objects.filter(version=draft).count() == 1

    services.draft_save_initial(version=draft, answers={"exports": "Licences"}, authority="M", contact="", saved_by=rep)
    services.draft_submit(version=draft, submitted_by=rep)
    with pytest.raises(ValidationError, match="can no longer change"):
        attachment_add(version=draft, title="Late", upload=SimpleUploadedFile("late.pdf", PDF), added_by=rep)
    with pytest.raises(ValidationError, match="can no longer change"):
        attachment_remove(attachment=attachment, removed_by=rep)
    assert VersionAttachment.objects.filter(version=draft).count() == 1


def test_the_initial_report_page_saves_all_or_nothing(ghana, rep):
    draft = services.draft_start(state=ghana, kind="initial", year=None, started_by=rep)
    kept = attachment_add(version=draft, title="Old act", upload=SimpleUploadedFile("old.pdf", PDF), added_by=rep)
    gone = attachment_add(version=draft, title="Repealed act", upload=SimpleUploadedFile("rep.pdf", PDF), added_by=rep)

    initial_draft_save(
        version=draft,
        answers={"exports": "Licences", "transit": "  "},
        authority="Ministry",
        contact="Officer",
        saved_by=rep,
        new_attachment=("New act", SimpleUploadedFile("new.pdf", PDF)),
        remove_attachment_ids=[gone.pk],
    )

    assert dict(InitialAnswer.objects.filter(version=draft).values_list("area", "answer")) == {"exports": "Licences"}
    assert list(draft.attachments.values_list("title", flat=True)) == ["Old act", "New act"]

    with pytest.raises(ValidationError, match="Give the title"):
        initial_draft_save(
            version=draft,
            answers={"exports": "Changed"},
            authority="Changed",
            contact="",
            saved_by=rep,
            new_attachment=("", SimpleUploadedFile("new.pdf", PDF)),
            remove_attachment_ids=[kept.pk],
        )
    draft.refresh_from_db()
    assert draft.authority == "Ministry"
    assert dict(InitialAnswer.objects.filter(version=draft).values_list("area", "answer")) == {"exports": "Licences"}
    assert list(draft.attachments.values_list("title", flat=True)) == ["Old act", "New act"]

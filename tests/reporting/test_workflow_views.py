"""The reporting workflow pages: the hub, the published reports, a version, the online forms and
the workflow actions, as each persona sees them."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.formats import date_format

from secretariat.reporting import services
from secretariat.reporting.contents import AnnualReportContents, FormContents, RowContents
from secretariat.reporting.models import (
    Category,
    ClarificationQuery,
    InitialAnswer,
    Report,
    ReportVersion,
    TransferRow,
    VersionAttachment,
    VersionStatus,
)
from secretariat.reporting.services_attachments import attachment_add
from secretariat.states.models import State
from tests import factories
from tests.conftest import PERSONAS, sign_in
from tests.reporting.factories_workflow import blank_row, edit_payload, row

pytestmark = pytest.mark.django_db


PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PUBLIC_ROW = "Public export row: 5 battle tanks"
RESTRICTED_ROW = "Restricted import row: 2 armoured vehicles"


@pytest.fixture
def officer():
    user = factories.UserFactory(email="reporting.officer@example.org", is_staff=True)
    factories.RoleAssignmentFactory(user=user, role="staff_reporting")
    return user


def contents(partner, *, exports_visibility="public", imports_visibility="restricted", authority="Ministry of Defence"):
    tanks, armoured = Category.objects.get(code="I"), Category.objects.get(code="II")
    return AnnualReportContents(
        authority=authority,
        forms={
            "exports": FormContents(
                visibility=exports_visibility,
                rows=[RowContents(category=tanks, partner=partner, basis="actual", items=5, description=PUBLIC_ROW)],
            ),
            "imports": FormContents(
                visibility=imports_visibility,
                rows=[
                    RowContents(category=armoured, partner=partner, basis="actual", items=2, description=RESTRICTED_ROW)
                ],
            ),
        },
    )


def annual(state, year, by, *, until="published", amendment_reason="", **options):
    """A report of `state` on `year` taken through the workflow up to `until`."""
    partner = State.objects.get(iso3="MEX" if state.iso3 != "MEX" else "GHA")
    version = services.draft_start(
        state=state, kind="annual", year=year, started_by=by, amendment_reason=amendment_reason
    )
    version = services.draft_save_contents(version=version, contents=contents(partner, **options), saved_by=by)
    if until == "draft":
        return version
    version = services.draft_submit(version=version, submitted_by=by)
    if until == "submitted":
        return version
    version = services.version_review(version=version, reviewed_by=by)
    if until == "reviewed":
        return version
    return services.version_publish(version=version, published_by=by)


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    return response.content.decode()


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


# ---------------------------------------------------------------------------- the reporting hub


def test_everyone_finds_the_hub_from_the_menu_and_the_public_links_on_it(client):
    assert 'href="/reports/"' in page(client, "/")

    html = page(client, "/reports/")

    assert 'href="/reports/published/"' in html
    assert 'href="/reports/transfers/"' in html
    assert "Review queue" not in html
    assert "Start online" not in html


def test_a_representative_sees_the_obligations_of_their_state_with_what_to_do(client_as, ghana, officer):
    client, rep = client_as("state_a_rep")
    annual(ghana, 2020, officer, until="submitted")
    draft = annual(ghana, 2019, rep, until="draft")
    year = timezone.localdate().year

    html = page(client, "/reports/")

    assert "Reports of Ghana" in html
    panel = html.split("Reports of Ghana", 1)[1]
    line_2021 = panel.split("<td>2021</td>", 1)[1].split("</tr>", 1)[0]
    assert "Start online" in line_2021
    assert "Start from last year's report" in line_2021  # 2020 was submitted
    assert 'href="/reports/template/GHA/2021.xlsx"' in line_2021
    assert 'href="/reports/upload/GHA/2021/"' in line_2021
    line_2022 = panel.split("<td>2022</td>", 1)[1].split("</tr>", 1)[0]
    assert "Start online" in line_2022
    assert "Start from last year" not in line_2022  # nothing submitted on 2021
    line_2020 = panel.split("<td>2020</td>", 1)[1].split("</tr>", 1)[0]
    assert "Start online" not in line_2020
    assert "View version 1 (Submitted)" in line_2020
    line_2019 = panel.split("<td>2019</td>", 1)[1].split("</tr>", 1)[0]
    assert f'href="/reports/versions/{draft.pk}/edit/"' in line_2019
    line_current = panel.split(f"<td>{year}</td>", 1)[1].split("</tr>", 1)[0]
    assert "Not yet due" in line_current
    assert "Start online" not in line_current  # the year has not ended
    assert "Reports of Mexico" not in html
    assert "Review queue" not in html


def test_a_representative_sees_the_secretariats_open_questions(client_as, ghana, mexico, officer):
    client, _rep = client_as("state_a_rep")
    version = annual(ghana, 2020, officer, until="submitted")
    query = services.query_ask(version=version, question="Which licences cover the tanks?", asked_by=officer)
    mexican = annual(mexico, 2020, officer, until="submitted")
    services.query_ask(version=mexican, question="A question for Mexico only", asked_by=officer)

    html = page(client, "/reports/")

    assert "Which licences cover the tanks?" in html
    assert f'href="/reports/queries/{query.pk}/answer/"' in html
    assert "A question for Mexico only" not in html


def test_the_representative_of_a_signatory_is_told_why_there_is_no_obligation(client_as):
    client, _rep = client_as("signatory_rep")

    html = page(client, "/reports/")

    assert "Reports of Angola" in html
    assert "The reporting obligations cannot be computed." in html
    assert "Not a State Party" in html


def test_reporting_staff_see_the_review_queue(client_as, ghana, mexico, officer):
    to_review = annual(ghana, 2020, officer, until="submitted")
    to_publish = annual(mexico, 2020, officer, until="reviewed")
    query = services.query_ask(version=to_review, question="Please confirm the value", asked_by=officer)
    annual(ghana, 2019, officer, until="draft")

    for persona in ("staff_reporting", "staff_admin"):
        client, _user = client_as(persona)
        html = page(client, "/reports/")
        queue = html.split("Review queue", 1)[1]
        to_review_part, rest = queue.split("Reviewed, to publish", 1)
        assert f'href="/reports/versions/{to_review.pk}/"' in to_review_part
        assert f'href="/reports/versions/{to_publish.pk}/"' in rest.split("Open clarification queries")[0]
        assert "Please confirm the value" in rest
        assert query.version_id == to_review.pk
        client.logout()

    client, _user = client_as("staff_finance")
    assert "Review queue" not in page(client, "/reports/")


# ---------------------------------------------------------------------------- published reports


def test_the_published_list_shows_the_latest_published_version_of_each_report(client, ghana, mexico, officer):
    first = annual(ghana, 2020, officer)
    amendment = annual(ghana, 2020, officer, amendment_reason="Corrected a row")
    mexican = annual(mexico, 2019, officer)
    annual(mexico, 2020, officer, until="reviewed")  # not published
    annual(ghana, 2021, officer, until="draft")

    html = page(client, "/reports/published/")

    assert f'href="/reports/versions/{amendment.pk}/"' in html
    assert f'href="/reports/versions/{first.pk}/"' not in html
    assert f'href="/reports/versions/{mexican.pk}/"' in html
    assert "2 published reports." in html
    day = date_format(amendment.received_on, "DATE_FORMAT")
    assert f"Amended on {day} (version 2)" in html


def test_the_published_list_filters_and_pages(client, ghana, mexico, officer, monkeypatch):
    monkeypatch.setattr("secretariat.reporting.workflow_views.PUBLISHED_PER_PAGE", 2)
    reports = {(state.iso3, year): annual(state, year, officer) for state in (ghana, mexico) for year in (2019, 2020)}

    html = page(client, "/reports/published/?year=2019")
    assert "2 published reports." in html
    assert f'href="/reports/versions/{reports["GHA", 2019].pk}/"' in html
    assert f'href="/reports/versions/{reports["GHA", 2020].pk}/"' not in html

    html = page(client, "/reports/published/?state=MEX&kind=annual")
    assert "2 published reports." in html
    assert f'href="/reports/versions/{reports["GHA", 2019].pk}/"' not in html

    first_page = page(client, "/reports/published/")
    assert "Page 1 of 2" in first_page
    assert 'href="?page=2"' in first_page
    second_page = page(client, "/reports/published/?page=2")
    shown = [pk for pk in (version.pk for version in reports.values()) if f"/reports/versions/{pk}/" in first_page]
    assert len(shown) == 2
    assert all(f"/reports/versions/{pk}/" not in second_page for pk in shown)
    assert 'href="?kind=annual&amp;page=2"' in page(client, "/reports/published/?kind=annual")

    assert "0 published reports." in page(client, "/reports/published/?year=abc")


# ---------------------------------------------------------------------------- a version


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_restricted_form_is_read_only_by_states_parties_and_staff(client, make_persona, ghana, officer, persona):
    version = annual(ghana, 2020, officer)
    sign_in(client, make_persona(persona))

    html = page(client, f"/reports/versions/{version.pk}/")

    assert PUBLIC_ROW in html
    readers = {"state_a_rep", "state_b_rep", "staff_admin", "staff_finance", "staff_reporting"}
    readers |= {"staff_programmes", "staff_meetings"}
    if persona in readers:
        assert RESTRICTED_ROW in html
        assert "This form is restricted to States Parties." not in html
    else:
        assert RESTRICTED_ROW not in html
        assert "Armoured combat vehicles" not in html
        assert "This form is restricted to States Parties." in html


@pytest.mark.parametrize("persona", PERSONAS)
def test_an_unpublished_version_is_seen_only_by_its_state_and_staff(client, make_persona, ghana, officer, persona):
    submitted = annual(ghana, 2020, officer, until="submitted")
    draft = annual(ghana, 2021, officer, until="draft")
    sign_in(client, make_persona(persona))

    submitted_status = client.get(f"/reports/versions/{submitted.pk}/").status_code
    draft_status = client.get(f"/reports/versions/{draft.pk}/").status_code

    staff = {"staff_admin", "staff_finance", "staff_reporting", "staff_programmes", "staff_meetings"}
    assert submitted_status == (200 if persona in staff | {"state_a_rep"} else 404)
    assert draft_status == (200 if persona in {"state_a_rep", "staff_admin", "staff_reporting"} else 404)


def test_the_history_lists_only_the_versions_the_reader_may_see(client, client_as, ghana, officer):
    first = annual(ghana, 2020, officer)
    second = annual(ghana, 2020, officer, amendment_reason="Second thoughts")
    draft = annual(ghana, 2020, officer, until="draft", amendment_reason="Third thoughts")

    public_html = page(client, f"/reports/versions/{second.pk}/")
    history = public_html.split("Versions of this report", 1)[1]
    assert "Second thoughts" in history
    assert f'href="/reports/versions/{first.pk}/"' not in history
    assert "Third thoughts" not in history
    assert client.get(f"/reports/versions/{first.pk}/").status_code == 404

    rep_client, _rep = client_as("state_a_rep")
    history = page(rep_client, f"/reports/versions/{second.pk}/").split("Versions of this report", 1)[1]
    assert f'href="/reports/versions/{first.pk}/"' in history
    assert f'href="/reports/versions/{draft.pk}/"' in history
    assert "Third thoughts" in history


def test_queries_are_shown_to_the_state_and_staff_only(client, client_as, ghana, officer):
    version = annual(ghana, 2020, officer)
    services.query_ask(version=version, question="Is row 1 authorised or actual?", asked_by=officer)

    assert "Is row 1 authorised or actual?" not in page(client, f"/reports/versions/{version.pk}/")
    rep_client, _rep = client_as("state_a_rep")
    rep_html = page(rep_client, f"/reports/versions/{version.pk}/")
    assert "Is row 1 authorised or actual?" in rep_html
    assert "/answer/" in rep_html
    rep_client.logout()
    mexico_client, _rep = client_as("state_b_rep")
    assert "Is row 1 authorised or actual?" not in page(mexico_client, f"/reports/versions/{version.pk}/")
    mexico_client.logout()
    staff_client, _user = client_as("staff_finance")
    staff_html = page(staff_client, f"/reports/versions/{version.pk}/")
    assert "Is row 1 authorised or actual?" in staff_html
    assert "/answer/" not in staff_html


def test_each_reader_is_offered_only_the_actions_they_may_take(client, client_as, ghana, officer):
    draft = annual(ghana, 2021, officer, until="draft")
    submitted = annual(ghana, 2020, officer, until="submitted")
    reviewed = annual(ghana, 2019, officer, until="reviewed")

    rep_client, _rep = client_as("state_a_rep")
    html = page(rep_client, f"/reports/versions/{draft.pk}/")
    assert f'action="/reports/versions/{draft.pk}/submit/"' in html
    assert f'action="/reports/versions/{draft.pk}/discard/"' in html
    html = page(rep_client, f"/reports/versions/{submitted.pk}/")
    assert "Amend this report" in html
    assert "/review/" not in html
    rep_client.logout()

    staff_client, _user = client_as("staff_reporting")
    html = page(staff_client, f"/reports/versions/{submitted.pk}/")
    assert f'action="/reports/versions/{submitted.pk}/review/"' in html
    assert f'action="/reports/versions/{submitted.pk}/queries/new/"' in html
    assert "/publish/" not in html
    assert "Amend this report" not in html
    html = page(staff_client, f"/reports/versions/{reviewed.pk}/")
    assert f'action="/reports/versions/{reviewed.pk}/publish/"' in html
    html = page(staff_client, f"/reports/versions/{draft.pk}/")
    assert "/submit/" not in html
    assert "/queries/new/" not in html
    staff_client.logout()

    finance_client, _user = client_as("staff_finance")
    html = page(finance_client, f"/reports/versions/{submitted.pk}/")
    assert "/review/" not in html
    assert "/queries/new/" not in html


def test_only_the_latest_version_can_be_amended(client_as, ghana, officer):
    first = annual(ghana, 2020, officer, until="submitted")
    second = annual(ghana, 2020, officer, until="submitted", amendment_reason="Fix")
    client, _rep = client_as("state_a_rep")

    assert "Amend this report" not in page(client, f"/reports/versions/{first.pk}/")
    assert "Amend this report" in page(client, f"/reports/versions/{second.pk}/")


# ---------------------------------------------------------------------------- starting a draft


def test_a_representative_starts_a_draft_and_lands_on_its_form(client_as, ghana):
    client, rep = client_as("state_a_rep")
    assert client.get("/reports/start/GHA/").status_code == 405

    response = client.post("/reports/start/gha/", {"kind": "annual", "year": "2022"})

    draft = ReportVersion.objects.get(report__state=ghana, report__year=2022)
    assert response.status_code == 302
    assert response["Location"] == f"/reports/versions/{draft.pk}/edit/"
    assert (draft.status, draft.created_by, draft.channel) == (VersionStatus.DRAFT, rep, "online")


def test_starting_from_last_year_copies_its_rows(client_as, ghana, officer):
    client, _rep = client_as("state_a_rep")
    annual(ghana, 2021, officer, until="submitted")

    client.post("/reports/start/GHA/", {"kind": "annual", "year": "2022", "from_last_year": "on"})

    draft = ReportVersion.objects.get(report__state=ghana, report__year=2022)
    assert set(TransferRow.objects.filter(form__version=draft).values_list("description", flat=True)) == {
        PUBLIC_ROW,
        RESTRICTED_ROW,
    }


def test_a_second_start_leads_to_the_open_draft_with_the_reason(client_as, ghana):
    client, _rep = client_as("state_a_rep")
    client.post("/reports/start/GHA/", {"kind": "annual", "year": "2022"})
    draft = ReportVersion.objects.get(report__state=ghana, report__year=2022)

    response = client.post("/reports/start/GHA/", {"kind": "annual", "year": "2022"}, follow=True)

    assert response.redirect_chain[-1][0] == f"/reports/versions/{draft.pk}/edit/"
    assert "A draft of this report is open; submit or discard it first." in messages_of(response)
    assert ReportVersion.objects.filter(report__state=ghana).count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "annual"}, "Give the calendar year the annual report covers."),
        (
            {"kind": "annual", "year": str(dt.date.today().year)},
            "An annual report covers a calendar year that has ended.",
        ),
        (
            {"kind": "annual", "year": "2022", "from_last_year": "on"},
            "There is no submitted report on 2021 to start from.",
        ),
    ],
)
def test_a_draft_that_cannot_be_started_is_explained_on_the_hub(client_as, ghana, data, message):
    client, _rep = client_as("state_a_rep")

    response = client.post("/reports/start/GHA/", data, follow=True)

    assert response.redirect_chain[-1][0] == "/reports/"
    assert message in messages_of(response)
    assert not Report.objects.exists()


def test_only_the_states_own_representatives_start_its_reports(client_as, ghana):
    for persona in ("state_b_rep", "staff_reporting", "signatory_rep"):
        client, _user = client_as(persona)
        assert client.post("/reports/start/GHA/", {"kind": "annual", "year": "2022"}).status_code == 403
        client.logout()
    client, _user = client_as("state_a_rep")
    assert client.post("/reports/start/XYZ/", {"kind": "annual", "year": "2022"}).status_code == 404
    assert not Report.objects.exists()


def test_a_signatory_cannot_start_a_report(client_as):
    client, _rep = client_as("signatory_rep")

    response = client.post("/reports/start/AGO/", {"kind": "annual", "year": "2022"}, follow=True)

    assert "Angola has no instrument on record: it has no reports to make." in messages_of(response)
    assert not Report.objects.exists()


# ---------------------------------------------------------------------------- the online annual report


@pytest.fixture
def draft_2022(ghana, client_as):
    client, rep = client_as("state_a_rep")
    draft = services.draft_start(state=ghana, kind="annual", year=2022, started_by=rep)
    return client, rep, draft


def test_the_online_form_round_trip_two_rows_nil_imports_then_submit(
    draft_2022, ghana, officer, django_capture_on_commit_callbacks
):
    client, rep, draft = draft_2022
    edit = f"/reports/versions/{draft.pk}/edit/"
    html = page(client, edit)
    assert 'name="exports-rows-TOTAL_FORMS"' in html
    assert 'name="exports-rows-4-category"' in html  # five blank rows on a new draft
    assert '<datalist id="currencies">' in html
    # A new form is restricted to States Parties unless the State chooses otherwise.
    assert re.search(r'<input type="radio" name="exports-visibility" value="restricted"[^>]* checked', html)
    assert not re.search(r'<input type="radio" name="exports-visibility" value="public"[^>]* checked', html)

    payload = edit_payload(
        exports=[
            row(category="VIII.SA.4", partner="FRA", items="150", description="Assault rifles"),
            row(
                category="I",
                partner="MEX",
                origin="USA",
                items="",
                value="2500000.50",
                currency="usd",
                basis="authorised",
                intermediate_location="Port of Tema",
            ),
        ],
        imports_nil=True,
        exports_visibility="public",
        imports_visibility="restricted",
        withheld_commercial="on",
    )
    response = client.post(edit, payload)

    assert response.status_code == 302
    assert response["Location"] == edit
    draft.refresh_from_db()
    assert (draft.authority, draft.report_date, draft.withheld_commercial) == (
        "Ministry of Defence",
        dt.date(2024, 5, 2),
        True,
    )
    rows = list(
        TransferRow.objects.filter(form__version=draft, form__direction="exports")
        .order_by("pk")
        .values_list("category__code", "partner__iso3", "origin__iso3", "items", "value", "currency", "basis")
    )
    assert [r[:4] for r in rows] == [("VIII.SA.4", "FRA", None, 150), ("I", "MEX", "USA", None)]
    assert (str(rows[1][4]), rows[1][5], rows[1][6]) == ("2500000.50", "USD", "authorised")
    forms = {form.direction: (form.is_nil, form.visibility) for form in draft.forms.all()}
    assert forms == {"exports": (False, "public"), "imports": (True, "restricted")}

    html = page(client, edit)  # the saved rows come back, followed by blank ones
    assert 'value="Port of Tema"' in html
    assert '<option value="VIII.SA.4" selected>' in html
    assert 'name="exports-rows-6-category"' in html

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/reports/versions/{draft.pk}/submit/", follow=True)

    assert response.redirect_chain[-1][0] == f"/reports/versions/{draft.pk}/"
    draft.refresh_from_db()
    assert draft.status == VersionStatus.SUBMITTED
    assert any("An acknowledgement was sent by email." in message for message in messages_of(response))
    assert {tuple(message.to) for message in mail.outbox} == {
        ("state-a-rep@example.org",),
        ("reporting.officer@example.org",),
    }
    assert client.get(edit).status_code == 302  # a submitted version has no form any more


def test_errors_are_shown_per_row_and_nothing_is_saved(draft_2022, ghana):
    client, _rep, draft = draft_2022
    edit = f"/reports/versions/{draft.pk}/edit/"
    assert client.post(edit, edit_payload(exports=[row(description="Kept row")], imports_nil=True)).status_code == 302

    payload = edit_payload(
        exports=[
            row(description="Changed row"),
            row(partner="", value="100", items="", currency=""),
            row(partner="GHA", items="-3"),
            row(items="", value="", description="Neither"),
            row(value="10", currency="XYZ"),
        ],
        imports=[row(category="")],
        authority="Changed authority",
    )
    response = client.post(edit, payload)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing was saved. Please correct the fields marked below." in html
    summary = html.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert "Exports, row 2, Importing State: This field is required." in summary
    assert "Exports, row 2, Currency: A value needs its currency" in summary
    assert "Exports, row 3, Importing State: The partner cannot be the reporting State itself." in summary
    assert "Exports, row 3, Number of items: Ensure this value is greater than or equal to 0." in summary
    assert "Exports, row 4: Give the number of items, the value, or both." in summary
    assert "Exports, row 5, Currency: Unknown currency" in summary
    assert "Imports, row 1, Category: This field is required." in summary
    assert "Exports, row 1" not in summary
    assert 'class="row-invalid"' in html
    assert "Row 4: Give the number of items, the value, or both." in html  # next to the row itself
    draft.refresh_from_db()
    assert draft.authority == "Ministry of Defence"
    assert list(TransferRow.objects.filter(form__version=draft).values_list("description", flat=True)) == ["Kept row"]


def test_a_nil_form_with_rows_is_refused(draft_2022):
    client, _rep, draft = draft_2022

    response = client.post(
        f"/reports/versions/{draft.pk}/edit/", edit_payload(exports=[row()], exports_nil=True, imports_nil=True)
    )

    assert response.status_code == 200
    assert "Exports, Nil report: This form is marked as a nil report but has rows" in response.content.decode()
    assert not draft.forms.exists()


def test_rows_are_deleted_by_ticking_delete_or_blanking_them(draft_2022):
    client, _rep, draft = draft_2022
    edit = f"/reports/versions/{draft.pk}/edit/"
    client.post(edit, edit_payload(exports=[row(description=f"Row {n}") for n in (1, 2, 3)], imports_nil=True))

    payload = edit_payload(
        exports=[row(description="Row 1", DELETE="on"), blank_row(), row(description="Row 3")],
        imports_nil=True,
        initial_forms={"exports": 3},
    )
    assert client.post(edit, payload).status_code == 302

    assert list(TransferRow.objects.filter(form__version=draft).values_list("description", flat=True)) == ["Row 3"]


def test_only_the_states_representatives_edit_its_draft(client_as, ghana, officer):
    draft = annual(ghana, 2022, officer, until="draft")
    expected = {
        "staff_reporting": 403,
        "staff_admin": 403,
        "staff_finance": 404,
        "state_b_rep": 404,
        "signatory_rep": 404,
        "state_a_rep": 200,
    }
    for persona, status in expected.items():
        client, _user = client_as(persona)
        assert client.get(f"/reports/versions/{draft.pk}/edit/").status_code == status, persona
        if status != 200:
            post = client.post(f"/reports/versions/{draft.pk}/edit/", edit_payload(exports=[row()]))
            assert post.status_code == status, persona
        client.logout()
    assert list(TransferRow.objects.filter(form__version=draft).values_list("description", flat=True)) == [
        PUBLIC_ROW,
        RESTRICTED_ROW,
    ]


def test_a_draft_that_cannot_be_submitted_lists_its_problems(draft_2022):
    client, _rep, draft = draft_2022

    response = client.post(f"/reports/versions/{draft.pk}/submit/", follow=True)

    assert response.redirect_chain[-1][0] == f"/reports/versions/{draft.pk}/edit/"
    shown = messages_of(response)
    assert "The report cannot be submitted yet:" in shown
    assert "The Exports form is missing: give its rows or mark it as a nil report." in shown
    assert "Give the national authority submitting the report." in shown
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


def test_a_second_submission_from_a_stale_page_is_refused(draft_2022, mexico):
    client, rep, draft = draft_2022
    services.draft_save_contents(version=draft, contents=contents(mexico), saved_by=rep)
    assert client.post(f"/reports/versions/{draft.pk}/submit/").status_code == 302

    response = client.post(f"/reports/versions/{draft.pk}/submit/", follow=True)

    assert "This draft was already submitted." in messages_of(response)
    assert response.redirect_chain[-1][0] == f"/reports/versions/{draft.pk}/"
    assert ReportVersion.objects.filter(report=draft.report).count() == 1


def test_a_representative_discards_a_draft(draft_2022, client_as):
    client, _rep, draft = draft_2022
    assert client.get(f"/reports/versions/{draft.pk}/discard/").status_code == 405

    response = client.post(f"/reports/versions/{draft.pk}/discard/", follow=True)

    assert response.redirect_chain[-1][0] == "/reports/"
    assert not ReportVersion.objects.filter(pk=draft.pk).exists()


# ---------------------------------------------------------------------------- the online initial report


def test_the_initial_report_form_saves_answers_and_attachments(client_as, ghana):
    client, rep = client_as("state_a_rep")
    draft = services.draft_start(state=ghana, kind="initial", year=None, started_by=rep)
    old = attachment_add(version=draft, title="Repealed act", upload=SimpleUploadedFile("a.pdf", PDF), added_by=rep)
    edit = f"/reports/versions/{draft.pk}/edit/"
    html = page(client, edit)
    assert "Brokering (Article 10)" in html
    assert 'enctype="multipart/form-data"' in html

    response = client.post(
        edit,
        {
            "authority": "Ministry of the Interior",
            "contact": "",
            "area_exports": "Licences since 2016.",
            "area_brokering": "  ",
            "attachment_title": "Arms and Ammunition Act",
            "attachment_file": SimpleUploadedFile("act.pdf", PDF),
            "remove_attachments": [str(old.pk)],
        },
    )

    assert response.status_code == 302
    assert dict(InitialAnswer.objects.filter(version=draft).values_list("area", "answer")) == {
        "exports": "Licences since 2016."
    }
    attachment = VersionAttachment.objects.get(version=draft)
    assert attachment.title == "Arms and Ammunition Act"
    download = client.get(f"/reports/attachments/{attachment.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF  # reading it to the end closes it
    assert download["Content-Disposition"].startswith("attachment;")


def test_a_bad_attachment_is_refused_and_nothing_is_saved(client_as, ghana):
    client, rep = client_as("state_a_rep")
    draft = services.draft_start(state=ghana, kind="initial", year=None, started_by=rep)

    response = client.post(
        f"/reports/versions/{draft.pk}/edit/",
        {
            "authority": "Ministry",
            "area_exports": "Licences",
            "attachment_title": "Act",
            "attachment_file": SimpleUploadedFile("act.pdf", b"MZ not a pdf"),
        },
    )

    assert response.status_code == 200
    assert "The file&#x27;s content is not a .pdf file." in response.content.decode()
    assert not InitialAnswer.objects.filter(version=draft).exists()
    assert not VersionAttachment.objects.exists()


def test_attachments_follow_the_visibility_of_their_version(client, client_as, ghana, officer):
    draft = services.draft_start(state=ghana, kind="initial", year=None, started_by=officer)
    attachment = attachment_add(
        version=draft, title="Arms Act", upload=SimpleUploadedFile("a.pdf", PDF), added_by=officer
    )
    url = f"/reports/attachments/{attachment.pk}/"
    assert client.get(url).status_code == 404
    services.draft_save_initial(version=draft, answers={}, authority="Ministry", contact="", saved_by=officer)
    version = services.draft_submit(version=draft, submitted_by=officer)
    version = services.version_review(version=version, reviewed_by=officer)
    assert client.get(url).status_code == 404
    services.version_publish(version=version, published_by=officer)

    response = client.get(url)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF  # reading it to the end closes it
    assert "Arms Act" in page(client, f"/reports/versions/{version.pk}/")


# ---------------------------------------------------------------------------- review, publication, queries


def test_reporting_staff_review_and_publish(client_as, ghana, officer):
    version = annual(ghana, 2020, officer, until="submitted")
    client, staff = client_as("staff_reporting")

    response = client.post(f"/reports/versions/{version.pk}/publish/", follow=True)
    assert "Only a reviewed version can be published." in messages_of(response)

    response = client.post(f"/reports/versions/{version.pk}/review/", follow=True)
    assert "Marked as reviewed." in messages_of(response)
    response = client.post(f"/reports/versions/{version.pk}/publish/", follow=True)
    assert response.redirect_chain[-1][0] == f"/reports/versions/{version.pk}/"

    version.refresh_from_db()
    assert (version.status, version.reviewed_by, version.published_by) == (VersionStatus.PUBLISHED, staff, staff)
    assert f'href="/reports/versions/{version.pk}/"' in page(client, "/reports/published/")


def test_others_cannot_review_publish_or_ask(client_as, ghana, officer):
    version = annual(ghana, 2020, officer, until="submitted")
    for persona in ("state_a_rep", "staff_finance"):
        client, _user = client_as(persona)
        for action in ("review", "publish"):
            assert client.post(f"/reports/versions/{version.pk}/{action}/").status_code == 403
        assert client.post(f"/reports/versions/{version.pk}/queries/new/", {"question": "?"}).status_code == 403
        client.logout()
    version.refresh_from_db()
    assert version.status == VersionStatus.SUBMITTED
    assert not ClarificationQuery.objects.exists()


def test_staff_ask_a_question_and_the_state_answers_in_words(
    client_as, ghana, officer, django_capture_on_commit_callbacks
):
    version = annual(ghana, 2020, officer, until="submitted")
    staff_client, _staff = client_as("staff_reporting")
    response = staff_client.post(f"/reports/versions/{version.pk}/queries/new/", {"question": " "}, follow=True)
    assert "This field is required." in messages_of(response)
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(f"/reports/versions/{version.pk}/queries/new/", {"question": "Which licences?"})
    query = ClarificationQuery.objects.get()
    staff_client.logout()

    client, rep = client_as("state_a_rep")
    answer_url = f"/reports/queries/{query.pk}/answer/"
    assert "Which licences?" in page(client, answer_url)
    response = client.post(answer_url, {"answer": "", "amendment_reason": ""})
    assert response.status_code == 200
    assert "Answer the question, or amend the report (give the reason), or both." in response.content.decode()

    response = client.post(answer_url, {"answer": "Export licences of 2020."})

    assert response.status_code == 302
    assert response["Location"] == f"/reports/versions/{version.pk}/"
    query.refresh_from_db()
    assert (query.answer, query.answered_by, query.amendment) == ("Export licences of 2020.", rep, None)
    response = client.get(answer_url, follow=True)
    assert "This query was already answered." in messages_of(response)


def test_the_state_answers_with_an_amendment_and_lands_on_the_new_draft(client_as, ghana, officer):
    version = annual(ghana, 2020, officer, until="submitted")
    query = services.query_ask(version=version, question="Row 1 looks wrong", asked_by=officer)
    client, _rep = client_as("state_a_rep")

    response = client.post(f"/reports/queries/{query.pk}/answer/", {"amendment_reason": "Corrected row 1"})

    amendment = ReportVersion.objects.get(report=version.report, number=2)
    assert response.status_code == 302
    assert response["Location"] == f"/reports/versions/{amendment.pk}/edit/"
    assert (amendment.status, amendment.amendment_reason) == (VersionStatus.DRAFT, "Corrected row 1")


def test_only_the_queried_states_representatives_answer(client_as, ghana, officer):
    version = annual(ghana, 2020, officer, until="submitted")
    query = services.query_ask(version=version, question="Why?", asked_by=officer)
    for persona, status in (("staff_reporting", 403), ("state_b_rep", 404), ("signatory_rep", 404)):
        client, _user = client_as(persona)
        assert client.post(f"/reports/queries/{query.pk}/answer/", {"answer": "Because"}).status_code == status
        client.logout()
    query.refresh_from_db()
    assert query.is_open


def test_a_representative_amends_the_latest_version_with_a_reason(client_as, ghana, officer):
    version = annual(ghana, 2020, officer)
    client, _rep = client_as("state_a_rep")
    start = {"kind": "annual", "year": "2020"}

    response = client.post("/reports/start/GHA/", start, follow=True)
    assert response.redirect_chain[-1][0] == f"/reports/versions/{version.pk}/"
    assert "This report was already submitted: say why the new version amends it." in messages_of(response)

    response = client.post("/reports/start/GHA/", {**start, "amendment_reason": "Corrected a row"})

    amendment = ReportVersion.objects.get(report=version.report, number=2)
    assert response["Location"] == f"/reports/versions/{amendment.pk}/edit/"
    assert amendment.amendment_reason == "Corrected a row"
    assert "Corrected a row" in page(client, f"/reports/versions/{amendment.pk}/edit/")
    # The public still reads the published version 1 until the amendment is published.
    client.logout()
    assert client.get(f"/reports/versions/{amendment.pk}/").status_code == 404
    assert PUBLIC_ROW in page(client, f"/reports/versions/{version.pk}/")


def test_pages_keep_their_query_count_whatever_the_number_of_rows(
    client_as, ghana, mexico, officer, django_assert_max_num_queries
):
    client, rep = client_as("state_a_rep")
    small = annual(ghana, 2019, rep, until="draft")
    large = services.draft_start(state=ghana, kind="annual", year=2020, started_by=rep)
    big = contents(mexico)
    big.forms["exports"].rows *= 60
    big.forms["imports"].rows *= 60
    services.draft_save_contents(version=large, contents=big, saved_by=rep)
    for year in range(2017, 2019):
        annual(ghana, year, officer)

    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            page(client, url)
        return len(captured)

    assert queries(f"/reports/versions/{large.pk}/") == queries(f"/reports/versions/{small.pk}/")
    assert queries(f"/reports/versions/{large.pk}/edit/") <= 25
    with django_assert_max_num_queries(20):
        page(client, "/reports/")
    with django_assert_max_num_queries(10):
        page(client, "/reports/published/")


def test_a_report_of_a_hundred_rows_can_be_saved_online(draft_2022):
    client, _rep, draft = draft_2022

    response = client.post(
        f"/reports/versions/{draft.pk}/edit/",
        edit_payload(exports=[row(description=f"Row {n}") for n in range(100)], imports_nil=True),
    )

    assert response.status_code == 302
    assert TransferRow.objects.filter(form__version=draft).count() == 100


def test_the_pages_follow_the_readers_language(client_as, ghana, officer):
    version = annual(ghana, 2020, officer)
    draft = annual(ghana, 2021, officer, until="draft")
    client, _rep = client_as("state_a_rep")
    client.cookies["django_language"] = "fr"

    for url in (
        "/reports/",
        "/reports/published/",
        f"/reports/versions/{version.pk}/",
        f"/reports/versions/{draft.pk}/edit/",
    ):
        html = page(client, url)
        assert '<html lang="fr"' in html, url
    assert "Rapport annuel de Ghana pour 2020" in page(client, f"/reports/versions/{version.pk}/")

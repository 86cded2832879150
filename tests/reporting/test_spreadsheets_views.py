"""The spreadsheet pages: template download, upload with its validation report, confirmation."""

from __future__ import annotations

import datetime as dt
import io
import os
import time
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from openpyxl import load_workbook

from secretariat.reporting.models import Channel, ReportVersion, VersionStatus
from secretariat.reporting.services import draft_submit, report_record_received
from secretariat.reporting.spreadsheet_views import SESSION_KEY
from secretariat.reporting.spreadsheets import XLSX_CONTENT_TYPE, parse_workbook
from secretariat.states.models import State
from tests import factories
from tests.conftest import HttpsClient, sign_in
from tests.reporting.factories_spreadsheets import EXPORT_ROW, filled_template

pytestmark = pytest.mark.django_db

YEAR = 2022
UPLOAD = f"/reports/upload/GHA/{YEAR}/"
CONFIRM = f"/reports/upload/GHA/{YEAR}/confirm/"
UPLOAD_MEX = f"/reports/upload/MEX/{YEAR}/"


def reporting_counts():
    """Rows of every model of the reporting app."""
    return {model.__name__: model.objects.count() for model in apps.get_app_config("reporting").get_models()}


def staged_files(settings):
    folder = Path(settings.MEDIA_ROOT) / "staging"
    return sorted(folder.iterdir()) if folder.exists() else []


def xlsx(data, name="report.xlsx"):
    return SimpleUploadedFile(name, data, content_type=XLSX_CONTENT_TYPE)


def upload(client, data, url=UPLOAD, **extra):
    return client.post(url, {"file": xlsx(data), **extra})


def token_of(response):
    return response.context["token"]


# ---------------------------------------------------------------------------- the template


def test_a_representative_downloads_the_template_in_french(client_as, ghana):
    client, _user = client_as("state_a_rep")
    response = client.get(f"/reports/template/GHA/{YEAR}.xlsx?lang=fr")
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert response["Content-Disposition"] == f'attachment; filename="ATT-annual-report-GHA-{YEAR}-fr.xlsx"'
    workbook = load_workbook(io.BytesIO(response.content))
    assert "Mexique" in [row[0] for row in workbook.worksheets[5].iter_rows(min_col=2, max_col=2, values_only=True)]
    # The blank template reads back without errors.
    assert parse_workbook(response.content, state=ghana, year=YEAR).errors == []


def test_the_template_language_defaults_to_the_page_language(client_as):
    client, _user = client_as("staff_reporting")
    client.cookies["django_language"] = "es"
    response = client.get(f"/reports/template/GHA/{YEAR}.xlsx?lang=de")
    assert response["Content-Disposition"].endswith(f'-{YEAR}-es.xlsx"')


@pytest.mark.parametrize("year", [2013, 2100])
def test_no_template_for_a_year_before_the_treaty_or_not_ended(client_as, year):
    client, _user = client_as("state_a_rep")
    assert client.get(f"/reports/template/GHA/{year}.xlsx").status_code == 404
    assert client.get(f"/reports/upload/GHA/{year}/").status_code == 404


@pytest.mark.parametrize("url", [f"/reports/template/GHA/{YEAR}.xlsx", UPLOAD])
def test_another_states_representative_is_refused(client_as, url):
    client, _user = client_as("state_b_rep")
    assert client.get(url).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(f"/reports/template/GHA/{YEAR}.xlsx")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# ---------------------------------------------------------------------------- upload


def test_an_upload_with_an_error_shows_it_and_saves_nothing(client_as, ghana, settings):
    client, _user = client_as("state_a_rep")
    before = reporting_counts()
    row = ("I", "Gahna", None, None, 1, None, None, "Actual", None, None)
    response = upload(client, filled_template(ghana, YEAR, exports=[EXPORT_ROW, row]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "The file has 1 error: nothing was saved." in html
    assert "Did you mean “Ghana”?" in html
    issue_row = html.split('<tr class="spreadsheet-issue-error">', 1)[1].split("</tr>", 1)[0]
    cells = [cell.split(">", 1)[1].split("</td", 1)[0].strip() for cell in issue_row.split("<td")[1:]]
    assert cells[1:4] == ["Exports", "8", "B"]
    assert "Confirm the import" not in html
    assert reporting_counts() == before
    assert staged_files(settings) == []


def test_a_valid_upload_is_staged_not_saved(client_as, ghana, settings):
    client, user = client_as("state_a_rep")
    before = reporting_counts()
    response = upload(client, filled_template(ghana, YEAR, public={"exports": "Yes"}))
    html = response.content.decode()
    assert "No errors, 0 warnings." in html
    assert "Confirm the import" in html
    assert reporting_counts() == before
    (staged,) = staged_files(settings)
    token = token_of(response)
    assert staged.name == f"{token}.xlsx"
    entry = client.session[SESSION_KEY][token]
    assert (entry["state"], entry["year"], entry["user"]) == ("GHA", YEAR, user.pk)
    summary = {form.direction: (form.rows, form.visibility) for form in response.context["result"].forms}
    assert summary == {"exports": (1, "public"), "imports": (1, "restricted")}


def test_a_second_upload_replaces_the_staged_file(client_as, ghana, settings):
    client, _user = client_as("state_a_rep")
    upload(client, filled_template(ghana, YEAR))
    second = token_of(upload(client, filled_template(ghana, YEAR)))
    assert [path.name for path in staged_files(settings)] == [f"{second}.xlsx"]
    assert list(client.session[SESSION_KEY]) == [second]


def test_uploads_never_confirmed_are_deleted_once_their_session_is_over(client_as, ghana, mexico, settings):
    client, _user = client_as("state_a_rep")
    abandoned = token_of(upload(client, filled_template(ghana, YEAR)))
    old = time.time() - settings.SESSION_COOKIE_AGE - 60
    os.utime(Path(settings.MEDIA_ROOT) / "staging" / f"{abandoned}.xlsx", (old, old))
    other_client, _other = client_as("state_b_rep")
    fresh = token_of(upload(other_client, filled_template(mexico, YEAR), url=UPLOAD_MEX))
    assert [path.name for path in staged_files(settings)] == [f"{fresh}.xlsx"]

    os.utime(Path(settings.MEDIA_ROOT) / "staging" / f"{fresh}.xlsx", (old, old))
    out = io.StringIO()
    call_command("purge_staged_uploads", stdout=out)
    assert out.getvalue() == "1 staged upload(s) deleted.\n"
    assert staged_files(settings) == []


def test_a_file_that_is_not_a_workbook(client_as, settings):
    client, _user = client_as("state_a_rep")
    response = client.post(UPLOAD, {"file": SimpleUploadedFile("report.xlsx", b"%PDF-1.4\n")})
    assert "not an Excel workbook" in response.content.decode()
    assert staged_files(settings) == []


def test_an_upload_without_a_file(client_as):
    client, _user = client_as("state_a_rep")
    response = client.post(UPLOAD, {})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert "result" not in response.context


# ---------------------------------------------------------------------------- confirm


def test_confirm_creates_a_spreadsheet_draft_and_keeps_the_file(client_as, ghana, settings):
    client, user = client_as("state_a_rep")
    data = filled_template(ghana, YEAR)
    token = token_of(upload(client, data))
    before = reporting_counts()
    response = client.post(CONFIRM, {"token": token})
    version = ReportVersion.objects.get(report__state=ghana, report__year=YEAR)
    assert response.status_code == 302
    assert response["Location"] == f"/reports/versions/{version.pk}/"
    assert (version.status, version.channel, version.number, version.created_by) == (
        VersionStatus.DRAFT,
        Channel.SPREADSHEET,
        1,
        user,
    )
    assert version.authority == "Ministry of Defence"
    rows = {form.direction: form.rows.count() for form in version.forms.all()}
    assert rows == {"exports": 1, "imports": 1}
    assert version.original_file.name == f"reports/GHA/annual-{YEAR}-v1.xlsx"
    assert (Path(settings.MEDIA_ROOT) / version.original_file.name).read_bytes() == data
    assert staged_files(settings) == []
    after = reporting_counts()
    assert after["ReportVersion"] == before["ReportVersion"] + 1
    assert after["TransferRow"] == before["TransferRow"] + 2


def test_a_second_confirm_of_the_same_token_finds_it_gone(client_as, ghana):
    client, _user = client_as("state_a_rep")
    token = token_of(upload(client, filled_template(ghana, YEAR)))
    client.post(CONFIRM, {"token": token})
    before = reporting_counts()
    response = client.post(CONFIRM, {"token": token}, follow=True)
    assert "already imported, or it has expired" in response.content.decode()
    assert reporting_counts() == before
    assert ReportVersion.objects.filter(report__state=ghana, report__year=YEAR).count() == 1


def test_a_token_works_only_in_its_own_session(client_as, make_persona, ghana):
    first, user = client_as("state_a_rep")
    token = token_of(upload(first, filled_template(ghana, YEAR)))
    other = sign_in(HttpsClient(), user)  # the same user, signed in elsewhere
    response = other.post(CONFIRM, {"token": token}, follow=True)
    assert "already imported, or it has expired" in response.content.decode()
    colleague = sign_in(HttpsClient(), make_persona("staff_reporting"))
    colleague.post(CONFIRM, {"token": token})
    assert not ReportVersion.objects.filter(report__state=ghana, report__year=YEAR).exists()


def test_a_token_works_only_for_its_state_and_year(client_as, ghana, settings):
    client, _user = client_as("state_a_rep")
    token = token_of(upload(client, filled_template(ghana, YEAR)))
    response = client.post(f"/reports/upload/GHA/{YEAR - 1}/confirm/", {"token": token}, follow=True)
    assert "made for another report" in response.content.decode()
    assert not ReportVersion.objects.filter(report__state=ghana).exists()
    # ... and the file is still there for the right report.
    assert len(staged_files(settings)) == 1
    assert client.post(CONFIRM, {"token": token}).status_code == 302


def test_confirm_reuses_an_open_draft(client_as, ghana):
    client, user = client_as("state_a_rep")
    mexico = State.objects.get(iso3="MEX")
    draft = factories.annual_draft(state=ghana, year=YEAR, by=user, partner=mexico, rows=3)
    response = upload(client, filled_template(ghana, YEAR, title={"authority": "Ministry of Trade"}))
    assert "A draft of this report is open (version 1)" in response.content.decode()
    client.post(CONFIRM, {"token": token_of(response)})
    draft.refresh_from_db()
    assert ReportVersion.objects.filter(report__state=ghana, report__year=YEAR).count() == 1
    assert (draft.channel, draft.authority) == (Channel.SPREADSHEET, "Ministry of Trade")
    assert draft.forms.get(direction="exports").rows.count() == 1


def test_an_amendment_needs_a_reason(client_as, ghana):
    client, user = client_as("state_a_rep")
    mexico = State.objects.get(iso3="MEX")
    draft_submit(version=factories.annual_draft(state=ghana, year=YEAR, by=user, partner=mexico), submitted_by=user)
    before = reporting_counts()
    response = upload(client, filled_template(ghana, YEAR))
    assert response.context["form"].errors["amendment_reason"]
    assert "result" not in response.context
    response = upload(client, filled_template(ghana, YEAR), amendment_reason="Two rows were missing.")
    assert reporting_counts() == before
    client.post(CONFIRM, {"token": token_of(response)})
    amendment = ReportVersion.objects.get(report__state=ghana, report__year=YEAR, number=2)
    assert (amendment.status, amendment.amendment_reason) == (VersionStatus.DRAFT, "Two rows were missing.")


def test_reporting_staff_may_import_for_a_state(client_as, ghana):
    client, user = client_as("staff_reporting")
    response = upload(client, filled_template(ghana, 2021), url="/reports/upload/GHA/2021/")
    token = token_of(response)
    assert client.post("/reports/upload/GHA/2021/confirm/", {"token": token}).status_code == 302
    version = ReportVersion.objects.get(report__state=ghana, report__year=2021)
    assert (version.channel, version.created_by) == (Channel.SPREADSHEET, user)


def test_a_report_recorded_meanwhile_refuses_the_confirmation_with_a_message(client_as, make_persona, ghana):
    client, _user = client_as("state_a_rep")
    token = token_of(upload(client, filled_template(ghana, YEAR)))
    officer = make_persona("staff_reporting")
    report_record_received(state=ghana, kind="annual", year=YEAR, received_on=dt.date(2023, 5, 2), recorded_by=officer)
    response = client.post(CONFIRM, {"token": token}, follow=True)
    assert "already submitted" in response.content.decode()
    assert ReportVersion.objects.filter(report__state=ghana, report__year=YEAR).count() == 1


def test_the_confirmation_is_post_only_and_for_the_states_own_people(client_as, ghana):
    client, _user = client_as("state_a_rep")
    assert client.get(CONFIRM).status_code == 405
    other, _other_user = client_as("state_b_rep")
    assert other.post(CONFIRM, {"token": "x"}).status_code == 403

"""Staff record an Article 13 report received by email: the form, the list, the file download."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from secretariat.reporting.models import Channel, Report, ReportForm, ReportVersion, VersionStatus
from secretariat.reporting.services import report_record_received
from secretariat.reporting.spreadsheets import XLSX_CONTENT_TYPE
from secretariat.states.models import State
from tests import factories
from tests.conftest import sign_in
from tests.reporting.factories_spreadsheets import EXPORT_ROW, filled_template

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
NEW = "/reports/received/new/"
LIST = "/reports/received/"


@pytest.fixture
def afghanistan():
    return State.objects.get(iso3="AFG")


def pdf(name="report.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def payload(state, **overrides):
    data = {
        "state": state.pk,
        "kind": "annual",
        "year": "2021",
        "received_on": "2022-06-03",
        "file": pdf(),
        "authority": "Ministry of Foreign Affairs",
        "contact": "A. Officer",
        "report_date": "2022-05-30",
        "withheld_commercial": "on",
        "exports_nil": "on",
        "exports_visibility": "public",
        "imports_visibility": "restricted",
        "amendment_reason": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def annual_2021_badge(client, state):
    """The status shown on the dossier panel for the 2021 annual report."""
    html = client.get(f"/states/{state.iso3}/").content.decode()
    panel = html.split('id="panel-reporting-obligations-heading"', 1)[1].split("</section>", 1)[0]
    return next(part for part in panel.split("<tr>") if "<td>2021</td>" in part)


def test_it_records_an_annual_report_and_the_dossier_shows_it_in_grace(client_as, afghanistan, settings):
    client, user = client_as("staff_reporting")
    assert "Overdue" in annual_2021_badge(client, afghanistan)
    response = client.post(NEW, payload(afghanistan))

    assert response.status_code == 302
    assert response["Location"] == f"/states/{afghanistan.iso3}/"
    version = ReportVersion.objects.get(report__state=afghanistan, report__kind="annual", report__year=2021)
    assert version.number == 1
    assert version.status == VersionStatus.SUBMITTED
    assert version.channel == Channel.EMAIL
    assert version.received_on == dt.date(2022, 6, 3)
    assert version.submitted_by == user
    assert version.authority == "Ministry of Foreign Affairs"
    assert version.report_date == dt.date(2022, 5, 30)
    assert version.withheld_commercial is True
    assert version.withheld_security is False
    stored = Path(settings.MEDIA_ROOT) / version.original_file.name
    assert stored.read_bytes() == PDF
    assert version.original_file.name == "reports/AFG/annual-2021-v1.pdf"
    forms = {form.direction: (form.is_nil, form.visibility) for form in version.forms.all()}
    assert forms == {"exports": (True, "public"), "imports": (False, "restricted")}

    page = client.get(response["Location"])
    html = page.content.decode()
    assert "Recorded: Annual report of Afghanistan on 2021 version 1." in html
    assert "Submitted in the grace period" in annual_2021_badge(client, afghanistan)


def test_a_second_recording_needs_a_reason_and_then_keeps_the_first_receipt(client_as, afghanistan):
    client, _user = client_as("staff_reporting")
    assert client.post(NEW, payload(afghanistan)).status_code == 302

    refused = client.post(NEW, payload(afghanistan, received_on="2022-07-01"))
    assert refused.status_code == 200
    assert "This report was already received: say why this new version replaces it." in refused.content.decode()
    assert ReportVersion.objects.filter(report__state=afghanistan).count() == 1

    amended = client.post(
        NEW, payload(afghanistan, received_on="2022-07-01", amendment_reason="Corrected the exports form.")
    )
    assert amended.status_code == 302
    numbers = list(
        ReportVersion.objects.filter(report__state=afghanistan).order_by("number").values_list("number", flat=True)
    )
    assert numbers == [1, 2]
    assert ReportVersion.objects.get(report__state=afghanistan, number=2).amendment_reason == (
        "Corrected the exports form."
    )
    assert "Submitted in the grace period" in annual_2021_badge(client, afghanistan)


def test_a_file_whose_content_is_not_what_its_name_says_is_refused(client_as, afghanistan, settings):
    client, _user = client_as("staff_reporting")
    response = client.post(NEW, payload(afghanistan, file=pdf(content=b"MZ\x90\x00 not a pdf at all")))

    assert response.status_code == 200
    assert "The file&#x27;s content is not a .pdf file." in response.content.decode()
    assert not Report.objects.filter(state=afghanistan).exists()
    assert not ReportVersion.objects.exists()
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(path.is_file() for path in media.rglob("*"))


def test_an_annual_report_needs_a_year(client_as, afghanistan):
    client, _user = client_as("staff_reporting")
    response = client.post(NEW, payload(afghanistan, year=""))

    assert response.status_code == 200
    assert "Give the calendar year the annual report covers." in response.content.decode()
    assert not ReportVersion.objects.exists()


def test_an_initial_report_is_recorded_without_year_or_forms(client_as, afghanistan):
    client, _user = client_as("staff_admin")
    response = client.post(NEW, payload(afghanistan, kind="initial", year="", received_on="2021-10-20"))

    assert response.status_code == 302
    version = ReportVersion.objects.get(report__state=afghanistan)
    assert (version.report.kind, version.report.year) == ("initial", None)
    assert not ReportForm.objects.filter(version=version).exists()


def test_the_form_offers_only_states_with_an_instrument(client_as):
    client, _user = client_as("staff_reporting")
    response = client.get(NEW)
    choices = response.context["form"].fields["state"].queryset
    assert choices.filter(iso3="AFG").exists()
    assert all(state.has_deposited for state in choices)
    assert State.objects.exclude(pk__in=choices).exists()  # signatories and non-signatories are left out
    html = response.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert 'accept=".pdf,.doc,.docx,.xls,.xlsx,.odt,.ods"' in html
    assert 'type="date" name="received_on"' in html


def test_the_list_shows_the_recorded_versions_newest_first_in_one_query(client_as):
    client, user = client_as("staff_reporting")
    for year in (2019, 2020, 2021):
        report_record_received(
            state=State.objects.get(iso3="GHA"),
            kind="annual",
            year=year,
            received_on=dt.date(year + 1, 5, 1),
            recorded_by=user,
            upload=pdf() if year == 2021 else None,
        )
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST)
    reporting_queries = [query["sql"] for query in queries if "reporting_" in query["sql"]]
    assert len(reporting_queries) == 1, reporting_queries
    assert '"states_state"' in reporting_queries[0]
    html = response.content.decode()
    versions = list(response.context["versions"])
    assert [version.report.year for version in versions] == [2021, 2020, 2019]
    assert html.count("/reports/versions/") == 1
    assert f"/reports/versions/{versions[0].pk}/file/" in html
    assert "/reports/received/new/" in html


def test_the_file_downloads_as_an_attachment_for_staff_only(client, make_persona, afghanistan):
    officer = make_persona("staff_reporting")
    version = report_record_received(
        state=afghanistan,
        kind="annual",
        year=2021,
        received_on=dt.date(2022, 6, 3),
        recorded_by=officer,
        upload=pdf("Scan from the embassy.PDF"),
    )
    sign_in(client, officer)
    response = client.get(f"/reports/versions/{version.pk}/file/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"] == 'attachment; filename="AFG-annual-2021-v1.pdf"'

    client.logout()
    sign_in(client, make_persona("state_a_rep"))
    assert client.get(f"/reports/versions/{version.pk}/file/").status_code == 403


def test_a_version_without_a_file_has_nothing_to_download(client_as, afghanistan):
    client, user = client_as("staff_admin")
    version = report_record_received(
        state=afghanistan, kind="annual", year=2021, received_on=dt.date(2022, 6, 3), recorded_by=user
    )
    assert client.get(f"/reports/versions/{version.pk}/file/").status_code == 404


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("staff_finance", 403), ("state_a_rep", 403), ("anonymous", "login")],
)
def test_others_are_refused_everywhere_and_change_nothing(client, make_persona, afghanistan, persona, expected):
    officer = factories.UserFactory(email="officer@example.org")
    version = report_record_received(
        state=afghanistan, kind="annual", year=2020, received_on=dt.date(2021, 5, 1), recorded_by=officer, upload=pdf()
    )
    sign_in(client, make_persona(persona))
    for url in (LIST, NEW, f"/reports/versions/{version.pk}/file/"):
        response = client.get(url)
        if expected == "login":
            assert response.status_code == 302
            assert response["Location"].startswith("/accounts/login/")
        else:
            assert response.status_code == expected

    response = client.post(NEW, payload(afghanistan))
    assert response.status_code in (302, 403)
    if expected == "login":
        assert response["Location"].startswith("/accounts/login/")
    assert list(ReportVersion.objects.values_list("pk", flat=True)) == [version.pk]
    assert Report.objects.count() == 1


# ---------------------------------------------------------------------------- read from the template


def xlsx(data, name="ATT-annual-report-GHA-2021-en.xlsx"):
    return SimpleUploadedFile(name, data, content_type=XLSX_CONTENT_TYPE)


def test_staff_read_an_emailed_template_with_its_rows(client_as, ghana, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client, _user = client_as("staff_reporting")
    data = filled_template(ghana, 2021, public={"exports": "Yes"})
    response = client.post(NEW, payload(ghana, file=xlsx(data), read_rows="on", exports_nil=None), follow=True)

    assert response.status_code == 200
    version = ReportVersion.objects.get(report__state=ghana, report__year=2021)
    assert version.status == VersionStatus.SUBMITTED
    assert version.authority == "Ministry of Defence"  # from the title page, not the form
    forms = {form.direction: form for form in version.forms.all()}
    assert forms["exports"].visibility == "public"
    assert forms["imports"].visibility == "restricted"
    assert [row.description for row in forms["exports"].rows.all()] == [EXPORT_ROW[8]]
    assert forms["imports"].rows.count() == 1
    assert Path(version.original_file.path).read_bytes() == data


def test_an_emailed_template_with_an_error_is_refused_whole(client_as, ghana, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client, _user = client_as("staff_reporting")
    wrong = ("I", "Mexco", "", "", 3, None, None, "Actual", "Tanks", "")
    data = filled_template(ghana, 2021, exports=[wrong])
    response = client.post(NEW, payload(ghana, file=xlsx(data), read_rows="on", exports_nil=None))

    assert response.status_code == 200
    errors = response.context["form"].errors["read_rows"]
    assert any("Exports, cell B7" in error and "Mexico" in error for error in errors), errors
    assert not Report.objects.filter(state=ghana).exists()
    assert list(tmp_path.rglob("*.*")) == []


def test_an_initial_report_cannot_be_read_from_the_template(client_as, ghana):
    client, _user = client_as("staff_reporting")
    data = filled_template(ghana, 2021)
    response = client.post(NEW, payload(ghana, kind="initial", year="", file=xlsx(data), read_rows="on"))

    assert (
        "Only an annual report can be read from the spreadsheet template."
        in response.context["form"].errors["read_rows"]
    )
    assert not Report.objects.filter(state=ghana).exists()


def test_a_template_over_the_size_limit_is_refused_unread(client_as, ghana, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client, _user = client_as("staff_reporting")
    huge = b"PK\x03\x04" + b"\0" * (20 * 1024 * 1024)
    response = client.post(NEW, payload(ghana, file=xlsx(huge), read_rows="on", exports_nil=None))

    (error,) = response.context["form"].errors["read_rows"]
    assert "the limit is 20 MB" in error
    assert not Report.objects.filter(state=ghana).exists()
    assert list(tmp_path.rglob("*.*")) == []

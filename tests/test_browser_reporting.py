"""The Article 13 journey in Debian's Chromium (issue 3, "Done means"):

a State representative downloads the template, uploads it filled with one error, sees the error,
fixes it and submits; staff review and publish; an anonymous visitor finds the public row in the
transfer database and in its CSV export, and never a row of the restricted form.
"""

import io
import re

import pytest
from django.core.management import call_command
from django_otp.oath import TOTP
from openpyxl import load_workbook
from playwright.sync_api import expect

from secretariat.reporting.models import PublishedTransfer, ReportVersion, VersionStatus
from secretariat.reporting.spreadsheets import FIRST_DATA_ROW, FORM_NIL_ROW, FORM_PUBLIC_ROW
from secretariat.states.models import State
from tests import factories
from tests.reporting.factories_spreadsheets import SHEET_INDEX, TITLE_ROWS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery staple"
YEAR = 2024
PUBLIC_ROW = "Browser journey tanks"
RESTRICTED_ROW = "Restricted journey rifles"


@pytest.fixture
def registry(transactional_db, article2_categories):
    call_command("load_reference_data", verbosity=0)


def sign_in(page, base_url, email, next_url):
    page.goto(f"{base_url}/accounts/login/?next={next_url}")
    page.locator("main input[name=username]").fill(email)
    page.locator("main input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()


def fill(template: bytes, partner: str) -> bytes:
    """Type a report into the downloaded template as a State would in Excel: one public exports
    row, one restricted imports row."""
    workbook = load_workbook(io.BytesIO(template))
    sheets = workbook.worksheets
    title = sheets[SHEET_INDEX["title"]]
    title.cell(row=TITLE_ROWS["authority"], column=2).value = "Ministry of Defence"
    title.cell(row=TITLE_ROWS["contact"], column=2).value = "Ama Mensah"
    for key, public, row in (
        ("exports", "Yes", ("I — Battle tanks", partner, "", "", 4, 2000000, "USD", "Actual", PUBLIC_ROW, "")),
        ("imports", "No", ("VIII.SA.2", "Mexico", "", "", 30, None, None, "Authorised", RESTRICTED_ROW, "")),
    ):
        sheet = sheets[SHEET_INDEX[key]]
        sheet.cell(row=FORM_NIL_ROW, column=2).value = "No"
        sheet.cell(row=FORM_PUBLIC_ROW, column=2).value = public
        for column, value in enumerate(row, start=1):
            sheet.cell(row=FIRST_DATA_ROW, column=column, value=value)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_a_report_goes_from_template_to_the_public_transfer_database(live_server, browser, registry, tmp_path):
    ghana = State.objects.get(iso3="GHA")
    rep = factories.UserFactory(email="focal.point@ghana.example.org", full_name="Ama Mensah")
    factories.RoleAssignmentFactory(user=rep, role="state_representative", state=ghana)
    officer = factories.UserFactory(email="reporting.officer@att.example.org", full_name="R. Officer")
    officer.is_staff = True
    officer.save()
    factories.RoleAssignmentFactory(user=officer, role="staff_reporting")
    device = factories.confirmed_totp_device(officer)
    base = live_server.url

    # 1. Ghana's representative finds the report due on the hub and downloads the template.
    rep_page = browser.new_context().new_page()
    sign_in(rep_page, base, rep.email, "/reports/")
    expect(rep_page).to_have_url(re.compile(r"/reports/$"))
    with rep_page.expect_download() as download_info:
        rep_page.locator(f"a[href='/reports/template/GHA/{YEAR}.xlsx']").first.click()
    template = download_info.value.path().read_bytes()
    assert template.startswith(b"PK")

    # 2. Uploaded with a misspelt partner: the error names sheet, row and column and suggests Mexico.
    wrong = tmp_path / "report-wrong.xlsx"
    wrong.write_bytes(fill(template, partner="Mexco"))
    rep_page.goto(f"{base}/reports/upload/GHA/{YEAR}/")
    rep_page.locator("main input[type=file]").set_input_files(str(wrong))
    rep_page.get_by_role("button", name="Check the file").click()
    issues = rep_page.locator("table.spreadsheet-issues")
    expect(issues).to_contain_text("Mexco")
    expect(issues).to_contain_text("Mexico")
    errors = issues.locator("tr.spreadsheet-issue-error")
    assert errors.count() == 1, errors.all_inner_texts()
    expect(rep_page.get_by_role("button", name="Confirm the import")).to_have_count(0)
    assert not ReportVersion.objects.filter(report__state=ghana, report__year=YEAR).exists()

    # 3. Fixed, checked, confirmed: a draft; then submitted.
    right = tmp_path / "report-right.xlsx"
    right.write_bytes(fill(template, partner="Mexico"))
    rep_page.locator("main input[type=file]").set_input_files(str(right))
    rep_page.get_by_role("button", name="Check the file").click()
    rep_page.get_by_role("button", name="Confirm the import").click()
    expect(rep_page).to_have_url(re.compile(r"/reports/versions/\d+/$"))
    expect(rep_page.locator("main")).to_contain_text(PUBLIC_ROW)
    rep_page.get_by_role("button", name="Submit the report").click()
    version = ReportVersion.objects.get(report__state=ghana, report__year=YEAR)
    assert version.status == VersionStatus.SUBMITTED
    assert version.channel == "spreadsheet"
    assert version.original_file

    # 4. Reporting staff (with their second factor) review and publish it.
    staff_page = browser.new_context().new_page()
    sign_in(staff_page, base, officer.email, f"/reports/versions/{version.pk}/")
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    staff_page.locator("main input[name=token]").fill(f"{totp.token():0{device.digits}d}")
    staff_page.locator("main form button[type=submit]").click()
    expect(staff_page).to_have_url(re.compile(rf"/reports/versions/{version.pk}/$"))
    staff_page.get_by_role("button", name="Mark as reviewed").click()
    staff_page.get_by_role("button", name="Publish").click()
    version.refresh_from_db()
    assert version.status == VersionStatus.PUBLISHED
    assert PublishedTransfer.objects.filter(report=version.report).count() == 1

    # 5. An anonymous visitor finds the public row in the transfer database and its CSV export;
    #    the restricted imports row appears in neither.
    visitor = browser.new_context(accept_downloads=True).new_page()
    visitor.goto(f"{base}/reports/transfers/?reporter=GHA&year={YEAR}")
    main = visitor.locator("main")
    expect(main).to_contain_text(PUBLIC_ROW)
    expect(main).not_to_contain_text(RESTRICTED_ROW)
    response = visitor.request.get(f"{base}/reports/transfers/export.csv?reporter=GHA&year={YEAR}")
    assert response.ok
    csv_text = response.text()
    assert PUBLIC_ROW in csv_text
    assert RESTRICTED_ROW not in csv_text
    # The published report page shows the restricted form only as "restricted", without its rows.
    visitor.goto(f"{base}/reports/versions/{version.pk}/")
    expect(visitor.locator("main")).to_contain_text(PUBLIC_ROW)
    expect(visitor.locator("main")).not_to_contain_text(RESTRICTED_ROW)

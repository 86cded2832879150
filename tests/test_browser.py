"""End-to-end journeys in Debian's Chromium, driven by Playwright against a live server."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from secretariat.states.models import State
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery staple"


@pytest.fixture
def registry(transactional_db):
    # Transactional tests start from an empty database: load the real registry again.
    call_command("load_reference_data", verbosity=0)


def test_a_visitor_reads_in_french_and_a_state_representative_signs_in(live_server, page, registry):
    ghana = State.objects.get(iso3="GHA")
    user = factories.UserFactory(email="focal.point@ghana.example.org", full_name="Ama Mensah")
    factories.RoleAssignmentFactory(user=user, role="state_representative", state=ghana)

    # The home page, in English.
    page.goto(live_server.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("ATT Secretariat Platform")

    # Switch to French with the language selector (keyboard-reachable form, no JavaScript needed).
    page.get_by_label("Language").select_option("fr")
    page.locator("form.language-form button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("navigation", name=re.compile("principal", re.I))).to_contain_text("Statut du traité")

    # Treaty status, then Ghana's dossier, in French.
    page.get_by_role("link", name="Statut du traité").first.click()
    expect(page).to_have_url(re.compile(r"/states/$"))
    page.goto(live_server.url + "/states/GHA/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ghana")
    expect(page.locator("main")).to_contain_text("21 mars 2016")  # entry into force: deposit 22 Dec 2015 + 90 days
    expect(page.locator("main")).to_contain_text("État partie")

    # Sign in as Ghana's representative.
    page.goto(live_server.url + "/accounts/login/?next=/states/GHA/")
    page.locator("main input[name=username]").fill("Focal.Point@ghana.example.org")
    page.locator("main input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/states/GHA/$"))
    expect(page.locator("header")).to_contain_text("Ama Mensah")

    # The representative sets Ghana's working language to French.
    page.locator("a[href='/states/GHA/preferences/']").click()
    page.locator("main select[name=working_language]").select_option("fr")
    page.locator("main form button[type=submit]").click()
    ghana.refresh_from_db()
    assert ghana.working_language == "fr"

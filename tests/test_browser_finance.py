"""The finance journey in Debian's Chromium (issue 5, "Done means"):

finance staff adopt a budget, compute and approve its assessment, issue the invoices and record a
payment from Ghana, then publish the status of contributions; an anonymous visitor sees Ghana's
payment on the public status page, and Ghana's representative sees the balance on the dossier.
"""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_otp.oath import TOTP
from playwright.sync_api import expect

from secretariat.finance.models import AssessmentLine, AssessmentRun, Budget, Invoice, Payment, RunStatus
from secretariat.finance.reference import ensure_reference_data
from secretariat.finance.services.budgets import budget_circulate, budget_create, budget_review
from secretariat.states.models import State
from tests import factories
from tests.finance.factories import fund

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery staple"


@pytest.fixture
def registry(transactional_db):
    call_command("load_reference_data", verbosity=0)
    ensure_reference_data()  # an earlier transactional test may have flushed what migration 0002 made


def sign_in(page, base_url, email, next_url, device=None):
    page.goto(f"{base_url}/accounts/login/?next={next_url}")
    page.locator("main input[name=username]").fill(email)
    page.locator("main input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    if device is not None:
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        page.locator("main input[name=token]").fill(f"{totp.token():0{device.digits}d}")
        page.locator("main form button[type=submit]").click()


def money(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def test_a_budget_becomes_invoices_a_payment_and_a_published_status(live_server, browser, registry):
    today = timezone.localdate()
    year = today.year
    officer = factories.UserFactory(email="finance.officer@att.example.org", full_name="F. Officer")
    officer.is_staff = True
    officer.save()
    factories.RoleAssignmentFactory(user=officer, role="staff_finance")
    device = factories.confirmed_totp_device(officer)
    ghana = State.objects.get(iso3="GHA")
    rep = factories.UserFactory(email="finance@ghana.example.org", full_name="Efua Owusu")
    factories.RoleAssignmentFactory(user=rep, role="state_representative", state=ghana)
    budget = budget_create(
        fund=fund(),
        year=year,
        created_by=officer,
        lines=[{"code": "SEC", "title": "Secretariat costs", "pool": "secretariat", "amount": Decimal("2500000.00")}],
    )
    budget_review(budget=budget, reviewed_on=dt.date(year - 1, 5, 10))
    budget_circulate(budget=budget, circulated_on=dt.date(year - 1, 5, 31))
    base = live_server.url

    # 1. The finance officer (with the second factor) records the Conference's adoption.
    page = browser.new_context().new_page()
    sign_in(page, base, officer.email, f"/finance/budgets/{budget.pk}/", device)
    expect(page).to_have_url(re.compile(rf"/finance/budgets/{budget.pk}/$"))
    page.locator("main input[name=decision_reference]").fill(f"ATT/CSP{year - 2014}/DEC.1")
    page.locator("main input[name=adopted_on]").fill(dt.date(year - 1, 8, 29).isoformat())
    page.get_by_role("button", name="Record the adoption").click()
    expect(page.locator("main")).to_contain_text(f"ATT/CSP{year - 2014}/DEC.1")
    budget.refresh_from_db()
    assert budget.status == "adopted"

    # 2. She computes the assessment of the adopted budget and approves the draft run.
    page.goto(f"{base}/finance/assessment/runs/new/")
    page.locator("main select[name=budget]").select_option(str(budget.pk))
    page.locator("main input[name=assessment_date]").fill(today.isoformat())
    page.get_by_role("button", name="Compute the draft run").click()
    run = AssessmentRun.objects.get(budget=budget)
    expect(page).to_have_url(re.compile(rf"/finance/assessment/runs/{run.pk}/$"))
    page.get_by_role("button", name="Approve the run").click()
    run.refresh_from_db()
    assert run.status == RunStatus.APPROVED
    assessed = AssessmentLine.objects.get(run=run, state=ghana).amount
    assert sum(run.lines.values_list("amount", flat=True)) == Decimal("2500000.00")

    # 3. She issues the invoices: one per assessed State, Ghana's for its assessed amount.
    page.get_by_role("button", name="Issue the invoices").click()
    expect(page.locator("main")).to_contain_text(f"{year}-0001")
    invoice = Invoice.objects.get(run=run, state=ghana)
    assert invoice.amount == assessed
    assert Invoice.objects.filter(run=run).count() == run.lines.count()

    # 4. Ghana pays part of it; she records the payment (allocated to the oldest invoice).
    paid = (assessed / 2).quantize(Decimal("0.01"))
    page.goto(f"{base}/finance/payments/new/")
    page.locator("main select[name=state]").select_option("GHA")
    page.locator("main input[name=received_on]").fill(today.isoformat())
    page.locator("main input[name=amount]").fill(str(paid))
    page.locator("main input[name=bank_reference]").fill("BANK-GHA-001")
    page.get_by_role("button", name="Record the payment").click()
    payment = Payment.objects.get(bank_reference="BANK-GHA-001")
    assert list(payment.allocations.values_list("invoice_id", "amount")) == [(invoice.pk, paid)]

    # 5. She publishes the status of contributions as of today.
    page.goto(f"{base}/finance/contributions/publish/")
    page.locator("main input[name=as_of]").fill(today.isoformat())
    page.get_by_role("button", name="Publish").click()

    # 6. Anyone sees Ghana's payment on the public status page.
    public = browser.new_context().new_page()
    public.goto(f"{base}/finance/contributions/")
    ghana_row = public.locator("main tr", has_text="Ghana").first
    expect(ghana_row).to_contain_text(money(assessed))
    expect(ghana_row).to_contain_text(money(paid))
    expect(ghana_row).to_contain_text(money(assessed - paid))

    # 7. Ghana's representative sees the balance on the State dossier.
    rep_page = browser.new_context().new_page()
    sign_in(rep_page, base, rep.email, "/states/GHA/")
    expect(rep_page).to_have_url(re.compile(r"/states/GHA/$"))
    expect(rep_page.locator("main")).to_contain_text(money(assessed - paid))
    assert Budget.objects.get(pk=budget.pk).status == "adopted"

"""Payments in use: recording one (oldest first by default, or kept as credit), staff choosing an
allocation, reversals from the pages, a State's contributions page and its dossier panel."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from secretariat.core.access import principal_for
from secretariat.finance import ledger
from secretariat.finance.models import Allocation, JournalEntry, Payment
from secretariat.finance.selectors.dossier import balance_dossier_panel
from secretariat.finance.services.payments import allocation_make, payment_record
from secretariat.states.models import State
from tests import factories
from tests.conftest import sign_in
from tests.finance.factories import fund, issued_invoices

pytestmark = pytest.mark.django_db


@pytest.fixture
def ghana_invoices():
    """Two invoices of Ghana (2025: 100.00, 2026: 300.00) and one of Mexico."""
    user = factories.UserFactory()
    old = issued_invoices({"GHA": "100.00"}, year=2025, user=user)["GHA"]
    new = issued_invoices({"GHA": "300.00", "MEX": "50.00"}, year=2026, user=user)
    return old, new["GHA"], new["MEX"]


def payment_form(**overrides) -> dict[str, str]:
    data = {
        "state": "GHA",
        "received_on": "2026-02-01",
        "amount": "150.00",
        "bank_reference": "FT-1",
        "payer": "Bank of Ghana",
        "allocate_oldest_first": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_a_recorded_payment_goes_to_the_oldest_invoices_first(client, make_persona, ghana_invoices):
    old, new, _mexico = ghana_invoices
    staff = sign_in(client, make_persona("staff_finance"))
    assert staff.get("/finance/payments/new/").context["form"]["allocate_oldest_first"].value() is True

    response = staff.post("/finance/payments/new/", payment_form())

    payment = Payment.objects.get(bank_reference="FT-1")
    assert response["Location"] == f"/finance/payments/{payment.pk}/"
    assert list(payment.allocations.order_by("pk").values_list("invoice_id", "amount")) == [
        (old.pk, D("100.00")),
        (new.pk, D("50.00")),
    ]
    page = staff.get(response["Location"]).content.decode()
    assert old.number in page
    assert new.number in page


def test_unticked_the_payment_stays_as_credit_and_staff_choose_the_invoice(client, make_persona, ghana_invoices):
    old, new, mexico = ghana_invoices
    staff = sign_in(client, make_persona("staff_admin"))
    staff.post("/finance/payments/new/", payment_form(allocate_oldest_first=None, amount="350.00"))
    payment = Payment.objects.get(bank_reference="FT-1")
    assert not payment.allocations.exists()
    assert ledger.payment_credits([payment.pk]) == {payment.pk: D("350.00")}

    page = staff.get(f"/finance/payments/{payment.pk}/")
    choices = [value for value, _label in page.context["allocation_form"].fields["invoice"].choices if value]
    assert [str(choice) for choice in choices] == [str(old.pk), str(new.pk)]  # Ghana's, never Mexico's

    # Staff choose the newer invoice, not the oldest.
    staff.post(f"/finance/payments/{payment.pk}/allocate/", {"invoice": new.pk, "amount": "300.00"})
    assert list(payment.allocations.values_list("invoice_id", "amount")) == [(new.pk, D("300.00"))]

    # More than is left, another State's invoice: refused with the reason, nothing written.
    entries = JournalEntry.objects.count()
    too_much = staff.post(f"/finance/payments/{payment.pk}/allocate/", {"invoice": old.pk, "amount": "60.00"})
    assert "Only 50.00 of this payment is left" in too_much.content.decode()
    foreign = staff.post(f"/finance/payments/{payment.pk}/allocate/", {"invoice": mexico.pk, "amount": "10.00"})
    assert foreign.status_code == 200
    assert foreign.context["allocation_form"].errors["invoice"]
    assert JournalEntry.objects.count() == entries

    staff.post(f"/finance/payments/{payment.pk}/allocate-oldest-first/")
    assert ledger.invoice_balances([old.pk]) == {old.pk: D("50.00")}
    assert ledger.payment_credits([payment.pk]) == {payment.pk: D("0.00")}
    assert ledger.invariant_problems(fund()) == []


def test_reversals_from_the_payment_page(client, make_persona, ghana_invoices):
    old, _new, _mexico = ghana_invoices
    staff = sign_in(client, make_persona("staff_finance"))
    staff.post("/finance/payments/new/", payment_form(amount="80.00"))
    payment = Payment.objects.get(bank_reference="FT-1")

    refused = staff.post(f"/finance/payments/{payment.pk}/reverse/", follow=True)
    assert "allocations to invoices first" in refused.content.decode()

    allocation = Allocation.objects.get(payment=payment)
    staff.post(f"/finance/allocations/{allocation.pk}/reverse/")
    assert ledger.invoice_balances([old.pk]) == {old.pk: D("100.00")}
    staff.post(f"/finance/payments/{payment.pk}/reverse/")
    page = staff.get(f"/finance/payments/{payment.pk}/")
    assert page.context["payment"].reversed
    assert page.context["payment"].left == D("0.00")
    assert ledger.invariant_problems(fund()) == []


def test_payment_refusals_are_shown_and_nothing_is_written(client, make_persona, ghana_invoices):
    staff = sign_in(client, make_persona("staff_finance"))
    future = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    for data, message in (
        (payment_form(amount="0"), "more than zero"),
        (payment_form(amount="-5"), "more than zero"),
        (payment_form(received_on=future), "cannot be dated in the future"),
        (payment_form(original_amount="100", original_currency="CHF"), "exchange rate"),
        (payment_form(state="XXX"), "Select a valid choice"),
    ):
        response = staff.post("/finance/payments/new/", data)
        assert response.status_code == 200
        assert message in response.content.decode()
    assert not Payment.objects.exists()


def test_the_state_contributions_page_is_for_the_state_and_staff(client, make_persona, ghana_invoices):
    old, new, _mexico = ghana_invoices
    payment_record(
        fund=fund(),
        state=old.state,
        received_on=dt.date(2026, 1, 5),
        amount=D("120.00"),
        user=factories.UserFactory(),
        bank_reference="GH-PAY",
    )
    own = sign_in(client, make_persona("state_a_rep"))
    assert own.get("/finance/my-contributions/")["Location"] == "/finance/states/GHA/contributions/"
    page = own.get("/finance/states/gha/contributions/")
    assert page.status_code == 200
    finances = page.context["finances"]
    assert (finances.balance_due, finances.credit_held) == (D("280.00"), D("0.00"))
    content = page.content.decode()
    assert f"/finance/invoices/{old.pk}/pdf/" in content
    assert "GH-PAY" in content
    assert f'/finance/invoices/{old.pk}/"' not in content  # no link into the staff workspace

    other = sign_in(client, make_persona("state_b_rep"))
    assert other.get("/finance/states/GHA/contributions/").status_code == 403
    assert other.get(f"/finance/invoices/{old.pk}/pdf/").status_code == 403
    assert other.get("/finance/invoices/").status_code == 403


# ---------------------------------------------------------------------------- the dossier panel


def test_the_dossier_panel_shows_balance_credit_open_invoices_and_each_allocation(client, make_persona, ghana_invoices):
    old, new, _mexico = ghana_invoices
    payment = payment_record(
        fund=fund(),
        state=old.state,
        received_on=dt.date(2026, 1, 5),
        amount=D("450.00"),
        user=factories.UserFactory(),
        bank_reference="GH-450",
        allocate=False,
    )
    user = factories.UserFactory()
    allocation_make(payment=payment, invoice=new, amount=D("300.00"), user=user)
    ghana = State.objects.get(iso3="GHA")
    rep = make_persona("state_a_rep")

    panel = balance_dossier_panel(ghana, principal_for(rep))
    assert panel is not None
    finances = panel.context["finances"]
    assert (finances.balance_due, finances.credit_held) == (D("100.00"), D("150.00"))
    assert [invoice.number for invoice in finances.open_invoices] == [old.number]
    assert [(a.invoice.number, a.amount) for a in panel.context["payments"][0].allocations_list] == [
        (new.number, D("300.00"))
    ]

    page = sign_in(client, rep).get("/states/GHA/").content.decode()
    assert "Assessed contributions" in page
    assert f"{new.number}: 300.00 on" in " ".join(page.split())
    assert "150.00" in page


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("anonymous", False),
        ("state_a_rep", True),
        ("state_b_rep", False),
        ("signatory_rep", False),
        ("donor_rep", False),
        ("management_committee", False),
        ("staff_finance", True),
        ("staff_reporting", True),
    ],
)
def test_the_dossier_panel_audience(make_persona, persona, sees):
    ghana = State.objects.get(iso3="GHA")
    user = make_persona(persona)
    if user is not None and user.is_staff:
        user.is_verified = lambda: True  # past the second factor
    principal = principal_for(user)
    assert (balance_dossier_panel(ghana, principal) is not None) is sees


def test_a_representative_of_several_states_chooses_one(client, make_persona):
    rep = make_persona("state_a_rep")
    factories.RoleAssignmentFactory(user=rep, role="state_representative", state=State.objects.get(iso3="SEN"))
    page = sign_in(client, rep).get("/finance/my-contributions/")
    assert page.status_code == 200
    content = page.content.decode()
    assert "/finance/states/GHA/contributions/" in content
    assert "/finance/states/SEN/contributions/" in content
    assert sign_in(client, make_persona("vtf_committee")).get("/finance/my-contributions/").status_code == 403

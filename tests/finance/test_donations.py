"""Donor contributions: agreements with instalments, receipts posted to the VTF and Sponsorship
ledgers (8% of every Sponsorship receipt to the administration account), who sees which agreement,
and the pages."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN, Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from secretariat.accounts.models import RoleAssignment
from secretariat.finance import ledger
from secretariat.finance.models import (
    AccountCode,
    AgreementInstalment,
    DonorAgreement,
    DonorReceipt,
    EntryKind,
    FundCode,
    JournalEntry,
)
from secretariat.finance.selectors import donations as selectors
from secretariat.finance.services import donations as services
from secretariat.finance.services.donations import InstalmentSpec, sponsorship_split
from tests.conftest import sign_in
from tests.factories import DonorFactory, UserFactory
from tests.finance.factories import fund

pytestmark = pytest.mark.django_db

D = Decimal
SIGNED = dt.date(2026, 1, 20)


@pytest.fixture
def officer():
    return UserFactory(email="donations.officer@example.org")


@pytest.fixture
def donor():
    return DonorFactory(name="Government of Switzerland")


def agreement(donor, user, *, fund_code=FundCode.SPONSORSHIP, amount="300000.00", currency="USD", **kwargs):
    kwargs.setdefault("reference", f"AGR-{fund_code}-{donor.pk}-{amount}")
    third = (D(amount) / 3).quantize(D("0.01"), rounding=ROUND_DOWN)
    kwargs.setdefault(
        "instalments",
        [  # given out of order: they are kept by due date
            InstalmentSpec(dt.date(2026, 3, 1), third),
            InstalmentSpec(dt.date(2026, 9, 1), D(amount) - 2 * third),
            InstalmentSpec(dt.date(2026, 6, 1), third),
        ],
    )
    return services.agreement_create(
        donor=donor,
        fund=fund(fund_code),
        signed_on=SIGNED,
        amount=D(amount),
        currency=currency,
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2027, 12, 31),
        user=user,
        earmark=kwargs.pop("earmark", "Sponsorship of delegates to CSP12"),
        **kwargs,
    )


def receive(agreement_, amount, user, **kwargs):
    kwargs.setdefault("received_on", dt.date(2026, 3, 3))
    return services.receipt_record(agreement=agreement_, amount=D(amount), user=user, **kwargs)


def lines_of(entry: JournalEntry) -> list[tuple[str, Decimal, Decimal, int | None]]:
    return sorted(entry.lines.values_list("account__code", "debit", "credit", "donor_id"))


# ---------------------------------------------------------------------------- the 8% split


@pytest.mark.parametrize(
    ("amount", "programme", "charge"),
    [
        ("0.01", "0.01", "0.00"),
        ("0.06", "0.06", "0.00"),  # 0.0048 → 0.00
        ("0.07", "0.06", "0.01"),  # 0.0056 → 0.01
        ("33.33", "30.66", "2.67"),  # 2.6664 → 2.67
        ("12.50", "11.50", "1.00"),
        ("1000000.05", "920000.05", "80000.00"),  # 80,000.004 → 80,000.00
        ("999999999999.99", "919999999999.99", "80000000000.00"),  # 79,999,999,999.9992
    ],
)
def test_the_sponsorship_charge_is_8_percent_to_the_cent_and_the_parts_add_up(amount, programme, charge):
    assert sponsorship_split(D(amount)) == (D(programme), D(charge))


def test_the_split_never_loses_a_cent():
    for cents in [*range(1, 2000), 333333, 1000000005, 123456789]:
        amount = D(cents) / 100
        programme, charge = sponsorship_split(amount)
        assert programme + charge == amount
        assert abs(charge - amount * D("0.08")) <= D("0.005")


@pytest.mark.parametrize(
    ("amount", "programme", "charge"),
    [("33.33", "30.66", "2.67"), ("1000000.05", "920000.05", "80000.00"), ("100.00", "92.00", "8.00")],
)
def test_a_sponsorship_receipt_posts_one_balanced_entry_with_the_charge(donor, officer, amount, programme, charge):
    pledge = agreement(donor, officer, amount="2000000.00")
    receipt = receive(pledge, amount, officer, bank_reference="UBS-1")

    assert receipt.admin_charge == D(charge)
    entry = receipt.entry
    assert (entry.kind, entry.fund.code, entry.total) == (EntryKind.DONOR_RECEIPT, "sponsorship", D(amount))
    assert lines_of(entry) == [
        ("1100", D(programme), D("0.00"), None),
        ("1110", D(charge), D("0.00"), None),
        ("4200", D("0.00"), D(amount), donor.pk),
    ]
    assert ledger.invariant_problems(fund(FundCode.SPONSORSHIP)) == []


def test_a_sponsorship_receipt_of_one_cent_has_no_charge_line(donor, officer):
    receipt = receive(agreement(donor, officer), "0.01", officer)
    assert receipt.admin_charge == D("0.00")
    assert lines_of(receipt.entry) == [("1100", D("0.01"), D("0.00"), None), ("4200", D("0.00"), D("0.01"), donor.pk)]


def test_a_vtf_receipt_is_dr_bank_cr_voluntary_contributions_without_charge(donor, officer):
    receipt = receive(agreement(donor, officer, fund_code=FundCode.VTF), "33.33", officer)
    assert receipt.admin_charge == D("0.00")
    assert receipt.entry.fund.code == "vtf"
    assert lines_of(receipt.entry) == [("1100", D("33.33"), D("0.00"), None), ("4200", D("0.00"), D("33.33"), donor.pk)]


def test_balances_per_account_after_a_sequence_of_receipts(donor, officer):
    sponsorship = agreement(donor, officer, amount="3000.00")
    vtf = agreement(donor, officer, fund_code=FundCode.VTF, amount="500.00")
    for amount in ("1000.00", "33.33", "0.01", "966.66"):
        receive(sponsorship, amount, officer)
    receive(vtf, "500.00", officer)

    sponsorship_books = ledger.account_balances(fund(FundCode.SPONSORSHIP))
    # Charges: 80.00 + 2.67 + 0.00 + 77.33 = 160.00; the programme gets the rest of 2,000.00.
    assert sponsorship_books[AccountCode.ADMIN_BANK] == (D("160.00"), D("0.00"))
    assert sponsorship_books[AccountCode.BANK] == (D("1840.00"), D("0.00"))
    assert sponsorship_books[AccountCode.VOLUNTARY] == (D("0.00"), D("2000.00"))
    assert ledger.account_balances(fund(FundCode.VTF)) == {
        AccountCode.BANK: (D("500.00"), D("0.00")),
        AccountCode.VOLUNTARY: (D("0.00"), D("500.00")),
    }
    assert sum(DonorReceipt.objects.filter(agreement=sponsorship).values_list("admin_charge", flat=True)) == D("160.00")


# ---------------------------------------------------------------------------- agreements: bad input


def _nothing_written():
    return (DonorAgreement.objects.count(), AgreementInstalment.objects.count()) == (0, 0)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"instalments": [InstalmentSpec(dt.date(2026, 3, 1), D("100.00"))]}, "add up to 100.00 USD"),
        (
            {"instalments": [InstalmentSpec(dt.date(2026, 3, 1), D("150.00")), InstalmentSpec(None, D("150.00"))]},
            "no due date",
        ),
        (
            {"instalments": [InstalmentSpec(dt.date(2026, 3, 1), D("300.00")), InstalmentSpec(SIGNED, D("0.00"))]},
            "more than zero",
        ),
        ({"instalments": []}, "at least one"),
        ({"fund_code": FundCode.GENERAL}, "not the General Budget"),
        ({"amount": "0.00", "instalments": [InstalmentSpec(SIGNED, D("1.00"))]}, "more than zero"),
        ({"currency": "dollars"}, "three-letter ISO 4217"),
        ({"reference": "  "}, "reference"),
    ],
)
def test_bad_agreements_are_refused_and_nothing_is_written(donor, officer, changes, message):
    changes.setdefault("amount", "300.00")
    if "instalments" not in changes:
        changes["instalments"] = [InstalmentSpec(dt.date(2026, 3, 1), D(changes["amount"]))]
    with pytest.raises(ValidationError, match=message):
        agreement(donor, officer, **changes)
    assert _nothing_written()


def test_an_agreement_signed_in_the_future_or_ending_before_it_starts_is_refused(donor, officer):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    base = {
        "donor": donor,
        "fund": fund(FundCode.VTF),
        "reference": "AGR-1",
        "amount": D("10.00"),
        "currency": "CHF",
        "instalments": [InstalmentSpec(SIGNED, D("10.00"))],
        "user": officer,
    }
    with pytest.raises(ValidationError, match="future"):
        services.agreement_create(
            **base, signed_on=tomorrow, starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 12, 31)
        )
    with pytest.raises(ValidationError, match="cannot end before it starts"):
        services.agreement_create(**base, signed_on=SIGNED, starts_on=dt.date(2026, 5, 1), ends_on=dt.date(2026, 4, 30))
    assert _nothing_written()


def test_a_reference_is_recorded_once(donor, officer):
    agreement(donor, officer, reference="CH-2026-01")
    with pytest.raises(ValidationError, match="already recorded"):
        agreement(donor, officer, reference="CH-2026-01", fund_code=FundCode.VTF)
    assert DonorAgreement.objects.count() == 1


# ---------------------------------------------------------------------------- receipts: bad input and currencies


def test_bad_receipts_are_refused_and_nothing_is_written(donor, officer):
    pledge = agreement(donor, officer)
    receive(pledge, "10.00", officer, bank_reference="REF-1")
    before = (DonorReceipt.objects.count(), JournalEntry.objects.count())
    tomorrow = timezone.localdate() + dt.timedelta(days=1)

    for kwargs, message in [
        ({"amount": "0"}, "more than zero"),
        ({"amount": "-1.00"}, "more than zero"),
        ({"amount": "1.001"}, "to the cent"),
        ({"amount": "5.00", "received_on": tomorrow}, "future"),
        ({"amount": "5.00", "bank_reference": " REF-1 "}, "already recorded for this agreement"),
        ({"amount": "5.00", "original_currency": "CHF"}, "amount as paid"),
        ({"amount": "5.00", "original_currency": "CHF", "original_amount": D("4.50")}, "exchange rate"),
        (
            {"amount": "5.00", "original_currency": "CHF", "original_amount": D("4.00"), "exchange_rate": D("1.1")},
            "4.40 USD, not 5.00 USD",
        ),
        ({"amount": "5.00", "original_amount": D("4.00")}, "only for a payment in another currency"),
    ]:
        amount = kwargs.pop("amount")
        with pytest.raises(ValidationError, match=message):
            receive(pledge, amount, officer, **kwargs)
    assert (DonorReceipt.objects.count(), JournalEntry.objects.count()) == before


def test_the_same_bank_reference_may_appear_under_another_agreement(donor, officer):
    receive(agreement(donor, officer), "10.00", officer, bank_reference="REF-1")
    receive(agreement(donor, officer, fund_code=FundCode.VTF), "10.00", officer, bank_reference="REF-1")
    assert DonorReceipt.objects.filter(bank_reference="REF-1").count() == 2


def test_a_receipt_in_another_currency_keeps_the_amount_currency_and_rate_paid(donor, officer):
    pledge = agreement(donor, officer, fund_code=FundCode.VTF, amount="90000.00", currency="CHF")
    receipt = receive(
        pledge, "33896.10", officer, original_amount=D("30000.00"), original_currency="chf", exchange_rate=D("1.129870")
    )
    receipt.refresh_from_db()
    assert (receipt.amount, receipt.original_amount, receipt.original_currency, receipt.exchange_rate) == (
        D("33896.10"),
        D("30000.00"),
        "CHF",
        D("1.12987000"),
    )
    assert receipt.entry.total == D("33896.10")
    summary = selectors.agreement_summary(pledge)
    assert (summary.received, summary.received_against_pledge, summary.outstanding) == (
        D("33896.10"),
        D("30000.00"),
        D("60000.00"),
    )
    # The first instalment (30,000 CHF on 1 March) is covered; the next is due on 1 June.
    assert summary.next_due.instalment.due_on == dt.date(2026, 6, 1)
    assert summary.next_due.outstanding == D("30000.00")


def test_received_versus_pledged_and_the_next_instalment(donor, officer):
    pledge = agreement(donor, officer, amount="300.00")  # 100 on 1 March, 1 June, 1 September
    summary = selectors.agreement_summary(pledge)
    assert [row.instalment.due_on for row in summary.instalments] == [
        dt.date(2026, 3, 1),
        dt.date(2026, 6, 1),
        dt.date(2026, 9, 1),
    ]
    assert summary.next_due.instalment.due_on == dt.date(2026, 3, 1)

    receive(pledge, "150.00", officer)
    receive(pledge, "10.00", officer, original_amount=D("9.00"), original_currency="EUR", exchange_rate=D("1.1111"))
    summary = selectors.agreement_summary(pledge)
    assert (summary.received, summary.received_against_pledge, summary.uncounted_receipts) == (
        D("160.00"),
        D("150.00"),
        1,
    )
    assert [(row.covered, row.outstanding) for row in summary.instalments] == [
        (D("100.00"), D("0.00")),
        (D("50.00"), D("50.00")),
        (D("0.00"), D("100.00")),
    ]
    assert (summary.next_due.instalment.due_on, summary.next_due.outstanding) == (dt.date(2026, 6, 1), D("50.00"))
    assert selectors.overdue(summary, dt.date(2026, 6, 2))
    assert not selectors.overdue(summary, dt.date(2026, 6, 1))
    receive(pledge, "150.00", officer)
    assert selectors.agreement_summary(pledge).next_due is None


# ---------------------------------------------------------------------------- who sees which agreement


@pytest.fixture
def donor_rep(make_persona):
    user = make_persona("donor_rep")
    return user, RoleAssignment.objects.get(user=user).donor


def test_donor_representatives_see_only_their_own_donors_agreements(client, donor_rep, donor, officer):
    user, own_donor = donor_rep
    own = agreement(own_donor, officer, reference="OWN-1")
    other = agreement(donor, officer, reference="OTHER-1")
    sign_in(client, user)

    listing = client.get("/finance/donor-agreements/")
    assert listing.status_code == 200
    assert [a.reference for a in listing.context["agreements"]] == ["OWN-1"]
    assert "OTHER-1" not in listing.content.decode()
    assert "Record an agreement" not in listing.content.decode()

    assert client.get(f"/finance/donor-agreements/{own.pk}/").status_code == 200
    assert client.get(f"/finance/donor-agreements/{other.pk}/").status_code == 403
    assert client.get(f"/finance/donor-agreements/{own.pk}/receipts/new/").status_code == 403


def test_finance_staff_see_every_agreement_and_others_none(client, make_persona, donor_rep, donor, officer):
    _user, own_donor = donor_rep
    agreement(own_donor, officer, reference="OWN-1")
    agreement(donor, officer, reference="OTHER-1")
    sign_in(client, make_persona("staff_finance"))
    assert sorted(a.reference for a in client.get("/finance/donor-agreements/").context["agreements"]) == [
        "OTHER-1",
        "OWN-1",
    ]
    for persona in ("management_committee", "state_a_rep", "staff_reporting"):
        sign_in(client, make_persona(persona))
        assert client.get("/finance/donor-agreements/").status_code == 403, persona


# ---------------------------------------------------------------------------- pages


def _agreement_post(**changes):
    data = {
        "donor": "",
        "fund": str(fund(FundCode.SPONSORSHIP).pk),
        "reference": "CH-SP-2026",
        "signed_on": "2026-01-20",
        "amount": "250000.00",
        "currency": "usd",
        "earmark": "Delegates from small island States",
        "starts_on": "2026-01-01",
        "ends_on": "2026-12-31",
        "instalments-TOTAL_FORMS": "8",
        "instalments-INITIAL_FORMS": "0",
        "instalments-MIN_NUM_FORMS": "0",
        "instalments-MAX_NUM_FORMS": "60",
        "instalments-0-due_on": "2026-02-01",
        "instalments-0-amount": "150000.00",
        "instalments-1-due_on": "2026-08-01",
        "instalments-1-amount": "100000.00",
    }
    data.update(changes)
    return data


def test_staff_record_an_agreement_and_a_receipt_through_the_pages(client, make_persona, donor):
    sign_in(client, make_persona("staff_finance"))
    assert client.get("/finance/donor-agreements/new/").status_code == 200
    response = client.post("/finance/donor-agreements/new/", _agreement_post(donor=str(donor.pk)), follow=True)
    pledge = DonorAgreement.objects.get()
    assert response.redirect_chain[-1][0] == f"/finance/donor-agreements/{pledge.pk}/"
    assert (pledge.currency, pledge.amount, pledge.instalments.count()) == ("USD", D("250000.00"), 2)
    assert "Next instalment: 150,000.00 USD" in response.content.decode()

    response = client.post(
        f"/finance/donor-agreements/{pledge.pk}/receipts/new/",
        {"received_on": "2026-02-03", "amount": "150000.00", "bank_reference": "UBS 123"},
        follow=True,
    )
    page = response.content.decode()
    assert "12,000.00 USD went to the administration account" in page
    receipt = DonorReceipt.objects.get()
    assert (receipt.admin_charge, receipt.recorded_by.email) == (D("12000.00"), "staff-finance@example.org")
    assert "Next instalment: 100,000.00 USD" in page


def test_the_agreement_page_refuses_instalments_that_do_not_add_up(client, make_persona, donor):
    sign_in(client, make_persona("staff_finance"))
    response = client.post(
        "/finance/donor-agreements/new/", _agreement_post(donor=str(donor.pk), **{"instalments-1-amount": "90000.00"})
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing was saved" in page
    assert "The instalments add up to 240,000.00 USD; the agreement is for 250,000.00 USD." in page
    assert _nothing_written()


def test_the_agreement_page_refuses_the_general_budget(client, make_persona, donor):
    sign_in(client, make_persona("staff_finance"))
    response = client.post(
        "/finance/donor-agreements/new/", _agreement_post(donor=str(donor.pk), fund=str(fund(FundCode.GENERAL).pk))
    )
    assert response.status_code == 200
    assert (
        "Donor agreements are for the Voluntary Trust Fund or the Sponsorship Programme." in response.content.decode()
    )
    assert _nothing_written()


def test_the_receipt_page_shows_a_refusal_and_saves_nothing(client, make_persona, donor, officer):
    pledge = agreement(donor, officer)
    sign_in(client, make_persona("staff_admin"))
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = client.post(
        f"/finance/donor-agreements/{pledge.pk}/receipts/new/", {"received_on": tomorrow, "amount": "5"}
    )
    assert response.status_code == 200
    assert "The date cannot be in the future." in response.content.decode()
    assert DonorReceipt.objects.count() == 0

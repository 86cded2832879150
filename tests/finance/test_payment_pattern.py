"""The payment-pattern report (selectors/payment_pattern.py) on a small crafted history, its public
page, its charts and their CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.urls import reverse

from secretariat.finance.models import ContributionStatus
from secretariat.finance.selectors.payment_pattern import PatternFigures, payment_pattern
from secretariat.finance.services import invoices as invoice_services
from secretariat.finance.services import payments as payment_services
from tests.factories import UserFactory
from tests.finance.factories import fund, issued_invoices

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 12, 6)


@pytest.fixture
def history():
    """2025 (issued 15 Oct 2024, due 1 Jan 2025) and 2027 (issued 15 Oct 2026, due 1 Jan 2027):
    - Ghana pays 2025 before the due date and 2027 early: on time twice;
    - Nigeria pays 2025 on the due date itself: on time;
    - Mexico pays 2025 in two parts, the second after the due date: late; 2027 unpaid, not yet due;
    - Costa Rica pays 20 of its 50: partly paid;
    - Switzerland pays, but the allocation is reversed: unpaid;
    - Japan's 2025 invoice is cancelled by a credit note: not counted."""
    user = UserFactory()
    first = issued_invoices(
        {"GHA": "100.00", "NGA": "10.00", "MEX": "1000.00", "CRI": "50.00", "CHE": "1000.00", "JPN": "500.00"},
        year=2025,
        issued_on=dt.date(2024, 10, 15),
        user=user,
    )
    issued_invoices({"GHA": "100.00", "MEX": "1000.00"}, year=2027, issued_on=dt.date(2026, 10, 15), user=user)
    invoice_services.credit_note_issue(
        invoice=first["JPN"], amount=D("500.00"), reason="Not a State Party", user=user, issued_on=dt.date(2024, 11, 1)
    )

    def pay(iso3: str, day: dt.date, amount: str):
        return payment_services.payment_record(
            fund=fund(), state=first[iso3].state, received_on=day, amount=D(amount), user=user
        )

    pay("GHA", dt.date(2024, 12, 20), "100.00")
    pay("NGA", dt.date(2025, 1, 1), "10.00")
    pay("MEX", dt.date(2024, 12, 1), "400.00")
    pay("MEX", dt.date(2025, 3, 1), "600.00")
    pay("CRI", dt.date(2025, 2, 1), "20.00")
    swiss = pay("CHE", dt.date(2025, 2, 1), "1000.00")
    payment_services.allocation_reverse(allocation=swiss.allocations.get(), user=user, on=dt.date(2025, 2, 5))
    pay("GHA", dt.date(2026, 11, 1), "100.00")
    return first


def test_the_pattern_by_year(history):
    pattern = payment_pattern(as_of=AS_OF)
    assert pattern.years == [2025, 2027]
    year_2025 = pattern.figures(years=[2025])
    assert year_2025 == PatternFigures(
        assessed_states=5,
        on_time=2,
        late=1,
        partly_paid=1,
        unpaid=1,
        not_yet_due=0,
        assessed=D("2160.00"),
        received_by_due_date=D("510.00"),
        received_after_due_date=D("620.00"),
        outstanding=D("1030.00"),
    )
    assert year_2025.on_time_rate == D("40.0")
    year_2027 = pattern.figures(years=[2027])
    assert (year_2027.assessed_states, year_2027.on_time, year_2027.not_yet_due, year_2027.on_time_rate) == (
        2,
        1,
        1,
        D("100.0"),
    )
    assert pattern.latest_due_year == 2027


def test_the_pattern_by_region(history):
    pattern = payment_pattern(as_of=AS_OF)
    rows = {key: figures for key, _label, figures in pattern.by_region(year=2025)}
    assert rows["african"].on_time == 2
    assert rows["african"].on_time_rate == D("100.0")
    assert (rows["latin_american_caribbean"].late, rows["latin_american_caribbean"].partly_paid) == (1, 1)
    assert rows["latin_american_caribbean"].on_time_rate == D("0.0")
    assert rows["western_european_others"].unpaid == 1
    assert "asia_pacific" not in rows  # Japan's only invoice was cancelled
    assert rows["all"] == pattern.figures(years=[2025])


def test_the_pattern_on_earlier_dates(history):
    # On 1 January 2025 (the due date) Mexico had paid 400 of 1,000: partly paid, the due date
    # not yet passed -> not yet due; Costa Rica and Switzerland nothing yet.
    on_due_date = payment_pattern(as_of=dt.date(2025, 1, 1)).figures(years=[2025])
    assert (on_due_date.on_time, on_due_date.not_yet_due) == (2, 3)
    assert on_due_date.on_time_rate == D("100.0")
    # Between Switzerland's payment and its reversal, Switzerland had paid (late).
    before_reversal = payment_pattern(as_of=dt.date(2025, 2, 3)).figures(years=[2025])
    assert (before_reversal.late, before_reversal.unpaid, before_reversal.partly_paid) == (1, 0, 2)
    assert payment_pattern(as_of=dt.date(2024, 10, 14)).cells == {}


def test_the_public_page_uses_the_latest_published_date(history, client):
    page = client.get(reverse("finance:payment_pattern"))
    assert page.status_code == 200
    assert "No status of contributions has been published yet." in page.content.decode()
    ContributionStatus.objects.create(fund=fund(), as_of=dt.date(2025, 2, 3), figures={}, published_by=UserFactory())
    html = client.get(reverse("finance:payment_pattern")).content.decode()
    assert "3 February 2025" in html
    assert "<svg" in html
    assert "chart-states-by-year-title" in html
    # The public cannot ask for an unpublished date: the published one is used.
    html = client.get(reverse("finance:payment_pattern") + "?as_of=2026-12-06").content.decode()
    assert "3 February 2025" in html


def test_finance_overseers_choose_any_date(history, client_as):
    client, _user = client_as("management_committee")
    html = client.get(
        reverse("finance:payment_pattern") + "?as_of=2026-12-06&region=african&year=2025"
    ).content.decode()
    assert "6 December 2026" in html
    assert "<svg" in html


def test_each_chart_has_a_csv_of_its_numbers(history, client_as):
    client, _user = client_as("staff_finance")
    url = reverse("finance:payment_pattern_csv", kwargs={"chart": "states-by-year"})
    response = client.get(url + "?as_of=2026-12-06")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "year",
        "on_time",
        "late",
        "partly_paid",
        "unpaid",
        "not_yet_due",
        "assessed_states",
        "on_time_rate",
    ]
    assert rows[1:] == [["2025", "2", "1", "1", "1", "0", "5", "40.0"], ["2027", "1", "0", "0", "0", "1", "2", "100.0"]]
    amounts = client.get(
        reverse("finance:payment_pattern_csv", kwargs={"chart": "amounts-by-year"}) + "?as_of=2026-12-06"
    )
    assert list(csv.reader(io.StringIO(amounts.content.decode("utf-8-sig"))))[1] == ["2025", "1", "1", "1", "2"]
    regions = client.get(
        reverse("finance:payment_pattern_csv", kwargs={"chart": "on-time-by-region"}) + "?as_of=2026-12-06&year=2025"
    )
    assert ["African States", "2", "2", "100.0"] in list(csv.reader(io.StringIO(regions.content.decode("utf-8-sig"))))
    assert client.get(reverse("finance:payment_pattern_csv", kwargs={"chart": "nope"})).status_code == 404
    assert client.get(url + "?as_of=not-a-date").status_code == 400

"""The public finance API: the published status of contributions and the assessed amounts of an
issued run."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.urls import reverse

from secretariat.finance.models import ContributionStatus
from secretariat.finance.selectors.contributions import contribution_status
from secretariat.finance.services import invoices as invoice_services
from secretariat.finance.services import payments as payment_services
from tests.factories import UserFactory
from tests.finance.factories import approved_run, fund, issued_invoices

pytestmark = pytest.mark.django_db

CONTRIBUTIONS = "/api/v1/finance/contributions/"


def publish_without_files(as_of: dt.date) -> ContributionStatus:
    """A publication as the service freezes it (the files are not needed by the API)."""
    figures = contribution_status(as_of=as_of)
    return ContributionStatus.objects.create(
        fund=fund(), as_of=as_of, figures=figures.to_json(), published_by=UserFactory()
    )


@pytest.fixture
def history():
    user = UserFactory()
    first = issued_invoices({"GHA": "1000.00", "MEX": "5000.00"}, year=2025, issued_on=dt.date(2024, 10, 15), user=user)
    issued_invoices({"GHA": "1100.00", "MEX": "5500.00"}, year=2026, issued_on=dt.date(2025, 10, 15), user=user)
    invoice_services.credit_note_issue(
        invoice=first["GHA"], amount=D("100.00"), reason="Rate corrected", user=user, issued_on=dt.date(2024, 11, 1)
    )
    payment_services.payment_record(
        fund=fund(), state=first["MEX"].state, received_on=dt.date(2025, 1, 10), amount=D("7000.00"), user=user
    )
    return first


def test_nothing_published_yet_is_a_clear_404(history, client):
    response = client.get(CONTRIBUTIONS)
    assert response.status_code == 404
    assert response.json() == {"detail": "No status of contributions has been published yet."}


def test_the_latest_published_status(history, client):
    publish_without_files(dt.date(2025, 3, 31))
    publish_without_files(dt.date(2025, 12, 31))
    body = client.get(CONTRIBUTIONS).json()
    assert body["as_of"] == "2025-12-31"
    assert body["currency"] == "USD"
    assert body["year"] is None
    assert body["count"] == 4
    assert body["totals"] == {
        "assessed": "12600.00",
        "credited": "100.00",
        "received": "7000.00",
        "outstanding": "5500.00",
    }
    assert body["results"][0] == {
        "iso3": "GHA",
        "name": "Ghana",
        "region": "african",
        "year": 2025,
        "assessed": "1000.00",
        "credited": "100.00",
        "received": "0.00",
        "outstanding": "900.00",
    }
    mexico_2026 = next(row for row in body["results"] if row["iso3"] == "MEX" and row["year"] == 2026)
    assert (mexico_2026["received"], mexico_2026["outstanding"]) == ("2000.00", "3500.00")


def test_filters_by_year_and_by_publication(history, client):
    publish_without_files(dt.date(2025, 3, 31))
    publish_without_files(dt.date(2025, 12, 31))
    body = client.get(CONTRIBUTIONS, {"year": 2026}).json()
    assert [(row["iso3"], row["year"]) for row in body["results"]] == [("GHA", 2026), ("MEX", 2026)]
    assert body["totals"]["assessed"] == "6600.00"
    assert body["year"] == 2026
    earlier = client.get(CONTRIBUTIONS, {"as_of": "2025-03-31"}).json()
    assert earlier["as_of"] == "2025-03-31"
    assert {row["year"] for row in earlier["results"]} == {2025}  # 2026 was not invoiced yet
    assert client.get(CONTRIBUTIONS, {"year": 2030}).json()["count"] == 0
    assert client.get(CONTRIBUTIONS, {"year": "abc"}).status_code == 400
    missing = client.get(CONTRIBUTIONS, {"as_of": "2025-06-30"})
    assert missing.status_code == 404
    assert "2025-06-30" in missing.json()["detail"]
    page = client.get(CONTRIBUTIONS, {"limit": 1, "offset": 1}).json()
    assert page["count"] == 4
    assert len(page["results"]) == 1
    assert "offset=2" in page["next"]


def test_live_figures_are_never_exposed(history, client):
    publish_without_files(dt.date(2025, 12, 31))
    before = client.get(CONTRIBUTIONS).json()
    # After the publication: Ghana pays, a new year is invoiced.
    payment_services.payment_record(
        fund=fund(), state=history["GHA"].state, received_on=dt.date(2026, 2, 1), amount=D("900.00"), user=UserFactory()
    )
    issued_invoices({"GHA": "1200.00"}, year=2027, issued_on=dt.date(2026, 10, 15))
    assert client.get(CONTRIBUTIONS).json() == before
    assert client.get(CONTRIBUTIONS, {"year": 2027}).json()["count"] == 0


def test_the_api_is_read_only(history, client_as):
    publish_without_files(dt.date(2025, 12, 31))
    client, _user = client_as("staff_finance")
    assert client.post(CONTRIBUTIONS, {}).status_code in (403, 405)
    assert client.delete("/api/v1/finance/assessments/2025/").status_code in (403, 405)


def test_assessments_before_issue_are_a_clear_404(client):
    approved_run({"GHA": "100.00"}, year=2028)
    response = client.get("/api/v1/finance/assessments/2028/")
    assert response.status_code == 404
    assert response.json() == {"detail": "The assessed contributions for 2028 have not been issued yet."}
    assert client.get("/api/v1/finance/assessments/2031/").status_code == 404


def test_assessments_of_an_issued_run(client):
    run = approved_run({"GHA": "100.00", "MEX": "2500.50", "CRI": "40.10"}, year=2026)
    invoices = {
        invoice.state.iso3: invoice
        for invoice in invoice_services.invoices_issue(run=run, user=UserFactory(), issued_on=dt.date(2025, 10, 1))
    }
    body = client.get(reverse("api-finance-assessments", args=[2026])).json()
    assert (body["year"], body["scale_year"], body["currency"], body["total"], body["count"]) == (
        2026,
        2026,
        "USD",
        "2640.60",
        3,
    )
    assert [row["iso3"] for row in body["results"]] == ["CRI", "GHA", "MEX"]  # by name
    mexico = body["results"][2]
    assert mexico == {
        "iso3": "MEX",
        "name": "Mexico",
        "un_rate": "0.10000",
        "share": str((D("2500.50") / D("2640.60")).quantize(D("1e-14"))),
        "amount": "2500.50",
        "invoice_number": invoices["MEX"].number,
        "pools": [{"pool": "secretariat", "un_rate": "0.10000", "share": "0.10000000000000", "amount": "2500.50"}],
    }
    assert sum(D(row["amount"]) for row in body["results"]) == D(body["total"])


def test_the_schema_documents_both_endpoints(client):
    schema = client.get("/api/v1/schema/").content.decode()
    assert "/api/v1/finance/contributions/" in schema
    assert "/api/v1/finance/assessments/{year}/" in schema
    assert "finance_contributions_list" in schema

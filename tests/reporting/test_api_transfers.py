"""GET /api/v1/transfers/ and GET /api/v1/reports/: public, read only, documented."""

from __future__ import annotations

import pytest
import yaml
from django.db import connection
from django.test.utils import CaptureQueriesContext
from drf_spectacular.validation import validate_schema

from secretariat.core.access import principal_for
from secretariat.reporting import api_transfers
from secretariat.reporting.demo import generate_transfers
from secretariat.reporting.models import Category, ReportVersion
from secretariat.reporting.selectors import forms_visible_in, published_reports_visible_to
from tests.conftest import sign_in
from tests.reporting import factories_transfers as f

pytestmark = pytest.mark.django_db

TRANSFERS = "/api/v1/transfers/"
REPORTS = "/api/v1/reports/"


def _all_pages(client, params):
    response = client.get(TRANSFERS, params)
    assert response.status_code == 200
    body = response.json()
    ids, count = [], body["count"]
    while True:
        ids += [record["id"] for record in body["results"]]
        assert len(body["results"]) <= 50
        if not body["next"]:
            return ids, count
        body = client.get(body["next"]).json()


def test_it_pages_by_cursor_through_every_matching_row(client):
    generate_transfers(180, seed=11)
    salw = [
        category.pk
        for category in Category.objects.all()
        if category.code == "VIII" or category.code.startswith("VIII.")
    ]
    rows = f.all_rows()

    ids, count = _all_pages(client, {"category": "VIII", "sort": "-value"})
    expected = [row for row in rows if row["category_id"] in salw]
    expected.sort(key=lambda row: (-1 if row["value"] is None else row["value"], row["id"]), reverse=True)

    assert ids == [row["id"] for row in expected]
    assert count == len(expected)


def test_it_filters_like_the_page(client):
    officer = f.officer()
    version = f.publish("GHA", 2020, officer, exports=f.form(f.row("I", "MEX", items=4), f.row("II", "FRA")))
    f.publish("MEX", 2019, officer, imports=f.form(f.row("I", "GHA", value="10.5", currency="USD", items=None)))

    body = client.get(TRANSFERS, {"reporter": "gha", "partner": "MEX", "year": "2020"}).json()

    assert body["count"] == 1
    assert body["previous"] is None
    assert body["next"] is None
    (record,) = body["results"]
    assert record["reporter"] == "GHA"
    assert record["partner"] == "MEX"
    assert record["form"] == "exports"
    assert record["category"] == "I"
    assert record["items"] == 4
    assert record["value"] is None
    assert record["synthetic"] is False
    assert record["report_version"] == version.pk
    assert record["report_url"] == f"https://testserver/reports/versions/{version.pk}/"
    imports = client.get(TRANSFERS, {"direction": "imports"}).json()["results"]
    assert [(item["reporter"], item["value"], item["currency"]) for item in imports] == [("MEX", "10.50", "USD")]


def test_records_have_the_documented_shape(client):
    generate_transfers(2, seed=2)

    record = client.get(TRANSFERS).json()["results"][0]

    assert set(record) == set(api_transfers.TransferSerializer().fields)


def test_bad_filters_and_forged_cursors_are_refused(client):
    generate_transfers(160, seed=4)

    assert client.get(TRANSFERS, {"reporter": "XYZ"}).status_code == 400
    assert client.get(TRANSFERS, {"sort": "colour"}).status_code == 400
    forged = client.get(TRANSFERS, {"after": "eyJ0YW1wZXJlZCI6dHJ1ZX0:forged"})
    assert forged.status_code == 400
    assert "cursor" in forged.json()
    next_link = client.get(TRANSFERS, {"direction": "exports"}).json()["next"]
    other_filter = next_link.replace("direction=exports", "direction=imports")
    assert client.get(other_filter).status_code == 400


def test_it_is_read_only(client):
    assert client.post(TRANSFERS, {}).status_code in (403, 405)
    assert client.post(REPORTS, {}).status_code in (403, 405)


def test_the_query_count_does_not_grow_with_the_data(client):
    counts = []
    for rows in (10, 200):
        generate_transfers(rows, seed=rows)
        client.get(TRANSFERS, {"basis": "actual"})
        with CaptureQueriesContext(connection) as captured:
            assert client.get(TRANSFERS, {"basis": "actual"}).status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts == [1, 1]


def test_both_endpoints_are_in_the_schema(client):
    schema = yaml.safe_load(client.get("/api/v1/schema/").content)
    validate_schema(schema)

    assert "/api/v1/transfers/" in schema["paths"]
    assert "/api/v1/reports/" in schema["paths"]
    parameters = {item["name"] for item in schema["paths"]["/api/v1/transfers/"]["get"]["parameters"]}
    assert {"year", "category", "reporter", "partner", "reporter_region", "sort", "after"} <= parameters


# ---------------------------------------------------------------------------- /api/v1/reports/


@pytest.fixture
def reports():
    """Ghana 2020: public exports, restricted imports; Mexico 2021 amended once (both forms public)."""
    officer = f.officer()
    ghana = f.publish(
        "GHA",
        2020,
        officer,
        exports=f.form(f.row("I", "MEX")),
        imports=f.form(f.row("II", "MEX"), visibility="restricted"),
    )
    mexico = f.publish("MEX", 2021, officer, exports=f.form(f.row("I", "GHA")))
    mexico = f.amend(mexico, officer, exports=f.form(f.row("I", "GHA"), f.row("II", "USA")))
    return ghana, mexico


def _forms(body, iso3):
    (entry,) = [item for item in body["results"] if item["iso3"] == iso3]
    return entry, [(form["direction"], form["visibility"], form["is_nil"]) for form in entry["forms"]]


@pytest.mark.parametrize(
    ("persona", "sees_restricted"),
    [
        ("anonymous", False),
        ("signatory_rep", False),
        ("donor_rep", False),
        ("state_a_rep", True),  # Ghana's own representative
        ("state_b_rep", True),  # Mexico is a State Party
        ("staff_reporting", True),
        ("staff_finance", True),
    ],
)
def test_reports_list_restricted_forms_only_to_those_entitled(client, make_persona, reports, persona, sees_restricted):
    sign_in(client, make_persona(persona))

    body = client.get(REPORTS).json()

    assert body["count"] == 2
    ghana, forms = _forms(body, "GHA")
    assert ghana["kind"] == "annual"
    assert ghana["year"] == 2020
    assert ghana["version"] == 1
    assert ghana["amended"] is False
    expected = [("exports", "public", False)]
    if sees_restricted:
        expected.append(("imports", "restricted", False))
    assert forms == expected
    mexico, mexico_forms = _forms(body, "MEX")
    assert (mexico["version"], mexico["amended"]) == (2, True)
    assert mexico_forms == [("exports", "public", False), ("imports", "public", True)]


@pytest.mark.parametrize("persona", ["anonymous", "signatory_rep", "state_a_rep", "state_b_rep", "staff_admin"])
def test_the_bulk_rule_is_the_selectors_rule(make_persona, reports, persona):
    principal = principal_for(make_persona(persona))
    versions = list(published_reports_visible_to(principal))

    bulk = api_transfers.forms_visible_in_many(principal, versions)

    for version in versions:
        assert [form.pk for form in bulk[version.pk]] == [form.pk for form in forms_visible_in(principal, version)]


def test_reports_filter_by_year_state_and_kind(client, reports):
    assert [item["iso3"] for item in client.get(REPORTS, {"year": "2021"}).json()["results"]] == ["MEX"]
    assert [item["year"] for item in client.get(REPORTS, {"state": "gha"}).json()["results"]] == [2020]
    assert client.get(REPORTS, {"kind": "initial"}).json()["count"] == 0
    assert ReportVersion.objects.filter(status="published").count() == 3  # Mexico's first version stays

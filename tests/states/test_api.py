"""The public JSON API of the State registry, its OpenAPI schema and its browsable docs."""

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
import yaml
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from drf_spectacular.validation import validate_schema

from secretariat.states.api import StateDetailApi, StateListApi
from secretariat.states.models import ScaleRate, State
from tests.factories import StateFactory

pytestmark = pytest.mark.django_db

LIST_URL = reverse("api-state-list")
ITEM_FIELDS = {
    "iso3",
    "iso2",
    "name",
    "names",
    "status",
    "status_reason",
    "entry_into_force",
    "region",
    "un_standing",
    "signature",
    "instrument",
    "deposit",
    "art23_declaration",
    "url",
}
# ISO 3166 user-assigned alpha-2 codes: never a real State.
USER_ASSIGNED_ALPHA2 = [f"Q{chr(c)}" for c in range(ord("M"), ord("Z") + 1)] + [f"X{chr(c)}" for c in range(65, 91)]


def detail_url(iso3):
    return reverse("api-state-detail", kwargs={"iso3": iso3})


@pytest.fixture
def made_up():
    """Two made-up States: a State Party with scale rates, and one known only from a partial date."""
    party = StateFactory(
        iso3="XPA",
        iso2="XP",
        name_en="Qux Party",
        name_fr="Qux Partie",
        name_es="Qux Parte",
        name_zh="库克斯",
        region="african",
        signature_date=dt.date(2013, 6, 3),
        instrument="ratification",
        deposit_date=dt.date(2015, 3, 2),
        art23_declaration="yes",
        art23_date=dt.date(2014, 1, 10),
        treaty_source="UNTC",
    )
    ScaleRate.objects.create(state=party, year=2025, rate_percent=Decimal("0.01200"))
    ScaleRate.objects.create(state=party, year=2024, rate_percent=Decimal("0.01000"))
    unclear = StateFactory(
        iso3="XUN",
        iso2="XU",
        name_en="Qux Unclear",
        region="asia_pacific",
        signature_date_partial="2013-09",
        deposit_date_partial="2019",
    )
    return {"party": party, "unclear": unclear}


def get_json(client, url, params=None):
    response = client.get(url, params or {})
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def items_by_code(payload):
    return {item["iso3"]: item for item in payload["results"]}


# ---------------------------------------------------------------------------- list


def test_it_lists_every_state_in_one_page_with_a_count(client, made_up):
    payload = get_json(client, LIST_URL)

    assert payload["count"] == State.objects.count()
    assert len(payload["results"]) == payload["count"]
    assert payload["next"] is None


def test_it_describes_each_state(client, made_up):
    payload = get_json(client, LIST_URL, {"as_of": "2024-01-01"})

    item = items_by_code(payload)["XPA"]
    assert set(item) >= ITEM_FIELDS
    assert item == {
        "iso3": "XPA",
        "iso2": "XP",
        "name": "Qux Party",
        "names": {"en": "Qux Party", "fr": "Qux Partie", "es": "Qux Parte", "zh": "库克斯"},
        "status": "party",
        "status_reason": "",
        "entry_into_force": "2015-05-31",
        "region": "african",
        "un_standing": "member",
        "signature": "2013-06-03",
        "instrument": "ratification",
        "deposit": "2015-03-02",
        "art23_declaration": "yes",
        "url": "https://testserver/states/XPA/",
    }


def test_it_gives_partial_dates_as_text_and_unknown_values_as_null(client, made_up):
    item = items_by_code(get_json(client, LIST_URL, {"as_of": "2024-01-01"}))["XUN"]

    assert item["signature"] == "2013-09"
    assert item["deposit"] == "2019"
    assert item["entry_into_force"] is None
    assert item["instrument"] == ""
    assert item["status"] == "unknown"
    assert item["status_reason"] == "The deposit is known only as 2019."
    assert item["art23_declaration"] == "unknown"


def test_it_gives_the_english_name_whatever_the_language_of_the_request(client, made_up):
    response = client.get(LIST_URL, HTTP_ACCEPT_LANGUAGE="fr")

    item = items_by_code(response.json())["XPA"]
    assert item["name"] == "Qux Party"
    assert item["names"]["fr"] == "Qux Partie"


@pytest.mark.parametrize(
    ("params", "included", "excluded"),
    [
        ({"status": "party"}, {"XPA"}, {"XUN"}),
        ({"status": "unknown"}, {"XUN"}, {"XPA"}),
        ({"status": "signatory", "as_of": "2015-01-01"}, {"XPA", "XUN"}, set()),
        ({"status": "unknown", "as_of": "2013-09-15"}, {"XUN"}, {"XPA"}),
        ({"status": "not_joined", "as_of": "2013-01-01"}, {"XPA", "XUN"}, set()),
        ({"region": "african"}, {"XPA"}, {"XUN"}),
        ({"region": "asia_pacific", "status": "unknown"}, {"XUN"}, {"XPA"}),
    ],
)
def test_it_filters_by_status_region_and_day(client, made_up, params, included, excluded):
    payload = get_json(client, LIST_URL, {"as_of": "2024-01-01", **params})

    codes = set(items_by_code(payload))
    assert included <= codes
    assert not excluded & codes
    assert payload["count"] == len(payload["results"])
    if "status" in params:
        assert {item["status"] for item in payload["results"]} == {params["status"]}
    if "region" in params:
        assert {item["region"] for item in payload["results"]} == {params["region"]}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "superpower"}, "status"),
        ({"region": "atlantis"}, "region"),
        ({"as_of": "31/12/2020"}, "as_of"),
        ({"as_of": "2020-02-30"}, "as_of"),
    ],
)
def test_it_explains_a_bad_filter_with_a_400(client, made_up, params, field):
    response = client.get(LIST_URL, params)

    assert response.status_code == 400
    assert field in response.json()


def test_it_pages_with_limit_and_offset(client, made_up):
    total = State.objects.count()

    payload = get_json(client, LIST_URL, {"limit": 1, "offset": 1})

    assert payload["count"] == total
    assert len(payload["results"]) == 1
    assert "offset=2" in payload["next"]


def test_it_runs_the_same_queries_for_few_and_many_states(client):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            get_json(client, LIST_URL)
        return len(captured)

    for index in range(3):
        StateFactory(iso3=f"QM{chr(65 + index)}", iso2=USER_ASSIGNED_ALPHA2[index])
    few = queries()
    for index in range(3, 40):
        StateFactory(iso3=f"Q{chr(77 + index // 26)}{chr(65 + index % 26)}", iso2=USER_ASSIGNED_ALPHA2[index])
    many = queries()

    assert few == many
    assert many <= 2


# ---------------------------------------------------------------------------- detail


def test_it_describes_one_state_with_scale_rates_and_treaty_events(client, made_up):
    item = get_json(client, detail_url("XPA"), {"as_of": "2024-01-01"})

    assert set(item) >= ITEM_FIELDS | {"scale_rates", "treaty_events"}
    assert item["status"] == "party"
    assert item["scale_rates"] == [
        {"year": 2025, "rate_percent": "0.01200"},
        {"year": 2024, "rate_percent": "0.01000"},
    ]
    assert item["treaty_events"] == [
        {"date": "2013-06-03", "label": "Signature"},
        {"date": "2014-01-10", "label": "Declaration of provisional application (Art. 23)"},
        {"date": "2015-03-02", "label": "Deposit of instrument of ratification"},
        {"date": "2015-05-31", "label": "Entry into force for the State"},
    ]
    assert item["art23_date"] == "2014-01-10"


def test_it_computes_the_detail_status_as_of_a_day(client, made_up):
    assert get_json(client, detail_url("XPA"), {"as_of": "2015-05-30"})["status"] == "signatory"
    assert get_json(client, detail_url("XPA"), {"as_of": "2015-05-31"})["status"] == "party"


def test_it_accepts_a_lower_case_code(client, made_up):
    assert get_json(client, "/api/v1/states/xpa/")["iso3"] == "XPA"


def test_it_returns_404_for_an_unknown_state(client, made_up):
    response = client.get(detail_url("XZZ"))

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


def test_it_reads_one_state_in_two_queries(client, made_up, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        client.get(detail_url("XPA"))


# ---------------------------------------------------------------------------- read only


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("persona", ["anonymous", "state_a_rep", "staff_admin"])
@pytest.mark.parametrize("which", ["list", "detail"])
def test_it_refuses_every_write_and_changes_nothing(client_as, made_up, method, persona, which):
    client, _user = client_as(persona)
    url = LIST_URL if which == "list" else detail_url("XPA")
    states_before = State.objects.count()
    versions_before = State.history.count()
    body = json.dumps({"iso3": "XPA", "name": "Renamed", "status": "not_joined"})

    response = getattr(client, method)(url, body, content_type="application/json")

    assert response.status_code in (403, 405)
    assert State.objects.count() == states_before
    assert State.history.count() == versions_before
    assert State.objects.get(iso3="XPA").name_en == "Qux Party"


@pytest.mark.parametrize("view", [StateListApi, StateDetailApi])
def test_it_declares_the_public_read_only_policy(view):
    assert view.access_policy == "public"
    assert [permission.__name__ for permission in view.permission_classes] == ["PublicReadOnly"]


# ---------------------------------------------------------------------------- OpenAPI schema and docs


def test_the_schema_is_valid_openapi_and_documents_both_endpoints_and_their_filters(client):
    response = client.get(reverse("api-schema"))

    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    validate_schema(schema)
    assert {"/api/v1/states/", "/api/v1/states/{iso3}/"} <= set(schema["paths"])
    operation = schema["paths"]["/api/v1/states/"]["get"]
    parameters = {parameter["name"]: parameter for parameter in operation["parameters"]}
    assert {"status", "region", "as_of", "limit", "offset"} <= set(parameters)
    assert parameters["status"]["schema"]["enum"] == ["party", "signatory", "not_joined", "unknown"]
    assert "african" in parameters["region"]["schema"]["enum"]
    assert parameters["as_of"]["schema"]["format"] == "date"
    page = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert {"count", "results"} <= set(schema["components"]["schemas"][page]["properties"])
    detail = schema["paths"]["/api/v1/states/{iso3}/"]["get"]
    detail_schema = detail["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert {"scale_rates", "treaty_events"} <= set(schema["components"]["schemas"][detail_schema]["properties"])


def test_the_schema_generates_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    assert "/api/v1/states/{iso3}/" in target.read_text()


def test_the_docs_page_renders_from_local_files_only(client):
    response = client.get(reverse("api-docs"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    # Every script and stylesheet comes from this site: no CDN.
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources
    assert all(source.startswith("/") and not source.startswith("//") for source in sources), sources
    assert "cdn" not in html.lower()
    # No inline script: the Content-Security-Policy (script-src 'self') would block it.
    assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", html)
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp


def test_the_docs_script_is_served_from_this_site(client):
    response = client.get(reverse("api-docs"), {"script": ""})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in response.content.decode()
    assert "/api/v1/schema/" in response.content.decode()


# ---------------------------------------------------------------------------- the real registry


@pytest.fixture
def real_registry(db):
    call_command("load_reference_data", verbosity=0)


@pytest.mark.usefixtures("real_registry")
def test_the_real_registry_lists_every_state_in_one_page(client):
    payload = get_json(client, LIST_URL)

    # 193 UN Member States, the two observer States (Holy See, State of Palestine) and Niue.
    assert payload["count"] == 196
    assert len(payload["results"]) == 196


@pytest.mark.usefixtures("real_registry")
def test_the_real_registry_counts_118_states_parties(client):
    payload = get_json(client, LIST_URL, {"status": "party"})

    # Today; the last of them (Ecuador, 2026) counts from the day its status was recorded.
    assert payload["count"] == 118


@pytest.mark.usefixtures("real_registry")
@pytest.mark.parametrize(
    ("iso3", "entry_into_force"),
    [("AFG", "2020-10-27"), ("ALB", "2014-12-24")],
)
def test_the_real_registry_computes_entry_into_force(client, iso3, entry_into_force):
    item = get_json(client, detail_url(iso3))

    assert item["entry_into_force"] == entry_into_force
    assert item["status"] == "party"
    assert item["scale_rates"]

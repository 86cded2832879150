"""GET /api/v1/states/<iso3>/obligations/: public, read only, documented."""

import pytest
import yaml
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.validation import validate_schema

from secretariat.reporting.api import StateObligationsApi
from secretariat.reporting.models import ReportingRule
from secretariat.states.models import State

pytestmark = pytest.mark.django_db


def url(iso3: str) -> str:
    return reverse("api-state-obligations", kwargs={"iso3": iso3})


def test_it_gives_afghanistans_obligations_as_of_a_day(client):
    response = client.get(url("afg"), {"as_of": "2022-06-05"})

    assert response.status_code == 200
    body = response.json()
    assert body["iso3"] == "AFG"
    assert body["as_of"] == "2022-06-05"
    assert body["computable"] is True
    assert body["reason"] == ""
    assert body["rule"] == {"name": ReportingRule.objects.get().name, "effective_from": "2014-12-24", "grace_days": 7}
    assert body["obligations"] == [
        {
            "kind": "initial",
            "year": None,
            "opens_on": "2020-10-27",
            "due_date": "2021-10-26",
            "grace_ends_on": "2021-11-02",
            "status": "overdue",
        },
        {
            "kind": "annual",
            "year": 2021,
            "opens_on": "2022-01-01",
            "due_date": "2022-05-31",
            "grace_ends_on": "2022-06-07",
            "status": "due",
        },
        {
            "kind": "annual",
            "year": 2022,
            "opens_on": "2023-01-01",
            "due_date": "2023-05-31",
            "grace_ends_on": "2023-06-07",
            "status": "not_yet_due",
        },
    ]


def test_it_uses_today_without_as_of(client):
    body = client.get(url("AFG")).json()

    assert body["as_of"] == timezone.localdate().isoformat()
    assert body["obligations"][-1]["year"] == timezone.localdate().year


def test_it_explains_why_ecuadors_obligations_cannot_be_computed(client):
    body = client.get(url("ECU"), {"as_of": "2026-06-01"}).json()

    assert body["computable"] is False
    assert body["reason"] == State.objects.get(iso3="ECU").entry_into_force_unknown_reason
    assert body["obligations"] == []


def test_it_says_a_signatory_is_not_a_state_party(client):
    body = client.get(url("AGO")).json()

    assert body["computable"] is False
    assert body["reason"] == "Not a State Party"


def test_it_refuses_a_bad_date_with_a_message(client):
    response = client.get(url("AFG"), {"as_of": "2022-02-30"})

    assert response.status_code == 400
    assert "as_of" in response.json()


def test_it_answers_404_for_an_unknown_state(client):
    assert client.get(url("XXX")).status_code == 404


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_it_refuses_writes_and_changes_nothing(client, method):
    before = list(ReportingRule.objects.values())
    state_before = list(State.objects.filter(iso3="AFG").values())

    response = getattr(client, method)(url("AFG"), data={"grace_days": 0}, content_type="application/json")

    assert response.status_code in (403, 405)
    assert list(ReportingRule.objects.values()) == before
    assert list(State.objects.filter(iso3="AFG").values()) == state_before


def test_it_reads_one_state_in_three_queries(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = client.get(url("AFG"), {"as_of": "2025-06-01"})
    assert len(response.json()["obligations"]) == 6


def test_it_is_public_and_read_only():
    assert StateObligationsApi.access_policy == "public"
    assert [permission.__name__ for permission in StateObligationsApi.permission_classes] == ["PublicReadOnly"]


def test_the_schema_documents_the_endpoint(client):
    schema = yaml.safe_load(client.get(reverse("api-schema")).content)

    validate_schema(schema)
    operation = schema["paths"]["/api/v1/states/{iso3}/obligations/"]["get"]
    parameters = {parameter["name"]: parameter for parameter in operation["parameters"]}
    assert parameters["as_of"]["schema"]["format"] == "date"
    assert parameters["iso3"]["in"] == "path"
    name = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    properties = schema["components"]["schemas"][name]["properties"]
    assert {"iso3", "as_of", "computable", "reason", "rule", "obligations"} <= set(properties)


def test_the_schema_lists_the_statuses(client):
    schema = yaml.safe_load(client.get(reverse("api-schema")).content)

    item = schema["components"]["schemas"]["Obligation"]["properties"]["status"]
    # A field with a description refers to its enum through allOf (OpenAPI 3.0 has no $ref siblings).
    assert item["allOf"] == [{"$ref": "#/components/schemas/ObligationStatusEnum"}]
    assert "recorded in this platform" in item["description"]
    treaty_status = schema["components"]["schemas"]["StateListItem"]["properties"]["status"]
    assert treaty_status["$ref"] == "#/components/schemas/TreatyStatusEnum"
    assert schema["components"]["schemas"]["ObligationStatusEnum"]["enum"] == [
        "not_yet_due",
        "due",
        "overdue",
        "submitted_on_time",
        "submitted_in_grace",
        "submitted_late",
    ]

"""The reporting obligations panel on the State dossier."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from secretariat.states.models import State

pytestmark = pytest.mark.django_db


def dossier(client, iso3: str) -> str:
    response = client.get(reverse("states:dossier", kwargs={"iso3": iso3}))
    assert response.status_code == 200
    return response.content.decode()


def test_it_shows_afghanistans_obligations_on_its_dossier(client):
    html = dossier(client, "AFG")

    assert "Reporting obligations (Article 13)" in html
    assert '<time datetime="2021-10-26">' in html  # the initial report
    assert '<time datetime="2022-05-31">' in html  # the annual report on 2021
    assert '<time datetime="2022-06-07">' in html  # its grace period
    assert "badge-obligation-overdue" in html  # nothing can be submitted yet
    assert "badge-obligation-not_yet_due" in html  # the current year
    assert f"<td>{timezone.localdate().year}</td>" in html
    assert "grace period of 7 days" in html


def test_it_gives_the_reason_for_ecuador(client):
    html = dossier(client, "ECU")

    assert "The reporting obligations cannot be computed." in html
    assert State.objects.get(iso3="ECU").entry_into_force_unknown_reason in html
    assert "badge-obligation-" not in html


def test_it_says_a_signatory_has_no_obligation(client):
    html = dossier(client, "AGO")

    assert "Not a State Party" in html
    assert "badge-obligation-" not in html


def test_it_is_translated(client):
    client.cookies["django_language"] = "fr"
    html = client.get(reverse("states:dossier", kwargs={"iso3": "AFG"}), HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    # The dates follow the reader's language even before the catalogue is filled.
    assert "26 octobre 2021" in html


def test_the_dossier_stays_within_its_query_budget(client, django_assert_max_num_queries):
    assert State.objects.get(iso3="AFG").entry_into_force == dt.date(2020, 10, 27)
    with django_assert_max_num_queries(8):  # + reporting history (rules, versions), contacts, control lists
        client.get(reverse("states:dossier", kwargs={"iso3": "AFG"}))

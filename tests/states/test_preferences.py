"""A State's preferred working language: who may set it, and what is recorded."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from secretariat.states.models import State
from secretariat.states.services import state_set_working_language
from tests.factories import StateFactory

pytestmark = pytest.mark.django_db


def preferences_url(state):
    return reverse("states:preferences", kwargs={"iso3": state.iso3})


def language_of(state):
    return State.objects.values_list("working_language", flat=True).get(pk=state.pk)


def history_count(state):
    return State.history.filter(id=state.pk).count()


@pytest.fixture
def english_state_a(state_a):
    State.objects.filter(pk=state_a.pk).update(working_language="en")
    state_a.refresh_from_db()
    return state_a


@pytest.mark.parametrize("persona", ["state_a_rep", "staff_reporting", "staff_admin"])
def test_it_lets_the_states_own_representatives_and_registry_staff_set_the_language(
    client_as, english_state_a, persona
):
    client, user = client_as(persona)

    response = client.post(preferences_url(english_state_a), {"working_language": "fr"})

    assert response.status_code == 302
    assert response["Location"] == reverse("states:dossier", kwargs={"iso3": english_state_a.iso3})
    assert language_of(english_state_a) == "fr"
    latest = State.history.filter(id=english_state_a.pk).latest("history_date")
    assert latest.history_user == user
    assert latest.working_language == "fr"


def test_it_shows_the_current_language_to_those_allowed(client_as, english_state_a):
    client, _user = client_as("state_a_rep")

    response = client.get(preferences_url(english_state_a))

    assert response.status_code == 200
    assert response.context["form"].initial["working_language"] == "en"
    html = response.content.decode()
    assert '<option value="en" selected>' in html
    assert "csrfmiddlewaretoken" in html


@pytest.mark.parametrize(
    "persona",
    ["state_b_rep", "staff_finance", "staff_programmes", "staff_meetings", "donor_rep", "management_committee"],
)
def test_it_refuses_everyone_else_and_changes_nothing(client_as, english_state_a, persona):
    client, _user = client_as(persona)
    versions = history_count(english_state_a)

    post = client.post(preferences_url(english_state_a), {"working_language": "es"})
    get = client.get(preferences_url(english_state_a))

    assert post.status_code == 403
    assert get.status_code == 403
    assert language_of(english_state_a) == "en"
    assert history_count(english_state_a) == versions


def test_it_sends_anonymous_visitors_to_sign_in_and_changes_nothing(client, english_state_a):
    response = client.post(preferences_url(english_state_a), {"working_language": "es"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert language_of(english_state_a) == "en"


def test_it_sends_staff_without_the_second_factor_to_it_first(client, make_persona, english_state_a):
    client.force_login(make_persona("staff_reporting"))

    response = client.post(preferences_url(english_state_a), {"working_language": "es"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp"))
    assert language_of(english_state_a) == "en"


def test_a_representative_of_one_state_cannot_set_anothers_even_with_a_lower_case_code(client_as, state_b):
    client, _user = client_as("state_a_rep")
    before = language_of(state_b)

    response = client.post(f"/states/{state_b.iso3.lower()}/preferences/", {"working_language": "es"})

    assert response.status_code == 403
    assert language_of(state_b) == before


def test_it_rejects_a_language_not_on_offer(client_as, english_state_a):
    client, _user = client_as("state_a_rep")

    response = client.post(preferences_url(english_state_a), {"working_language": "ru"})

    assert response.status_code == 200
    assert response.context["form"].errors["working_language"]
    assert language_of(english_state_a) == "en"


def test_it_returns_404_for_an_unknown_state(client_as):
    client, _user = client_as("staff_admin")

    assert client.get("/states/XZZ/preferences/").status_code == 404


# ---------------------------------------------------------------------------- the service


def test_the_service_records_who_changed_the_language(make_persona):
    state = StateFactory(working_language="en")
    actor = make_persona("staff_reporting")

    state_set_working_language(state=state, language="es", actor=actor)

    assert language_of(state) == "es"
    assert State.history.filter(id=state.pk).latest("history_date").history_user == actor


def test_the_service_writes_nothing_when_the_language_does_not_change(make_persona):
    state = StateFactory(working_language="fr")
    versions = history_count(state)

    state_set_working_language(state=state, language="fr", actor=make_persona("staff_admin"))

    assert history_count(state) == versions


def test_the_service_refuses_a_language_not_on_offer():
    state = StateFactory(working_language="en")

    with pytest.raises(ValidationError):
        state_set_working_language(state=state, language="de", actor=None)

    assert language_of(state) == "en"

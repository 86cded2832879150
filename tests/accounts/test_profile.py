"""A user's own profile: roles and scopes, language preference, password change."""

import pytest
from django.conf import settings

from tests import factories

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

PROFILE_URL = "/accounts/profile/"


def test_it_shows_the_users_own_roles_and_scopes(client_as, state_a):
    client, _user = client_as("state_a_rep")

    response = client.get(PROFILE_URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert "State representative" in page
    assert "Ghana" in page
    assert "no-store" in response["Cache-Control"]


def test_it_saves_the_language_preference_and_switches_the_interface(client_as):
    client, user = client_as("donor_rep")

    response = client.post(PROFILE_URL, {"preferred_language": "es"})

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.preferred_language == "es"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"


def test_it_refuses_an_unknown_language(client_as):
    client, user = client_as("donor_rep")

    response = client.post(PROFILE_URL, {"preferred_language": "xx"})

    assert response.status_code == 400
    user.refresh_from_db()
    assert user.preferred_language == "en"


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(PROFILE_URL)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/profile/"


def test_a_user_changes_their_password(client):
    user = factories.UserFactory()
    client.force_login(user)
    new = "another fine passphrase 2026"

    response = client.post(
        "/accounts/password/", {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )

    assert response["Location"] == "/accounts/password/done/"
    user.refresh_from_db()
    assert user.check_password(new)
    # The session that changed the password stays signed in.
    assert client.get(PROFILE_URL).status_code == 200

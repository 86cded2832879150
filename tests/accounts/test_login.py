"""Signing in with an email address, failed-attempt lockout (django-axes), demo accounts, signing out."""

import re

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session

from tests import factories

from .conftest import LOGIN_URL, OTP_URL, PASSWORD, post_login

pytestmark = pytest.mark.django_db

GENERIC_ERROR = "The email address or the password is not correct."


def _comparable(response, email):
    page = response.content.decode().replace(email, "EMAIL")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


def _signed_in_user_id(client):
    return client.session.get("_auth_user_id")


def test_it_signs_in_with_email_and_password(client):
    user = factories.UserFactory(email="ama@example.org")

    response = post_login(client, "ama@example.org", PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert _signed_in_user_id(client) == str(user.pk)


def test_it_accepts_the_email_in_any_case(client):
    user = factories.UserFactory(email="ama@example.org")

    post_login(client, "  Ama@Example.ORG ", PASSWORD)

    assert _signed_in_user_id(client) == str(user.pk)


def test_it_gives_the_same_answer_for_an_unknown_email_and_a_wrong_password(client):
    factories.UserFactory(email="ama@example.org")

    unknown = post_login(client, "nobody@example.org", "whatever-password")
    wrong_password = post_login(client, "ama@example.org", "whatever-password")

    assert unknown.status_code == wrong_password.status_code == 200
    assert GENERIC_ERROR in unknown.content.decode()
    assert GENERIC_ERROR in wrong_password.content.decode()
    # The pages differ only by the email typed back into the form (and the masked CSRF token).
    assert _comparable(unknown, "nobody@example.org") == _comparable(wrong_password, "ama@example.org")
    assert _signed_in_user_id(client) is None


def test_it_refuses_a_deactivated_account_with_the_same_message(client):
    factories.UserFactory(email="gone@example.org", is_active=False)

    response = post_login(client, "gone@example.org", PASSWORD)

    assert GENERIC_ERROR in response.content.decode()
    assert _signed_in_user_id(client) is None


def test_it_cycles_the_session_at_sign_in(client):
    factories.UserFactory(email="ama@example.org")
    client.get(LOGIN_URL)
    session = client.session
    session["probe"] = "before"
    session.save()
    key_before = session.session_key

    post_login(client, "ama@example.org", PASSWORD)

    assert client.session.session_key != key_before


def test_it_follows_a_safe_next_and_ignores_an_unsafe_one(client):
    factories.UserFactory(email="ama@example.org")

    response = post_login(client, "ama@example.org", PASSWORD, next="/states/")
    assert response["Location"] == "/states/"

    client.post("/accounts/logout/")
    response = post_login(client, "ama@example.org", PASSWORD, next="https://evil.example.com/")
    assert response["Location"] == "/"


def test_it_sends_staff_to_the_second_factor_after_the_password(client):
    staff = factories.UserFactory(email="staff@example.org", is_staff=True)
    factories.RoleAssignmentFactory(user=staff, role="staff_finance")

    response = post_login(client, "staff@example.org", PASSWORD, next="/states/")

    assert response.status_code == 302
    assert response["Location"] == f"{OTP_URL}?next=%2Fstates%2F"


class TestLockout:
    def test_it_locks_the_email_and_address_pair_after_the_failure_limit(self, client):
        factories.UserFactory(email="ama@example.org")
        limit = settings.AXES_FAILURE_LIMIT
        assert limit == 5

        for _attempt in range(limit - 1):
            response = post_login(client, "ama@example.org", "wrong-password")
            assert response.status_code == 200
        # The limit-th failure is the one that locks.
        assert post_login(client, "ama@example.org", "wrong-password").status_code == 429

        response = post_login(client, "ama@example.org", PASSWORD)

        assert response.status_code == 429
        assert "Too many failed sign-in attempts" in response.content.decode()
        assert _signed_in_user_id(client) is None

    def test_it_counts_every_spelling_of_the_address_together(self, client):
        factories.UserFactory(email="ama@example.org")
        for spelling in ["ama@example.org", "AMA@example.org", "Ama@Example.org", "ama@EXAMPLE.ORG", "aMa@example.org"]:
            post_login(client, spelling, "wrong-password")

        response = post_login(client, "ama@example.org", PASSWORD)

        assert response.status_code == 429
        assert AccessAttempt.objects.get().username == "ama@example.org"

    def test_it_still_lets_another_email_in_from_the_same_address(self, client):
        factories.UserFactory(email="ama@example.org")
        other = factories.UserFactory(email="kofi@example.org")
        for _attempt in range(settings.AXES_FAILURE_LIMIT):
            post_login(client, "ama@example.org", "wrong-password")

        response = post_login(client, "kofi@example.org", PASSWORD)

        assert response.status_code == 302
        assert _signed_in_user_id(client) == str(other.pk)

    def test_the_lockout_page_does_not_tell_whether_the_email_exists(self, client):
        for _attempt in range(settings.AXES_FAILURE_LIMIT):
            response = post_login(client, "nobody@example.org", "wrong-password")

        assert response.status_code == 429
        assert "nobody@example.org" not in response.content.decode()


class TestDemoAccounts:
    def test_it_refuses_a_demo_account_when_debug_is_off(self, client, settings):
        settings.DEBUG = False
        factories.UserFactory(email="admin@demo.att-platform.org", is_demo=True)

        response = post_login(client, "admin@demo.att-platform.org", PASSWORD)

        assert response.status_code == 200
        assert GENERIC_ERROR in response.content.decode()
        assert _signed_in_user_id(client) is None

    def test_it_accepts_a_demo_account_when_debug_is_on(self, client, settings):
        settings.DEBUG = True
        demo = factories.UserFactory(email="admin@demo.att-platform.org", is_demo=True)

        response = post_login(client, "admin@demo.att-platform.org", PASSWORD)

        assert response.status_code == 302
        assert _signed_in_user_id(client) == str(demo.pk)

    def test_a_demo_session_stops_working_when_debug_is_turned_off(self, client, settings):
        settings.DEBUG = True
        factories.UserFactory(email="admin@demo.att-platform.org", is_demo=True)
        post_login(client, "admin@demo.att-platform.org", PASSWORD)
        assert client.get("/accounts/profile/").status_code == 200

        settings.DEBUG = False
        response = client.get("/accounts/profile/")

        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN_URL)


class TestLogout:
    def test_it_refuses_a_get(self, client):
        user = factories.UserFactory()
        client.force_login(user)

        assert client.get("/accounts/logout/").status_code == 405
        assert _signed_in_user_id(client) == str(user.pk)

    def test_it_ends_the_session(self, client):
        user = factories.UserFactory()
        client.force_login(user)
        old_key = client.session.session_key

        response = client.post("/accounts/logout/")

        assert response.status_code == 302
        assert _signed_in_user_id(client) is None
        assert not Session.objects.filter(session_key=old_key).exists()

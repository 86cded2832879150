"""Two-factor sign-in for staff (TOTP): enrolment, verification, replay, throttling, redirects."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests import factories

from .conftest import OTP_URL, totp_code, wrong_code

pytestmark = pytest.mark.django_db

STAFF_PAGE = "/accounts/users/"


@pytest.fixture
def staff_admin(db):
    user = factories.UserFactory(email="admin@example.org", is_staff=True)
    factories.RoleAssignmentFactory(user=user, role="staff_admin")
    return user


@pytest.fixture
def password_only_client(client, staff_admin):
    """A staff member who has typed their password but not yet a code."""
    client.force_login(staff_admin)
    return client


def _confirmed_device(user):
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def _verified(client):
    return DEVICE_ID_SESSION_KEY in client.session


def test_staff_signed_in_without_a_code_are_sent_to_the_two_factor_page(password_only_client):
    response = password_only_client.get(STAFF_PAGE)

    assert response.status_code == 302
    assert response["Location"] == f"{OTP_URL}?next=%2Faccounts%2Fusers%2F"


def test_after_the_code_staff_reach_the_page_they_asked_for(password_only_client, staff_admin):
    device = _confirmed_device(staff_admin)

    response = password_only_client.post(OTP_URL, {"token": totp_code(device), "next": STAFF_PAGE})

    assert response.status_code == 302
    assert response["Location"] == STAFF_PAGE
    assert _verified(password_only_client)
    assert password_only_client.get(STAFF_PAGE).status_code == 200


def test_a_code_with_a_space_in_the_middle_is_accepted(password_only_client, staff_admin):
    device = _confirmed_device(staff_admin)
    code = totp_code(device)

    password_only_client.post(OTP_URL, {"token": f"{code[:3]} {code[3:]}"})

    assert _verified(password_only_client)


def test_the_session_gets_a_new_key_when_the_code_is_accepted(password_only_client, staff_admin):
    device = _confirmed_device(staff_admin)
    key_before = password_only_client.session.session_key

    password_only_client.post(OTP_URL, {"token": totp_code(device)})

    assert password_only_client.session.session_key != key_before


def test_a_wrong_code_gets_a_generic_message_and_no_access(password_only_client, staff_admin):
    device = _confirmed_device(staff_admin)

    response = password_only_client.post(OTP_URL, {"token": wrong_code(device), "next": STAFF_PAGE})

    assert response.status_code == 400
    assert "That code is not valid." in response.content.decode()
    assert not _verified(password_only_client)
    assert password_only_client.get(STAFF_PAGE).status_code == 302


def test_a_code_works_only_once(client, staff_admin):
    device = _confirmed_device(staff_admin)
    code = totp_code(device)
    client.force_login(staff_admin)
    client.post(OTP_URL, {"token": code})
    assert _verified(client)

    # A second session (say, an attacker who saw the code) replays it.
    client.post("/accounts/logout/")
    client.force_login(staff_admin)
    response = client.post(OTP_URL, {"token": code})

    assert response.status_code == 400
    assert not _verified(client)


def test_wrong_codes_lock_the_device_for_longer_and_longer(password_only_client, staff_admin):
    device = _confirmed_device(staff_admin)
    start = timezone.now()

    def at(seconds):
        return time_machine.travel(start + dt.timedelta(seconds=seconds), tick=False)

    # django-otp's back-off: after n failures in a row, wait 2**(n-1) seconds.
    for seconds in (0, 1.5, 4):
        with at(seconds):
            password_only_client.post(OTP_URL, {"token": wrong_code(device)})
    device.refresh_from_db()
    assert device.throttling_failure_count == 3

    with at(5):  # within the 4 seconds after the third failure: even the right code is refused
        response = password_only_client.post(OTP_URL, {"token": totp_code(device)})
    assert response.status_code == 400
    assert "Too many wrong codes" in response.content.decode()
    assert not _verified(password_only_client)

    with at(10):
        password_only_client.post(OTP_URL, {"token": totp_code(device)})
    assert _verified(password_only_client)
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_attempts_during_the_lock_do_not_get_through(password_only_client, staff_admin):
    device = _confirmed_device(staff_admin)
    with time_machine.travel(timezone.now(), tick=False):
        password_only_client.post(OTP_URL, {"token": wrong_code(device)})
        responses = [password_only_client.post(OTP_URL, {"token": totp_code(device)}) for _ in range(3)]

    assert all("Too many wrong codes" in response.content.decode() for response in responses)
    assert not _verified(password_only_client)


class TestEnrolment:
    def test_it_shows_a_qr_code_and_the_secret_of_a_new_unconfirmed_device(self, password_only_client, staff_admin):
        response = password_only_client.get(OTP_URL)

        assert response.status_code == 200
        device = TOTPDevice.objects.get(user=staff_admin)
        assert device.confirmed is False
        page = response.content.decode()
        assert "<svg" in page
        assert response.context["secret"].replace(" ", "") in device.config_url
        assert device.config_url.startswith("otpauth://totp/")

    def test_reloading_the_page_keeps_the_same_device(self, password_only_client, staff_admin):
        password_only_client.get(OTP_URL)
        password_only_client.get(OTP_URL)

        assert TOTPDevice.objects.filter(user=staff_admin).count() == 1

    def test_a_valid_code_confirms_the_device_and_verifies_the_session(self, password_only_client, staff_admin):
        password_only_client.get(OTP_URL)
        device = TOTPDevice.objects.get(user=staff_admin)

        response = password_only_client.post(OTP_URL, {"token": totp_code(device), "next": STAFF_PAGE})

        assert response["Location"] == STAFF_PAGE
        device.refresh_from_db()
        assert device.confirmed is True
        assert _verified(password_only_client)
        assert password_only_client.get(STAFF_PAGE).status_code == 200

    def test_a_wrong_code_leaves_the_device_unconfirmed(self, password_only_client, staff_admin):
        password_only_client.get(OTP_URL)
        device = TOTPDevice.objects.get(user=staff_admin)

        response = password_only_client.post(OTP_URL, {"token": wrong_code(device)})

        assert response.status_code == 400
        device.refresh_from_db()
        assert device.confirmed is False
        assert not _verified(password_only_client)

    def test_a_user_with_a_device_is_not_offered_a_new_one(self, password_only_client, staff_admin):
        _confirmed_device(staff_admin)

        response = password_only_client.get(OTP_URL)

        assert "<svg" not in response.content.decode()
        assert TOTPDevice.objects.filter(user=staff_admin).count() == 1


def test_an_unsafe_next_is_ignored(password_only_client, staff_admin):
    device = _confirmed_device(staff_admin)

    response = password_only_client.post(OTP_URL, {"token": totp_code(device), "next": "https://evil.example.com/"})

    assert response["Location"] == "/"


def test_non_staff_never_need_the_second_factor(client_as):
    client, user = client_as("state_a_rep")

    assert client.get("/accounts/profile/").status_code == 200
    response = client.get(OTP_URL)
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(OTP_URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_staff_need_no_code_while_debug_is_on(password_only_client, settings):
    settings.DEBUG = True

    assert password_only_client.get(STAFF_PAGE).status_code == 200

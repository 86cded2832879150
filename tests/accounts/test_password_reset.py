"""Password reset by email, through a real SMTP server."""

import re
from urllib.parse import urlsplit

import pytest

from tests import factories

from .conftest import PASSWORD, post_login

pytestmark = pytest.mark.django_db

RESET_URL = "/accounts/password-reset/"
NEW_PASSWORD = "a brand new passphrase 2026"


def _link(message):
    text = message.get_body(preferencelist=("plain",)).get_content()
    match = re.search(r"https?://\S+/accounts/reset/\S+/", text)
    assert match, text
    return match.group(0)


def test_it_emails_a_working_link_and_the_new_password_signs_in(
    client, smtp_server, django_capture_on_commit_callbacks
):
    user = factories.UserFactory(email="ama@example.org", full_name="Ama Mensah")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(RESET_URL, {"email": "Ama@Example.org"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/password-reset/sent/"
    assert smtp_server.recipients == [["ama@example.org"]]
    message = smtp_server.messages[0]
    assert message["To"] == "ama@example.org"
    assert "Choose a new password" in message["Subject"]
    assert message.get_body(preferencelist=("html",)) is not None

    link_path = urlsplit(_link(message)).path
    response = client.get(link_path)
    # Django moves the token out of the URL (so it cannot leak in a Referer) and shows the form.
    assert response.status_code == 302
    form_url = response["Location"]
    assert client.get(form_url).status_code == 200
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response["Location"] == "/accounts/reset/done/"

    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert post_login(client, "ama@example.org", NEW_PASSWORD).status_code == 302
    # The link works only once.
    client.post("/accounts/logout/")
    assert "does not work any more" in client.get(link_path).content.decode()


def test_it_writes_in_the_users_language(client, smtp_server, django_capture_on_commit_callbacks):
    factories.UserFactory(email="marie@example.org", preferred_language="fr")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(RESET_URL, {"email": "marie@example.org"})

    html = smtp_server.messages[0].get_body(preferencelist=("html",)).get_content()
    assert '<html lang="fr">' in html


def test_an_unknown_address_gets_the_same_page_and_no_email(client, smtp_server, django_capture_on_commit_callbacks):
    factories.UserFactory(email="ama@example.org")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        unknown = client.post(RESET_URL, {"email": "nobody@example.org"})

    assert unknown.status_code == 302
    assert unknown["Location"] == "/accounts/password-reset/sent/"
    assert callbacks == []
    assert smtp_server.messages == []
    assert client.get(unknown["Location"]).status_code == 200


@pytest.mark.parametrize(
    "account",
    [
        {"is_active": False},
        {"is_demo": True},
    ],
    ids=["deactivated", "demo"],
)
def test_it_sends_nothing_to_accounts_that_may_not_sign_in(
    client, smtp_server, django_capture_on_commit_callbacks, account
):
    factories.UserFactory(email="ama@example.org", **account)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(RESET_URL, {"email": "ama@example.org"})

    assert response["Location"] == "/accounts/password-reset/sent/"
    assert smtp_server.messages == []


def test_a_forged_token_is_refused(client):
    user = factories.UserFactory(email="ama@example.org")

    response = client.get("/accounts/reset/MQ/forged-token/")

    assert response.status_code == 200
    assert "does not work any more" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)

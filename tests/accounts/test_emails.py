"""core.emails: template triplets, rendered in the recipient's language, sent on commit."""

import pytest
from django.core import mail
from django.db import transaction

from secretariat.core.emails import email_render, email_send_on_commit

pytestmark = pytest.mark.django_db

CONTEXT = {
    "user": {"full_name": "Ama Mensah", "email": "ama@example.org"},
    "link": "https://platform.example.org/x/",
    "valid_days": 3,
    "site_url": "https://platform.example.org",
}


def test_it_renders_the_three_templates_in_the_language_asked_for():
    subject, text, html = email_render(template="accounts/emails/password_reset", context=CONTEXT, language="es")

    assert "\n" not in subject
    assert "Ama Mensah" in text
    assert "https://platform.example.org/x/" in text
    assert '<html lang="es">' in html


def test_it_sends_only_when_the_transaction_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email_send_on_commit(
            template="accounts/emails/password_reset", to=["ama@example.org"], context=CONTEXT, language="en"
        )

    assert [message.to for message in mail.outbox] == [["ama@example.org"]]
    assert mail.outbox[0].alternatives[0][1] == "text/html"


def test_a_rolled_back_transaction_sends_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                email_send_on_commit(
                    template="accounts/emails/password_reset", to=["ama@example.org"], context=CONTEXT, language="en"
                )
                raise RuntimeError("something failed after the email was asked for")
        except RuntimeError:
            pass

    assert callbacks == []
    assert mail.outbox == []

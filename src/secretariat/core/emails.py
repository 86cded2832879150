"""Sending the platform's emails: a subject/text/html template triplet, in the recipient's language.

Each message has three templates side by side, e.g. for `accounts/emails/invitation`:
`accounts/emails/invitation_subject.txt`, `accounts/emails/invitation.txt` and
`accounts/emails/invitation.html`. They are rendered at once (so they show the data of the
transaction that asked for them) and the message is sent only when that transaction commits:
a rolled-back invitation sends nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

logger = logging.getLogger(__name__)


def email_render(*, template: str, context: dict[str, Any], language: str) -> tuple[str, str, str]:
    """(subject, text body, html body) of the `template` triplet, rendered in `language`."""
    with translation.override(language):
        subject = render_to_string(f"{template}_subject.txt", context)
        text = render_to_string(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", context)
    # A subject is one line: a newline in it would be a header injection.
    subject = " ".join(subject.split())
    return subject, text, html


def email_message(
    *, template: str, to: Sequence[str], context: dict[str, Any], language: str
) -> EmailMultiAlternatives:
    subject, text, html = email_render(template=template, context=context, language=language)
    message = EmailMultiAlternatives(subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=list(to))
    message.attach_alternative(html, "text/html")
    return message


def email_send_on_commit(*, template: str, to: Sequence[str], context: dict[str, Any], language: str) -> None:
    """Render the `template` triplet in `language` now; send it to `to` once the transaction commits.

    Outside a transaction (autocommit) the message goes out at once. A failure to send is
    logged and does not undo the committed work.
    """
    message = email_message(template=template, to=to, context=context, language=language)
    transaction.on_commit(lambda: _send(message), robust=True)


def _send(message: EmailMultiAlternatives) -> None:
    try:
        message.send()
    except Exception:  # noqa: BLE001 - the work is committed; the failure is logged for the operators
        logger.exception("Could not send the email %r to %d recipient(s)", message.subject, len(message.to))

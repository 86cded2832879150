"""Fixtures for the accounts tests: a real SMTP server, TOTP codes, sign-in through the form."""

import socket
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from django_otp.oath import TOTP

LOGIN_URL = "/accounts/login/"
OTP_URL = "/accounts/two-factor/"
PASSWORD = "correct horse battery staple"  # the factories' password


@dataclass
class SmtpInbox:
    """What a real SMTP server (aiosmtpd, in a thread) received."""

    messages: list[EmailMessage] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        with self.lock:
            self.recipients.append(list(envelope.rcpt_tos))
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    # aiosmtpd's Controller cannot bind port 0 (its self-check needs the number), so ask the
    # kernel for a free port first.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on 127.0.0.1; Django's SMTP backend is pointed at it."""
    inbox = SmtpInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield inbox
    finally:
        controller.stop()


def totp_code(device, *, offset_steps: int = 0) -> str:
    """The code an authenticator app shows for `device` now (or `offset_steps` time steps away)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset_steps * device.step
    return f"{totp.token():0{device.digits}d}"


def wrong_code(device) -> str:
    """A well-formed code that is not valid now (nor one step either side)."""
    valid = {totp_code(device, offset_steps=offset) for offset in (-1, 0, 1)}
    for candidate in ("000000", "111111", "222222", "333333"):
        if candidate not in valid:
            return candidate
    raise AssertionError("unreachable")


def post_login(client, email, password, **extra):
    return client.post(LOGIN_URL, {"username": email, "password": password, **extra})

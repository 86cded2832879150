"""Reminder engine benchmarks (issue 4), printed as ratios measured in the same run.

1. Planning the reminders of all States for one date: the number of SQL queries with the real
   registry, then with 400 more States Parties (each with a contact). The ratio must be 1.00.
2. Sending N outbox messages (default 5,000) to a local SMTP sink (aiosmtpd in its own process)
   through `outbox_send` (claim, send, mark sent: two committed writes per message) against a bare
   `smtplib` loop sending the same messages (same text and HTML parts, same recipients) over one
   connection to the same sink. Target: at most 1.5x.

Run alone (it needs the benchmark database of run.py): `make bench`.
"""

from __future__ import annotations

import datetime as dt
import os
import smtplib
import socket
import statistics
import subprocess
import sys
import time
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MESSAGES = int(os.environ.get("BENCH_OUTBOX_MESSAGES", "5000"))
ROUNDS = int(os.environ.get("BENCH_OUTBOX_ROUNDS", "3"))
DAY = dt.date(2026, 5, 20)
EXTRA_STATES = 400


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _sink(port: int) -> None:
    """The SMTP sink process: accepts and counts every message."""
    from aiosmtpd.controller import Controller

    class Handler:
        received = 0

        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook
            Handler.received += 1
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    try:
        sys.stdin.read()  # until the parent closes our stdin
    finally:
        controller.stop()


def _planning_queries(echo) -> None:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from secretariat.reminders.services import reminders_plan
    from tests import factories

    def count() -> tuple[int, int, float]:
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            result = reminders_plan(day=DAY, dry_run=True)
            elapsed = time.perf_counter() - start
        return len(captured), len(result.planned), elapsed

    from secretariat.states.models import State

    letters = [chr(65 + n) for n in range(26)]
    used2 = set(State.objects.values_list("iso2", flat=True))
    used3 = set(State.objects.values_list("iso3", flat=True))
    free2 = [a + b for a in letters for b in letters if a + b not in used2]
    free3 = [f"{a}{b}{c}" for a in "QX" for b in letters for c in letters if f"{a}{b}{c}" not in used3]
    with transaction.atomic():
        small, planned_small, time_small = count()
        for number in range(EXTRA_STATES):
            state = factories.StateFactory(
                iso3=free3[number],
                iso2=free2[number],
                deposit_date=dt.date(2016, 1, 10),
                instrument="ratification",
            )
            factories.ContactFactory(state=state, email=f"npc{number}@example.org")
        large, planned_large, time_large = count()
        transaction.set_rollback(True)
    echo(
        f"{f'reminder planning: SQL queries, {196 + EXTRA_STATES} / 196 States':<44} {large / small:7.2f}x  "
        f"({large} vs {small} queries; {planned_large} vs {planned_small} messages planned; "
        f"{time_large * 1000:.0f} ms vs {time_small * 1000:.0f} ms)"
    )


def _bare_loop(port: int, messages: list[tuple[str, str, str, list[str]]]) -> float:
    from django.conf import settings

    start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for number, (subject, text, html, to) in enumerate(messages):
            email = EmailMessage()
            email["Subject"] = subject
            email["From"] = settings.DEFAULT_FROM_EMAIL
            email["To"] = ", ".join(to)
            email["Message-ID"] = f"<bare-{number}@bench>"
            email.set_content(text)
            email.add_alternative(html, subtype="html")
            smtp.send_message(email)
    return time.perf_counter() - start


def _outbox_run(messages: list[tuple[str, str, str, list[str]]], round_number: int) -> float:
    from django.utils import timezone

    from secretariat.reminders.models import MessageStatus, OutboxMessage
    from secretariat.reminders.services import outbox_send

    now = timezone.now()
    OutboxMessage.objects.bulk_create(
        [
            OutboxMessage(
                key=f"bench:{round_number}:{number}",
                kind="notice",
                planned_for=DAY,
                recipients=to,
                subject=subject,
                body_text=text,
                body_html=html,
                next_attempt_at=now,
                message_id=f"<bench-{round_number}-{number}@bench>",
            )
            for number, (subject, text, html, to) in enumerate(messages)
        ],
        batch_size=1000,
    )
    start = time.perf_counter()
    result = outbox_send()
    elapsed = time.perf_counter() - start
    if len(result.sent) != len(messages) or result.server_down:
        raise SystemExit(f"outbox_send sent {len(result.sent)} of {len(messages)}: {result.server_down}")
    assert not OutboxMessage.objects.filter(status=MessageStatus.PENDING).exists()  # noqa: S101
    OutboxMessage.objects.filter(key__startswith=f"bench:{round_number}:").delete()
    return elapsed


def _sending(echo) -> None:
    from django.test.utils import override_settings

    port = _free_port()
    sink = subprocess.Popen(  # noqa: S603 - this very module, as the sink
        [sys.executable, "-m", "benchmarks.bench_reminders", "--sink", str(port)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        if sink.stdout.readline().strip() != "ready":
            raise SystemExit("the SMTP sink did not start")
        body = (
            "Dear colleagues,\n\nThis is a reminder from the Secretariat of the Arms Trade Treaty.\n\n"
            "Report: Annual report 2025\nState: Ghana\nDeadline: 31 May 2026 (grace period until 7 June 2026)\n\n"
            "https://platform.example.org/reports/\n\nATT Secretariat\n"
        )
        html = (
            "<!doctype html><html><body>"
            + "".join(f"<p>{line}</p>" for line in body.splitlines() if line)
            + "</body></html>"
        )
        messages = [
            (f"Reminder: Annual report 2025 of State {n}, due 31 May 2026", body, html, [f"npc{n}@example.org"])
            for n in range(MESSAGES)
        ]
        settings = {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": port,
            "EMAIL_USE_TLS": False,
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
        }
        ratios, bare_times, outbox_times = [], [], []
        with override_settings(**settings):
            _bare_loop(port, messages[:200])  # warm up both paths
            _outbox_run(messages[:200], -1)
            for round_number in range(ROUNDS):
                bare = _bare_loop(port, messages)
                outbox = _outbox_run(messages, round_number)
                bare_times.append(bare)
                outbox_times.append(outbox)
                ratios.append(outbox / bare)
        echo(
            f"{f'outbox: {MESSAGES} messages / bare smtplib loop':<44} {statistics.median(ratios):7.2f}x  "
            f"(range {min(ratios):.2f}-{max(ratios):.2f}; {statistics.median(outbox_times):.2f} s vs "
            f"{statistics.median(bare_times):.2f} s; target <= 1.5x)"
        )
    finally:
        sink.stdin.close()
        sink.wait(timeout=30)


def run(echo=print) -> None:
    _planning_queries(echo)
    _sending(echo)


if __name__ == "__main__" and sys.argv[1:2] == ["--sink"]:
    _sink(int(sys.argv[2]))

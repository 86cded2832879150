"""`send_reminders` as real processes against PostgreSQL and a real SMTP server: two runs at once,
and a run killed with SIGKILL half-way. (The test database must be shared with the processes,
which pytest-django's in-memory SQLite is not: these run in CI on PostgreSQL.)"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.db import connection

from secretariat.reminders.models import MessageStatus, OutboxMessage, ReminderRule
from secretariat.states.models import State, TreatyStatus
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
DAY = "2026-05-20"


@pytest.fixture
def parties_with_contacts(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("the processes share the test database only on PostgreSQL (CI runs these)")
    call_command("load_reference_data", verbosity=0)
    # An earlier transactional test may have flushed the rows the data migration created.
    import_module("secretariat.reminders.migrations.0002_default_rules").create(django_apps, None)
    ReminderRule.objects.exclude(trigger="annual_report").update(active=False)
    parties = [
        state
        for state in State.objects.order_by("iso3")
        if state.status_on(dt.date(2026, 5, 20)).status == TreatyStatus.PARTY
    ][:60]
    for state in parties:
        factories.ContactFactory(state=state, email=f"npc@{state.iso3.lower()}.example.org")
    return parties


def start_run(port: int) -> subprocess.Popen:
    settings = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{settings['USER']}:{settings['PASSWORD']}@{settings['HOST']}:{settings['PORT']}/"
            f"{settings['NAME']}"
        ),
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "EMAIL_USE_TLS": "False",
        "DEBUG": "True",
    }
    return subprocess.Popen(  # noqa: S603 - our own manage.py, with fixed arguments
        [sys.executable, "manage.py", "send_reminders", "--date", DAY],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def due_message_ids() -> set[str]:
    return set(OutboxMessage.objects.exclude(status=MessageStatus.NO_RECIPIENT).values_list("message_id", flat=True))


def test_two_runs_started_together_deliver_every_message_exactly_once(parties_with_contacts, sink):
    sink.delay = 0.01  # so that the two runs overlap for the whole time
    runs = [start_run(sink.port), start_run(sink.port)]
    outputs = [run.communicate(timeout=120) for run in runs]

    assert [run.returncode for run in runs] == [0, 0], outputs
    received = Counter(sink.message_ids)
    assert set(received) == due_message_ids()
    assert len(received) > 50
    assert max(received.values()) == 1  # no message twice
    assert set(OutboxMessage.objects.filter(message_id__in=received).values_list("status", flat=True)) == {
        MessageStatus.SENT
    }
    sent_lines = [line for out, _err in outputs for line in out.splitlines() if line.startswith("SENT")]
    assert len(sent_lines) == len(received)  # each run printed only what it sent


def test_a_run_killed_half_way_and_run_again_delivers_every_message(parties_with_contacts, sink):
    sink.delay = 0.02
    first = start_run(sink.port)
    deadline = time.monotonic() + 60
    while sink.count() < 15 and time.monotonic() < deadline:
        time.sleep(0.005)
    first.send_signal(signal.SIGKILL)
    first_output = first.communicate(timeout=30)  # reaps it and closes its pipes
    delivered_before = sink.count()
    assert first.returncode == -signal.SIGKILL, (delivered_before, first_output)
    assert 15 <= delivered_before < len(due_message_ids())

    second = start_run(sink.port)
    out, err = second.communicate(timeout=120)

    assert second.returncode == 0, err
    received = Counter(sink.message_ids)
    assert set(received) == due_message_ids()
    assert len(received) > 50
    # Only a message in flight when the process died (accepted by the server, not yet recorded) can
    # arrive twice, and then with the same Message-ID, which receiving systems use to drop it.
    assert sum(received.values()) - len(received) <= 1
    assert set(OutboxMessage.objects.filter(message_id__in=received).values_list("status", flat=True)) == {
        MessageStatus.SENT
    }

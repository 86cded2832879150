"""The daily reminder run as a django-tasks task on the database backend."""

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from secretariat.reminders.models import OutboxMessage, ReminderRule
from secretariat.reminders.tasks import TASK_PATH, schedule_daily_run, send_reminders_daily
from secretariat.states.models import State
from tests import factories

pytestmark = pytest.mark.django_db


def test_scheduling_queues_one_run_for_the_next_send_hour(settings):
    settings.REMINDERS_SEND_HOUR = 6
    with time_machine.travel(dt.datetime(2026, 5, 17, 7, 30, tzinfo=dt.UTC)):
        assert schedule_daily_run() is True
        assert schedule_daily_run() is False
    queued = DBTaskResult.objects.get(task_path=TASK_PATH)
    assert queued.run_after == dt.datetime(2026, 5, 18, 6, 0, tzinfo=dt.UTC)


def test_the_task_sends_todays_reminders_and_queues_tomorrows_run(settings):
    settings.REMINDERS_SEND_HOUR = 6
    ReminderRule.objects.exclude(trigger="annual_report").update(active=False)
    factories.ContactFactory(state=State.objects.get(iso3="GHA"), email="npc@mfa.example.gh")

    with time_machine.travel(dt.datetime(2026, 5, 17, 6, 0, 5, tzinfo=dt.UTC)):
        outcome = send_reminders_daily.call()

    assert outcome["sent"] == 1
    assert mail.outbox[0].to == ["npc@mfa.example.gh"]
    assert OutboxMessage.objects.get(state__iso3="GHA").planned_for == dt.date(2026, 5, 17)
    queued = DBTaskResult.objects.get(task_path=TASK_PATH)
    assert queued.run_after == dt.datetime(2026, 5, 18, 6, 0, tzinfo=dt.UTC)


def test_the_database_worker_runs_the_queued_run_when_it_is_due(settings, monkeypatch, database_worker_signals):
    # The worker drops connections that are not in autocommit between tasks; inside this test's
    # transaction that would close the test's own connection (on PostgreSQL).
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)
    settings.REMINDERS_SEND_HOUR = 6
    ReminderRule.objects.exclude(trigger="annual_report").update(active=False)
    factories.ContactFactory(state=State.objects.get(iso3="GHA"), email="npc@mfa.example.gh")
    with time_machine.travel(dt.datetime(2026, 5, 16, 22, 0, tzinfo=dt.UTC)):
        schedule_daily_run()  # queued for 17 May, 06:00

    with time_machine.travel(dt.datetime(2026, 5, 17, 5, 59, tzinfo=dt.UTC)):
        call_command("db_worker", "--batch", "--no-startup-delay", stdout=StringIO(), stderr=StringIO())
    assert mail.outbox == []  # not yet due

    with time_machine.travel(dt.datetime(2026, 5, 17, 6, 0, 30, tzinfo=dt.UTC)):
        call_command("db_worker", "--batch", "--no-startup-delay", stdout=StringIO(), stderr=StringIO())

    assert [message.to for message in mail.outbox] == [["npc@mfa.example.gh"]]
    runs = DBTaskResult.objects.filter(task_path=TASK_PATH).order_by("run_after")
    assert [(run.status, run.run_after) for run in runs] == [
        ("SUCCESSFUL", dt.datetime(2026, 5, 17, 6, 0, tzinfo=dt.UTC)),
        ("READY", dt.datetime(2026, 5, 18, 6, 0, tzinfo=dt.UTC)),
    ]

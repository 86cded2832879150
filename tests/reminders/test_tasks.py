"""The daily reminder run as a django-tasks task on the database backend."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
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

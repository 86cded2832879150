"""The reminder run as a django-tasks task, for the database worker (`manage.py db_worker`).

`send_reminders_daily` does what `manage.py send_reminders` does for today, then queues itself
for the next day at REMINDERS_SEND_HOUR (UTC): a schedule without cron. `manage.py
schedule_reminders` queues the first run (once: it does nothing if a run is already queued).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django_tasks import TaskResultStatus, task

TASK_PATH = "secretariat.reminders.tasks.send_reminders_daily"


def next_run_after(now: dt.datetime) -> dt.datetime:
    """The next REMINDERS_SEND_HOUR o'clock (UTC) strictly after `now`."""
    today = now.astimezone(dt.UTC).replace(hour=settings.REMINDERS_SEND_HOUR, minute=0, second=0, microsecond=0)
    return today if today > now else today + dt.timedelta(days=1)


@task()
def send_reminders_daily(reschedule: bool = True) -> dict[str, int]:
    from .services import outbox_send, reminders_plan

    day = timezone.localdate()
    planned = reminders_plan(day=day)
    result = outbox_send()
    if reschedule:
        send_reminders_daily.using(run_after=next_run_after(timezone.now())).enqueue()
    return {"planned": len(planned.new_keys), "sent": len(result.sent), "failed": len(result.failed)}


def schedule_daily_run() -> bool:
    """Queue the daily run unless one is already waiting. True when one was queued."""
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(
        task_path=TASK_PATH, status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
    )
    if waiting.exists():
        return False
    send_reminders_daily.using(run_after=next_run_after(timezone.now())).enqueue()
    return True

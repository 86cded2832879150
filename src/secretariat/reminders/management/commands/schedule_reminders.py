"""Queue the daily reminder run for the django-tasks worker: `manage.py schedule_reminders`."""

from django.core.management.base import BaseCommand

from secretariat.reminders.tasks import next_run_after, schedule_daily_run


class Command(BaseCommand):
    help = "Queue the daily reminder run for the task worker (once; nothing happens if one is queued)."

    def handle(self, *args: object, **options: object) -> None:
        from django.utils import timezone

        if schedule_daily_run():
            self.stdout.write(f"The reminder run is queued for {next_run_after(timezone.now()).isoformat()}.")
        else:
            self.stdout.write("A reminder run is already queued.")

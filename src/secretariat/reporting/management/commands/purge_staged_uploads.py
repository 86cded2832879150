"""Delete spreadsheet uploads that were checked but never confirmed.

    python manage.py purge_staged_uploads [--hours 8]

An upload waits in "staging/" for its confirmation while the uploader's session lives; every new
upload already removes the files older than a session, so this is for a quiet platform (run it
from cron or the task worker once a day).
"""

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from secretariat.reporting.services_attachments import staged_uploads_purge


class Command(BaseCommand):
    help = "Delete staged spreadsheet uploads older than a session (never confirmed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--hours",
            type=float,
            default=settings.SESSION_COOKIE_AGE / 3600,
            help="Age from which a staged upload is deleted (default: the session lifetime).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = staged_uploads_purge(older_than=dt.timedelta(hours=options["hours"]))
        self.stdout.write(f"{deleted} staged upload(s) deleted.")

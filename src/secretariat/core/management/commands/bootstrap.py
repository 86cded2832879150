"""Everything `make run` needs after `migrate`: reference data, then demo users.

Both steps are idempotent: a reference file already imported is skipped (so corrections
made by staff in the UI are never overwritten), and demo users are created only once.
"""

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Load reference data and demo data (idempotent), then print the demo logins."

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("load_reference_data", stdout=self.stdout, stderr=self.stderr)
        call_command("load_demo_data", stdout=self.stdout, stderr=self.stderr)

"""Create one demo account per role (idempotent) and print the demo logins.

Demo accounts are marked `is_demo` and share one documented password. They can sign in
only while DEBUG is on (see accounts/backends.py), so a production database that somehow
received them is not opened by them.
"""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from secretariat.accounts.services import DEMO_PASSWORD, demo_data_load
from secretariat.core.roles import Role


class Command(BaseCommand):
    help = "Create the demo accounts (one per role; a second run changes nothing) and print their logins."

    def handle(self, *args: Any, **options: Any) -> None:
        result = demo_data_load()
        for email in result.skipped:
            self.stderr.write(
                self.style.WARNING(
                    f"Skipped {email}: its State is not in the registry yet (run load_reference_data first)."
                )
            )
        created = sum(1 for login in result.logins if login.created)
        self.stdout.write(f"Demo accounts: {created} created, {len(result.logins) - created} already there.")
        labels = dict(Role.choices)
        rows = [("Email", "Role", "Password")]
        for login in result.logins:
            role = str(labels.get(login.role, login.role))
            rows.append((login.email, f"{role} ({login.scope})" if login.scope else role, DEMO_PASSWORD))
        widths = [max(len(row[column]) for row in rows) for column in range(3)]
        rule = "  ".join("-" * width for width in widths)
        for index, row in enumerate(rows):
            self.stdout.write("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
            if index == 0:
                self.stdout.write(rule)
        if not settings.DEBUG:
            self.stdout.write(self.style.WARNING("DEBUG is off: demo accounts cannot sign in."))

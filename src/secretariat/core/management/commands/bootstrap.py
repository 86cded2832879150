"""Everything `make run` needs before serving: translations, migrations, reference data, demo
reports, demo contacts, demo finance data and demo users.

One process for all of them keeps a second `make run` quick. Every step is idempotent: a reference
file already imported is skipped (so corrections made by staff in the UI are never overwritten),
and demo users are created only once.
"""

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile translations, migrate, load reference and demo data (idempotent); print the demo logins."

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("compile_translations", stdout=self.stdout, stderr=self.stderr)
        call_command("migrate", interactive=False, verbosity=0, stdout=self.stdout, stderr=self.stderr)
        call_command("load_reference_data", stdout=self.stdout, stderr=self.stderr)
        from secretariat.reporting.demo import demo_reports_load

        created = demo_reports_load()
        if created:
            self.stdout.write(f"{created} synthetic demo reports created (marked as synthetic).")
        from secretariat.contacts.demo import demo_contacts_load

        contacts = demo_contacts_load()
        if contacts:
            self.stdout.write(f"{contacts} synthetic demo contacts created (marked “(demo)”, on example.org).")
        from secretariat.finance.demo import demo_finance_load

        invoices = demo_finance_load()
        if invoices:
            self.stdout.write(
                f"Synthetic finance data: 3 adopted budgets, {invoices} invoices and payments (marked “DEMO/”)."
            )
        call_command("load_demo_data", stdout=self.stdout, stderr=self.stderr)  # ends with the logins

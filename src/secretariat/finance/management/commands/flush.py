"""Django's `flush`, which empties the whole database (tests, development).

On SQLite it deletes row by row, which the ledger's append-only guards refuse, so they are lifted
for the flush and put back after it (see finance/triggers.py). On PostgreSQL flush truncates,
which fires no row triggers.
"""

from django.core.management.commands.flush import Command as FlushCommand
from django.db import connections

from secretariat.finance.triggers import lift_row_guards_sqlite, restore_row_guards_sqlite


class Command(FlushCommand):
    def handle(self, **options):
        connection = connections[options["database"]]
        if connection.vendor != "sqlite":
            return super().handle(**options)
        lift_row_guards_sqlite(connection)
        try:
            return super().handle(**options)
        finally:
            restore_row_guards_sqlite(connection)

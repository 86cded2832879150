"""Make a large synthetic transfer database for benchmarks and demonstrations.

    python manage.py generate_demo_reports --transfers 1000000 --seed 1

Deletes every synthetic report first (reports marked `is_synthetic`, including the demo reports
of `make run`), then writes N public transfer rows and the reports behind them
(see reporting/demo.py). Real reports are never touched.
"""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from secretariat.reporting.demo import generate_transfers


class Command(BaseCommand):
    help = "Replace the synthetic reports by new ones holding N public transfer rows (for benchmarks)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--transfers", type=int, required=True, help="Number of public transfer rows to make.")
        parser.add_argument("--seed", type=int, default=1, help="Seed of the random generator (same seed, same data).")

    def handle(self, *args: Any, **options: Any) -> None:
        count = options["transfers"]
        if count < 0:
            raise CommandError("--transfers must be zero or more.")
        started = time.perf_counter()

        def progress(done: int) -> None:
            if options["verbosity"] >= 2:
                self.stdout.write(f"  {done} rows")

        try:
            written = generate_transfers(count, seed=options["seed"], progress=progress)
        except ValueError as error:
            raise CommandError(str(error)) from error
        if options["verbosity"] >= 1:
            elapsed = time.perf_counter() - started
            self.stdout.write(f"{written} synthetic transfer rows written in {elapsed:.1f} s.")

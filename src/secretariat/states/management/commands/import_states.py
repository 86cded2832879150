"""Import a States file: registry columns and/or treaty columns (the format of att_membership.csv)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from secretariat.states.importers import ImportRejected
from secretariat.states.services import states_import


class Command(BaseCommand):
    help = (
        "Import States from a CSV file keyed by iso3. A file with any problem changes nothing and every "
        "problem is listed with its line number; importing the same file again changes nothing."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        try:
            report = states_import(path=file)
        except ImportRejected as exc:
            raise CommandError(f"{file} was not imported; nothing changed.\n{exc}") from exc
        if options["verbosity"] >= 2:
            for line in report.details:
                self.stdout.write(f"  {line}")
        self.stdout.write(
            f"{file.name}: {report.created} State(s) created, {report.changed} changed, {report.unchanged} unchanged."
        )

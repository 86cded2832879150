"""Import a UN scale of assessment (one rate column per triennial scale, e.g. un_rate_2028_2030_pct)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from secretariat.states.importers import ImportRejected
from secretariat.states.services import scale_import


class Command(BaseCommand):
    help = (
        "Import UN scale rates from a CSV file with a member_state column (UN name or ISO3) and one or more "
        "un_rate_YYYY_YYYY_pct columns; each rate applies to every year of its period. A file with any "
        "problem changes nothing; importing the same file again changes nothing."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--source", default="", help="Where the rates come from, e.g. 'GA res. 79/249'.")

    def handle(self, *args: Any, file: Path, source: str, **options: Any) -> None:
        try:
            report = scale_import(path=file, source=source)
        except ImportRejected as exc:
            raise CommandError(f"{file} was not imported; nothing changed.\n{exc}") from exc
        self.stdout.write(
            f"{file.name}: {report.created} rate(s) created, {report.changed} changed, {report.unchanged} unchanged."
        )

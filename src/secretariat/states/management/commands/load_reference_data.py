"""Load the reference files shipped in states/data/ — each file only once, ever.

A file already imported (same SHA-256) is skipped, so corrections that staff make in the UI survive
every later `make run`. A new release with an updated file imports the new version.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from secretariat.states.services import reference_file_imported, scale_import, states_import

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
REFERENCE_FILES = [
    ("states", DATA_DIR / "states_registry.csv"),
    ("states", DATA_DIR / "att_membership.csv"),
    ("un_scale", DATA_DIR / "un_scale_of_assessment_2025_2027.csv"),
]
SCALE_SOURCE = "UN scale of assessment, GA res. 79/249 (2025-2027) and 76/238 (2022-2024)"


class Command(BaseCommand):
    help = "Import the reference data shipped with the platform (each file once; idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        for kind, path in REFERENCE_FILES:
            if reference_file_imported(kind=kind, path=path):
                if options["verbosity"] >= 2:
                    self.stdout.write(f"{path.name}: already imported")
                continue
            report = states_import(path=path) if kind == "states" else scale_import(path=path, source=SCALE_SOURCE)
            if options["verbosity"] >= 1:
                self.stdout.write(f"{path.name}: {report.created} created, {report.changed} changed.")

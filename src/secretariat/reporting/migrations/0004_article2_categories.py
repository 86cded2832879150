"""Load the Art. 2(1) categories and SALW sub-categories (data/att_article2_categories.csv).

Reference data the transfer rows point at; idempotent (update_or_create by code), and the
reverse migration leaves the rows (transfer rows may already point at them).
"""

import csv
from pathlib import Path

from django.db import migrations

CSV = Path(__file__).resolve().parents[1] / "data" / "att_article2_categories.csv"


def load(apps, schema_editor):
    Category = apps.get_model("reporting", "Category")
    with CSV.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    by_code = {}
    for position, row in enumerate(rows, start=1):
        category, _created = Category.objects.update_or_create(
            code=row["code"],
            defaults={
                "parent": by_code.get(row["parent"]) if row["parent"] else None,
                "label_en": row["label_en"],
                "treaty_basis": row["treaty_basis"],
                "definition_basis": row["definition_basis"],
                "verified": row["verified"],
                "position": position,
            },
        )
        by_code[row["code"]] = category


class Migration(migrations.Migration):
    dependencies = [("reporting", "0003_reports")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

"""The three funds with their chart of accounts, the default assessment rules and consequence
of arrears (finance/reference.py), and the ledger's database triggers (finance/triggers.py)."""

from django.db import migrations


def create_reference(apps, schema_editor):
    from secretariat.finance.reference import ensure_reference_data

    ensure_reference_data(apps)


def install_triggers(apps, schema_editor):
    from secretariat.finance.triggers import install

    install(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("finance", "0001_initial")]

    operations = [
        migrations.RunPython(create_reference, migrations.RunPython.noop),
        migrations.RunPython(install_triggers, migrations.RunPython.noop),
    ]

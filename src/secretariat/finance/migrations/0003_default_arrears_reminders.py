"""The default Financial Rule 8 reminders (first in March, second in May–June), in four languages
(finance/services/arrears.py `default_arrears_rules`)."""

from django.db import migrations


def create_rules(apps, schema_editor):
    from secretariat.finance.services.arrears import default_arrears_rules

    default_arrears_rules(apps)


class Migration(migrations.Migration):
    dependencies = [("finance", "0002_funds_accounts_rules_triggers"), ("reminders", "0003_outbox_attachments")]

    operations = [migrations.RunPython(create_rules, migrations.RunPython.noop)]

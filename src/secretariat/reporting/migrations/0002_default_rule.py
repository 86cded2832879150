"""Create the default reporting rule, so that a fresh database has one (with its history row)."""

import datetime as dt

from django.db import migrations
from django.utils import timezone

DEFAULT_RULE = {
    "name": "Article 13 as the Secretariat applies it",
    "effective_from": dt.date(2014, 12, 24),
    "initial_due_days_before_anniversary": 1,
    "annual_due_month": 5,
    "annual_due_day": 31,
    "first_annual_year_offset": 1,
    "grace_days": 7,
    "source": (
        "Art. 13(1): initial report within the first year after entry into force for the State; "
        "Art. 13(3): annual report by 31 May on the preceding calendar year (treaty text, verified). "
        "Initial due date = first anniversary of entry into force minus one day, from the Secretariat's own "
        "example (EIF 24 Dec 2014 -> due 23 Dec 2015, thearmstradetreaty.org/reporting.html); UNVERIFIED for "
        "later joiners ('twelve months after' could also mean the anniversary itself). "
        "Grace period of 7 days (Stimson 2021); UNVERIFIED with the Secretariat. "
        "First annual report covers the first full calendar year after entry into force (inferred from the "
        "first reports being due in 2016 for 2015); UNVERIFIED as a general rule."
    ),
    "notes": "Created by migration reporting.0002. See DOMAIN.md §1.2.",
}


def create_default_rule(apps, schema_editor):
    rule_model = apps.get_model("reporting", "ReportingRule")
    history_model = apps.get_model("reporting", "HistoricalReportingRule")
    if rule_model.objects.exists():
        return
    rule = rule_model.objects.create(**DEFAULT_RULE)
    history_model.objects.create(
        id=rule.id,
        **DEFAULT_RULE,
        history_date=timezone.now(),
        history_type="+",
        history_change_reason="Default rule created by migration",
    )


def remove_default_rule(apps, schema_editor):
    apps.get_model("reporting", "ReportingRule").objects.filter(effective_from=DEFAULT_RULE["effective_from"]).delete()


class Migration(migrations.Migration):
    dependencies = [("reporting", "0001_initial")]

    operations = [migrations.RunPython(create_default_rule, remove_default_rule)]

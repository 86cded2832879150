"""The finance reference data every installation has: the three funds with the chart of accounts,
the default assessment rule set and the default consequence of arrears.

Created by migration 0002 (through `ensure_reference_data(apps)`) and again by anything that
empties the database and needs them back (tests that flush). Idempotent: existing rows, which
staff may have changed, are left as they are.
"""

from __future__ import annotations

from typing import Any

FUNDS = ["general", "vtf", "sponsorship"]
ACCOUNTS = {
    "1100": "asset",
    "1110": "asset",
    "1200": "asset",
    "2100": "liability",
    "3000": "net_assets",
    "4100": "revenue",
    "4200": "revenue",
    "4900": "revenue",
    "5100": "expense",
}
DEFAULT_RULES = {
    "name": "Financial Rule 5 (as understood)",
    "is_default": True,
    "secretariat_states": "parties",
    "conference_states": "attendance",
    "scale_year_offset": 0,
    "notes": (
        "UN scale of the financial year, rescaled to 100% among the assessed States; Secretariat "
        "costs shared by States Parties on the assessment date, Conference costs by the States in "
        "attendance. No floor or ceiling. DOMAIN.md 3.2: unverified against ATT/CSP1/CONF/2; "
        "change these rules when the text is read."
    ),
}
DEFAULT_CONSEQUENCE = {
    "code": "two-full-years",
    "label": "In arrears for two full years or more",
    "min_full_years": 2,
    "description": "Rule 8(1): the consequences are not verified (DOMAIN.md 3.2); configure them here.",
}


def ensure_reference_data(apps: Any = None, *, using: str = "default") -> None:
    """`apps`: the migration's historical registry, or None for the live models."""
    if apps is None:
        from django.apps import apps as live_apps

        apps = live_apps
    Fund = apps.get_model("finance", "Fund")  # noqa: N806 - a model class
    Account = apps.get_model("finance", "Account")  # noqa: N806
    RuleSet = apps.get_model("finance", "AssessmentRuleSet")  # noqa: N806
    ConsequenceRule = apps.get_model("finance", "ConsequenceRule")  # noqa: N806
    for code in FUNDS:
        fund, _created = Fund.objects.using(using).get_or_create(code=code, defaults={"currency": "USD"})
        for account_code, kind in ACCOUNTS.items():
            Account.objects.using(using).get_or_create(fund=fund, code=account_code, defaults={"kind": kind})
    if not RuleSet.objects.using(using).exists():
        RuleSet.objects.using(using).create(**DEFAULT_RULES)
    if not ConsequenceRule.objects.using(using).exists():
        ConsequenceRule.objects.using(using).create(**DEFAULT_CONSEQUENCE)

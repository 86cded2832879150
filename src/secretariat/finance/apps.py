from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "secretariat.finance"
    label = "finance"
    verbose_name = _("Finance")

    def ready(self) -> None:
        # The funds and the chart of accounts must exist whenever the tables do: migration 0002
        # makes them, and after `flush` (which empties every table, as tests do) Django sends
        # post_migrate again, which puts them back. Reference data, not business logic.
        post_migrate.connect(_ensure_reference_data, sender=self)
        # UI wiring (dossier panels) and the reminder engine's arrears watcher; the imports wait
        # for ready() because they import models.
        from secretariat.reminders.models import Trigger
        from secretariat.reminders.planning import register_watcher
        from secretariat.states.selectors import register_dossier_panel

        from .selectors.arrears_watch import arrears_dues
        from .selectors.dossier import arrears_dossier_panel, balance_dossier_panel

        register_dossier_panel(balance_dossier_panel)
        register_dossier_panel(arrears_dossier_panel)
        register_watcher(Trigger.ARREARS, arrears_dues)


def _ensure_reference_data(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    from django.db import connections

    from .reference import ensure_reference_data

    if "finance_account" not in connections[using].introspection.table_names():
        return  # migrated back before finance's tables (or not yet to them)
    ensure_reference_data(using=using)

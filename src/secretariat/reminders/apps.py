from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemindersConfig(AppConfig):
    name = "secretariat.reminders"
    label = "reminders"
    verbose_name = _("Reminders and outbox")

    def ready(self) -> None:
        # Registering the dossier panel is UI wiring, not business logic. The imports wait for
        # ready() because the selectors import models, which Django loads only after this module.
        from secretariat.states.selectors import register_dossier_panel

        from .selectors import reminder_log_dossier_panel

        register_dossier_panel(reminder_log_dossier_panel)

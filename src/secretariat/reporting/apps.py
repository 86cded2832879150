from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "secretariat.reporting"
    label = "reporting"
    verbose_name = _("Article 13 reporting")

    def ready(self) -> None:
        # Registering the dossier panel is UI wiring, not business logic. The imports wait for
        # ready() because the selectors import models, which Django loads only after this module.
        from secretariat.states.selectors import register_dossier_panel

        from .compliance import compliance_dossier_panel
        from .selectors import obligations_dossier_panel

        register_dossier_panel(obligations_dossier_panel)
        register_dossier_panel(compliance_dossier_panel)

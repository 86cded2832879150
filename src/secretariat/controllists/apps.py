from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ControllistsConfig(AppConfig):
    name = "secretariat.controllists"
    label = "controllists"
    verbose_name = _("National control lists")

    def ready(self) -> None:
        # Registering the dossier panel is UI wiring, not business logic. The imports wait for
        # ready() because the selectors import models, which Django loads only after this module.
        from secretariat.states.selectors import register_dossier_panel

        from .selectors import controllists_dossier_panel

        register_dossier_panel(controllists_dossier_panel)

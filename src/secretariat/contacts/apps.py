from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactsConfig(AppConfig):
    name = "secretariat.contacts"
    label = "contacts"
    verbose_name = _("National contacts")

    def ready(self) -> None:
        # Registering the dossier panel is UI wiring, not business logic. The imports wait for
        # ready() because the selectors import models, which Django loads only after this module.
        from secretariat.states.selectors import register_dossier_panel

        from .selectors import contacts_dossier_panel

        register_dossier_panel(contacts_dossier_panel)

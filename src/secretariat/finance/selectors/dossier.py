"""The finance panels of the State dossier (registered in apps.py)."""

from __future__ import annotations

from secretariat.core.access import Principal
from secretariat.states.models import State
from secretariat.states.selectors import DossierPanel


def balance_dossier_panel(state: State, principal: Principal) -> DossierPanel | None:
    """A State's invoices, payments, allocations and balance (its representatives and staff)."""
    from .receivables import balance_panel  # kept here: this file's imports are shared with the arrears area

    return balance_panel(state, principal)


def arrears_dossier_panel(state: State, principal: Principal) -> DossierPanel | None:
    """A State's arrears ageing, payment plans and consequence flags (its representatives and staff)."""
    from .arrears import arrears_panel  # kept here, like the balance panel's import

    return arrears_panel(state, principal)

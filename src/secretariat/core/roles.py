"""The platform's roles: one vocabulary shared by every app.

A role is granted to a user by a `accounts.RoleAssignment`; State representatives are
scoped to one State and donor representatives to one donor. Staff roles are the
Secretariat's groups.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    STAFF_ADMIN = "staff_admin", _("Secretariat: administration")
    STAFF_FINANCE = "staff_finance", _("Secretariat: finance")
    STAFF_REPORTING = "staff_reporting", _("Secretariat: reporting")
    STAFF_PROGRAMMES = "staff_programmes", _("Secretariat: programmes")
    STAFF_MEETINGS = "staff_meetings", _("Secretariat: meetings")
    STATE_REPRESENTATIVE = "state_representative", _("State representative")
    MANAGEMENT_COMMITTEE = "management_committee", _("Management Committee member")
    VTF_COMMITTEE = "vtf_committee", _("VTF Selection Committee member")
    DONOR_REPRESENTATIVE = "donor_representative", _("Donor representative")


STAFF_ROLES = frozenset(
    {Role.STAFF_ADMIN, Role.STAFF_FINANCE, Role.STAFF_REPORTING, Role.STAFF_PROGRAMMES, Role.STAFF_MEETINGS}
)
# Roles that need a scope, and which one.
STATE_SCOPED_ROLES = frozenset({Role.STATE_REPRESENTATIVE})
DONOR_SCOPED_ROLES = frozenset({Role.DONOR_REPRESENTATIVE})

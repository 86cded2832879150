"""What the access matrix and its per-area entry modules share: personas' groups, expected
answers and the Write description."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.conftest import PERSONAS, STAFF_PERSONAS

NON_STAFF = ["state_a_rep", "state_b_rep", "signatory_rep", "management_committee", "vtf_committee", "donor_rep"]
SIGNED_IN = [p for p in PERSONAS if p != "anonymous"]
REGISTRY_STAFF = ["staff_admin", "staff_reporting"]

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"

OK, LOGIN, DENIED, NOT_ALLOWED, REDIRECT, NOT_FOUND = "200", "login", "403", "405", "redirect", "404"


def expect(*, anonymous: str, non_staff: str, staff: str, **overrides: str) -> dict[str, str]:
    table = {"anonymous": anonymous}
    table.update(dict.fromkeys(NON_STAFF, non_staff))
    table.update(dict.fromkeys(STAFF_PERSONAS, staff))
    table.update(overrides)
    return table


EVERYONE = expect(anonymous=OK, non_staff=OK, staff=OK)
SIGNED_IN_ONLY = expect(anonymous=LOGIN, non_staff=OK, staff=OK)
ANY_STAFF = expect(anonymous=LOGIN, non_staff=DENIED, staff=OK)
ADMIN_STAFF = expect(anonymous=LOGIN, non_staff=DENIED, staff=DENIED, staff_admin=OK)
# POST-only actions for administrators: a GET is refused before anything else is looked at.
ADMIN_STAFF_POST_ONLY = expect(anonymous=LOGIN, non_staff=DENIED, staff=DENIED, staff_admin=NOT_ALLOWED)
REGISTRY = expect(anonymous=LOGIN, non_staff=DENIED, staff=DENIED, staff_admin=OK, staff_reporting=OK)
STATE_A_OR_REGISTRY = {**REGISTRY, "state_a_rep": OK}
# The Django admin sends everyone without access to the sign-in page, as Django does.
ADMIN_SITE = expect(anonymous=REDIRECT, non_staff=REDIRECT, staff=REDIRECT, staff_admin=OK)


@dataclass
class Write:
    method: str
    url: Any
    data: Any
    allowed: list[str]
    denied_status: tuple[str, ...] = (LOGIN, DENIED)

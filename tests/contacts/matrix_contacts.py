"""Access-matrix entries for the contacts pages (same format as tests/reporting/matrix_*.py).

Who: the directory and a State's contacts are for staff and representatives of States Parties
(Ghana, Mexico), never signatories, committees or donors; the list of designations is public.
Ghana's representatives propose Ghana's contacts (and changes), confirm them and download their
Notes Verbales; the admin and reporting staff verify, refuse, end and record contacts; any staff
member downloads the exports and the Notes Verbales.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests import factories
from tests.reporting.matrix_common import (
    ANY_STAFF,
    DENIED,
    EVERYONE,
    LOGIN,
    NOT_ALLOWED,
    OK,
    PDF,
    REGISTRY,
    REGISTRY_STAFF,
    Write,
    expect,
)

DIRECTORY = expect(anonymous=LOGIN, non_staff=DENIED, staff=OK, state_a_rep=OK, state_b_rep=OK)
STATE_A_ONLY = expect(anonymous=LOGIN, non_staff=DENIED, staff=DENIED, state_a_rep=OK)
SIGNED_IN_POST_ONLY = expect(anonymous=LOGIN, non_staff=NOT_ALLOWED, staff=NOT_ALLOWED)
VERIFIERS_POST_ONLY = expect(
    anonymous=LOGIN, non_staff=DENIED, staff=DENIED, staff_admin=NOT_ALLOWED, staff_reporting=NOT_ALLOWED
)
NOTE_VERBALE_READERS = expect(anonymous=LOGIN, non_staff=DENIED, staff=OK, state_a_rep=OK)


def _new_contact(t: Any) -> dict[str, Any]:
    return {
        "role": "reporting",
        "name": "Kofi Boateng",
        "title": "Reporting officer",
        "ministry": "Ministry of Defence",
        "email": "reporting@mod.example.gh",
        "other_emails": "k.boateng@mod.example.gh",
        "phones": "+233 30 266 4951",
        "postal_address": "Burma Camp, Accra",
        "working_language": "en",
        "valid_from": "2024-01-01",
        "valid_to": "",
        "note_verbale": SimpleUploadedFile("nv.pdf", PDF, content_type="application/pdf"),
        "note_verbale_date": "2023-12-01",
        "note_verbale_reference": "NV/GHA/2023/112",
    }


def _finance_contact(t: Any) -> Any:
    """A verified finance contact of Ghana without a pending change (made in the test's savepoint)."""
    return factories.ContactFactory(state=t.state, role="finance", name="Efua Owusu", email="finance@mof.example.gh")


def _change(t: Any) -> dict[str, str]:
    return {
        "name": "Efua Owusu",
        "title": "Director of Budget",
        "ministry": "Ministry of Finance",
        "email": "finance@mof.example.gh",
        "other_emails": "",
        "phones": "+233 30 268 6100",
        "postal_address": "",
        "working_language": "en",
        "valid_from": "2025-01-01",
        "valid_to": "",
        "note_verbale_date": "",
        "note_verbale_reference": "",
    }


PAGES: dict[str, tuple[Any, dict[str, str]]] = {
    "contacts/": (lambda t: "/contacts/", DIRECTORY),
    "contacts/designations/": (lambda t: "/contacts/designations/", EVERYONE),
    "contacts/pending/": (lambda t: "/contacts/pending/", REGISTRY),
    "contacts/export.xlsx": (lambda t: "/contacts/export.xlsx", ANY_STAFF),
    "contacts/export.pdf": (lambda t: "/contacts/export.pdf", ANY_STAFF),
    "contacts/<iso3:iso3>/": (lambda t: f"/contacts/{t.state.iso3}/", DIRECTORY),
    "contacts/<iso3:iso3>/propose/": (lambda t: f"/contacts/{t.state.iso3}/propose/", STATE_A_ONLY),
    "contacts/<iso3:iso3>/add/": (lambda t: f"/contacts/{t.state.iso3}/add/", REGISTRY),
    "contacts/<int:pk>/change/": (lambda t: f"/contacts/{t.contact.pk}/change/", STATE_A_ONLY),
    "contacts/<int:pk>/confirm/": (lambda t: f"/contacts/{t.contact.pk}/confirm/", SIGNED_IN_POST_ONLY),
    "contacts/<int:pk>/verify/": (lambda t: f"/contacts/{t.contact_pending.pk}/verify/", VERIFIERS_POST_ONLY),
    "contacts/<int:pk>/refuse/": (lambda t: f"/contacts/{t.contact_pending.pk}/refuse/", VERIFIERS_POST_ONLY),
    "contacts/<int:pk>/end/": (lambda t: f"/contacts/{t.contact.pk}/end/", VERIFIERS_POST_ONLY),
    "contacts/<int:pk>/note-verbale/": (lambda t: f"/contacts/{t.contact.pk}/note-verbale/", NOTE_VERBALE_READERS),
}

WRITES: dict[str, Write] = {
    "propose a contact": Write(
        "post", lambda t: f"/contacts/{t.state.iso3}/propose/", _new_contact, ["state_a_rep"], (LOGIN, DENIED)
    ),
    "record a contact from a Note Verbale": Write(
        "post", lambda t: f"/contacts/{t.state.iso3}/add/", _new_contact, REGISTRY_STAFF, (LOGIN, DENIED)
    ),
    "propose a change to a contact": Write(
        "post", lambda t: f"/contacts/{_finance_contact(t).pk}/change/", _change, ["state_a_rep"], (LOGIN, DENIED)
    ),
    "confirm a contact": Write(
        "post",
        lambda t: f"/contacts/{t.contact.pk}/confirm/",
        lambda t: {},
        ["state_a_rep", *REGISTRY_STAFF],
        (LOGIN, DENIED),
    ),
    "verify a proposed contact": Write(
        "post", lambda t: f"/contacts/{t.contact_pending.pk}/verify/", lambda t: {}, REGISTRY_STAFF, (LOGIN, DENIED)
    ),
    "refuse a proposed contact": Write(
        "post",
        lambda t: f"/contacts/{t.contact_pending.pk}/refuse/",
        lambda t: {"reason": "The Note Verbale names another person."},
        REGISTRY_STAFF,
        (LOGIN, DENIED),
    ),
    "end a designation": Write(
        "post",
        lambda t: f"/contacts/{t.contact.pk}/end/",
        lambda t: {"valid_to": (timezone.localdate() - dt.timedelta(days=1)).isoformat()},
        REGISTRY_STAFF,
        (LOGIN, DENIED),
    ),
}

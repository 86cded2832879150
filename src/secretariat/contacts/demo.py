"""Synthetic national points of contact for `make run`, so the directory and the reminders have
something to show. Every demo contact is marked: its name ends with "(demo)", its addresses are
on example.org and its Note Verbale reference starts with "DEMO/"."""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from secretariat.states.models import State, TreatyStatus

from .models import Contact, ContactRole, ContactStatus

DEMO_PREFIX = "DEMO/"
DEMO_PDF = b"%PDF-1.4\n% synthetic demo Note Verbale\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@transaction.atomic
def demo_contacts_load(*, today: dt.date | None = None) -> int:
    """Give two thirds of the States Parties a national point of contact and every other one a
    reporting contact (the rest have none, so the reminder engine shows them to staff). Does
    nothing when demo contacts exist. Returns how many were created."""
    if Contact.objects.filter(note_verbale_reference__startswith=DEMO_PREFIX).exists():
        return 0
    today = today or timezone.localdate()
    parties = [s for s in State.objects.order_by("iso3") if s.status_on(today).status == TreatyStatus.PARTY]
    created = 0
    for index, state in enumerate(parties):
        roles = []
        if index % 3 != 2:
            roles.append(ContactRole.NATIONAL_POINT)
        if index % 2 == 0:
            roles.append(ContactRole.REPORTING)
        for role in roles:
            contact = Contact(
                state=state,
                role=role,
                name=f"{state.name_en} {ContactRole(role).label} (demo)",
                title="Director",
                ministry="Ministry of Foreign Affairs",
                email=f"{role}@{state.iso3.lower()}.example.org",
                working_language=state.working_language,
                valid_from=dt.date(2024, 1, 1),
                note_verbale_date=dt.date(2023, 12, 1),
                note_verbale_reference=f"{DEMO_PREFIX}{state.iso3}/{role}",
                status=ContactStatus.VERIFIED,
                decided_at=dt.datetime(2024, 1, 2, 9, 0, tzinfo=dt.UTC),
                confirmed_on=dt.date(2025, 6, 1 + index % 28),
            )
            contact.note_verbale.save(f"{state.iso3}-{role}.pdf", ContentFile(DEMO_PDF), save=False)
            contact.save()
            created += 1
    return created

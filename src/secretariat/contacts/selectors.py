"""Reads of the contacts module."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from secretariat.core.access import Principal, can_see_contact_directory
from secretariat.core.history import HistoryEntry, history_entries
from secretariat.states.models import State, TreatyStatus, name_field
from secretariat.states.selectors import DossierPanel

from .models import Contact, ContactRole, ContactStatus

ONE_DAY = dt.timedelta(days=1)


def contacts_valid_on(*, day: dt.date) -> QuerySet[Contact]:
    """Every verified contact whose designation covers `day` (the reminder engine writes to these)."""
    return Contact.objects.filter(status=ContactStatus.VERIFIED, valid_from__lte=day).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=day)
    )


# ---------------------------------------------------------------------------- who sees the contacts


def contacts_visible_to(principal: Principal, state: State) -> bool:
    """A State's contacts: the directory's audience (staff, representatives of States Parties) and
    the State's own representatives, even when their State is not a State Party."""
    if principal.represents_state(state.pk):
        return True
    return can_see_contact_directory(principal)


# ---------------------------------------------------------------------------- the directory


@dataclass(frozen=True)
class DirectoryFilters:
    """What the directory is narrowed to; empty values mean "any"."""

    iso3: str = ""
    role: str = ""
    region: str = ""


def directory_rows(*, filters: DirectoryFilters | None = None, day: dt.date | None = None) -> list[Contact]:
    """The current contacts (verified and valid on `day`, today by default) with their State,
    by State name, role and name. One query."""
    filters = filters or DirectoryFilters()
    day = day or timezone.localdate()
    rows = contacts_valid_on(day=day).select_related("state")
    if filters.iso3:
        rows = rows.filter(state__iso3=filters.iso3.upper())
    if filters.role:
        rows = rows.filter(role=filters.role)
    if filters.region:
        rows = rows.filter(state__region=filters.region)
    return list(rows.order_by("state__" + name_field(), "state__iso3", "role", "name", "pk"))


def states_represented(principal: Principal) -> list[State]:
    """The States whose contacts the principal proposes (links from the directory)."""
    if not principal.state_ids:
        return []
    return list(State.objects.filter(pk__in=principal.state_ids).order_by(name_field(), "iso3"))


def directory_states() -> list[State]:
    """The States that have a current contact (the directory's State filter). One query."""
    current = contacts_valid_on(day=timezone.localdate())
    return list(State.objects.filter(pk__in=current.values("state_id")).order_by(name_field(), "iso3"))


# ---------------------------------------------------------------------------- one State's contacts


@dataclass
class StateContacts:
    """A State's contacts today: current ones, proposals waiting, designations to come, and the
    past (superseded, refused, ended)."""

    current: list[Contact] = field(default_factory=list)
    pending: list[Contact] = field(default_factory=list)
    upcoming: list[Contact] = field(default_factory=list)
    past: list[Contact] = field(default_factory=list)

    @property
    def pending_changes_of(self) -> set[int]:
        """The pks of the contacts with a change waiting for verification."""
        return {contact.replaces_id for contact in self.pending if contact.replaces_id is not None}


def state_contacts(*, state: State, day: dt.date | None = None) -> StateContacts:
    """Every contact of the State, sorted into current, pending, upcoming and past. One query."""
    day = day or timezone.localdate()
    result = StateContacts()
    rows = (
        Contact.objects.filter(state=state)
        .select_related("state", "replaces", "proposed_by", "decided_by")
        .order_by("role", "name", "-valid_from", "-pk")
    )
    for contact in rows:
        if contact.status == ContactStatus.PENDING:
            result.pending.append(contact)
        elif contact.status == ContactStatus.VERIFIED and contact.valid_on(day):
            result.current.append(contact)
        elif contact.status == ContactStatus.VERIFIED and contact.valid_from > day:
            result.upcoming.append(contact)
        else:
            result.past.append(contact)
    result.past.sort(key=lambda contact: contact.decided_at or contact.proposed_at, reverse=True)
    return result


def state_contacts_history(*, state: State, limit: int = 200) -> list[HistoryEntry]:
    """Every recorded change to the State's contacts, newest first."""
    return history_entries(Contact.history.filter(state_id=state.pk), limit=limit)


def pending_contacts() -> list[Contact]:
    """The proposals waiting for verification, oldest first (the staff's queue). One query."""
    return list(
        Contact.objects.filter(status=ContactStatus.PENDING)
        .select_related("state", "replaces", "proposed_by")
        .order_by("proposed_at", "pk")
    )


# ---------------------------------------------------------------------------- what the public sees


def _designated_since(npc_rows: list[dict], day: dt.date) -> dict[int, dt.date]:
    """Per State, since when it has had a national point of contact without interruption: for
    each current verified NPC, the start of the chain of records it replaced (a change of title
    or address does not reset the date), the earliest of them. `npc_rows` are the verified and
    superseded NPC records (pk, state_id, replaces_id, valid_from, valid_to, status)."""
    by_pk = {row["pk"]: row for row in npc_rows}
    since: dict[int, dt.date] = {}
    for row in npc_rows:
        if row["status"] != ContactStatus.VERIFIED:
            continue
        if not (row["valid_from"] <= day and (row["valid_to"] is None or day <= row["valid_to"])):
            continue
        start, current, seen = row["valid_from"], row, {row["pk"]}
        while current["replaces_id"] in by_pk and current["replaces_id"] not in seen:
            previous = by_pk[current["replaces_id"]]
            contiguous = previous["valid_to"] is None or previous["valid_to"] >= current["valid_from"] - ONE_DAY
            if not contiguous:
                break
            start = min(start, previous["valid_from"])
            seen.add(previous["pk"])
            current = previous
        state_id = row["state_id"]
        since[state_id] = min(start, since.get(state_id, start))
    return since


def _npc_rows(**filters: object) -> list[dict]:
    return list(
        Contact.objects.filter(
            role=ContactRole.NATIONAL_POINT,
            status__in=[ContactStatus.VERIFIED, ContactStatus.SUPERSEDED],
            **filters,
        ).values("pk", "state_id", "replaces_id", "valid_from", "valid_to", "status")
    )


@dataclass(frozen=True)
class Designation:
    """A State Party and since when it has a designated national point of contact (None: none)."""

    state: State
    since: dt.date | None


def designations(*, day: dt.date | None = None) -> list[Designation]:
    """Every State Party on `day` (today by default) with the date since which it has had a
    designated national point of contact. No names or addresses. Two queries."""
    day = day or timezone.localdate()
    states = State.objects.order_by(name_field(), "iso3")
    parties = [state for state in states if state.status_on(day).status == TreatyStatus.PARTY]
    since = _designated_since(_npc_rows(), day)
    return [Designation(state, since.get(state.pk)) for state in parties]


def state_designated_since(*, state: State, day: dt.date | None = None) -> dt.date | None:
    """Since when the State has had a designated national point of contact (None: none today)."""
    day = day or timezone.localdate()
    return _designated_since(_npc_rows(state=state), day).get(state.pk)


def contacts_dossier_panel(state: State, principal: Principal) -> DossierPanel | None:
    """The national contacts on the State dossier: for everyone, whether and since when the State
    has a designated national point of contact; for the directory's audience and the State's own
    representatives, also the current contacts and a link to them."""
    today = timezone.localdate()
    show_contacts = contacts_visible_to(principal, state)
    return DossierPanel(
        key="contacts",
        title=str(_("National contacts")),
        template_name="contacts/_dossier_panel.html",
        context={
            "since": state_designated_since(state=state, day=today),
            "show_contacts": show_contacts,
            "contacts": state_contacts(state=state, day=today).current if show_contacts else [],
            "state": state,
        },
    )


# ---------------------------------------------------------------------------- what a proposed change changes

COMPARED_FIELDS = (
    "name",
    "title",
    "ministry",
    "email",
    "other_emails",
    "phones",
    "postal_address",
    "working_language",
    "valid_from",
    "valid_to",
    "note_verbale_date",
    "note_verbale_reference",
)


@dataclass(frozen=True)
class FieldDifference:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class Proposal:
    """A contact waiting for verification and, for a change, what it changes in the record it replaces."""

    contact: Contact
    differences: list[FieldDifference]


def _shown(contact: Contact, name: str) -> str:
    value = getattr(contact, name)
    if name == "working_language":
        return str(contact.get_working_language_display())
    if value is None or value == "":
        return "—"
    if isinstance(value, dt.date):
        return date_format(value, "DATE_FORMAT")
    return str(value)


def proposals(contacts: list[Contact]) -> list[Proposal]:
    """The proposals with their differences (`replaces` must be loaded with them: no query here)."""
    result = []
    for contact in contacts:
        differences = []
        if contact.replaces is not None:
            for name in COMPARED_FIELDS:
                before, after = _shown(contact.replaces, name), _shown(contact, name)
                if before != after:
                    label = capfirst(str(Contact._meta.get_field(name).verbose_name))
                    differences.append(FieldDifference(label, before, after))
        result.append(Proposal(contact, differences))
    return result

"""Reads of the control lists module: who may open which list, a State's lists, the public overview.

The only place the visibility rule is written (pages, downloads and the dossier panel ask here):
- a public list, its files and link: everyone;
- a list for States Parties only: `core.access.can_see_party_only_lists` (staff, representatives
  of States Parties) and the State's own representatives;
- THAT a State provided a list, and its date, are public: only the files, the link and the notes
  of a restricted list are withheld.
The current list of a State, for someone, is the newest (by the list's date) among those they may open.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field

from django.db.models import Min, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from secretariat.core.access import Principal, can_record_control_lists, can_see_party_only_lists
from secretariat.states.models import State, TreatyStatus
from secretariat.states.selectors import DossierPanel

from .models import ControlList, ControlListFile, ListVisibility


def first_list_received(*, until: dt.date) -> dict[int, dt.date]:
    """{state id: the day its first control list was received}, for lists received by `until`. One query."""
    rows = ControlList.objects.filter(received_on__lte=until).values("state_id").annotate(first=Min("received_on"))
    return {row["state_id"]: row["first"] for row in rows}


# ---------------------------------------------------------------------------- who may open which list


@dataclass(frozen=True)
class ListAccess:
    """What one principal may open, decided once (at most one query) and then asked per list."""

    every_list: bool
    own_state_ids: frozenset[int]

    def may_open(self, control_list: ControlList) -> bool:
        if control_list.visibility == ListVisibility.PUBLIC:
            return True
        if self.every_list:
            return True
        return control_list.state_id in self.own_state_ids


def list_access(principal: Principal) -> ListAccess:
    return ListAccess(every_list=can_see_party_only_lists(principal), own_state_ids=principal.state_ids)


def lists_visible_to(principal: Principal) -> QuerySet[ControlList]:
    """Every list `principal` may open (its files, link and notes), as a queryset."""
    lists = ControlList.objects.all()
    access = list_access(principal)
    if access.every_list:
        return lists
    return lists.filter(Q(visibility=ListVisibility.PUBLIC) | Q(state_id__in=access.own_state_ids))


def file_for_download(*, principal: Principal, pk: int) -> ControlListFile:
    """The file, or 404 for a file of a list `principal` may not open (its existence is not revealed)."""
    list_file = get_object_or_404(ControlListFile.objects.select_related("control_list__state"), pk=pk)
    if not list_access(principal).may_open(list_file.control_list):
        raise Http404
    return list_file


def _files_by_list(list_ids: list[int]) -> dict[int, list[ControlListFile]]:
    """{list id: its files, by language}. One query (none when `list_ids` is empty)."""
    files: dict[int, list[ControlListFile]] = {pk: [] for pk in list_ids}
    if list_ids:
        for list_file in ControlListFile.objects.filter(control_list_id__in=list_ids).order_by("language", "pk"):
            files[list_file.control_list_id].append(list_file)
    return files


# ---------------------------------------------------------------------------- one State's lists


@dataclass
class ListEntry:
    """One version of a State's list as a reader sees it: restricted versions are shown to the public
    only by their date ("shared with States Parties only"), never with their files, link or notes."""

    control_list: ControlList
    may_open: bool
    files: list[ControlListFile] = field(default_factory=list)

    @property
    def is_public(self) -> bool:
        return self.control_list.visibility == ListVisibility.PUBLIC


@dataclass
class StateLists:
    state: State
    entries: list[ListEntry]  # newest first
    current: ListEntry | None  # the newest the reader may open
    may_record: bool

    @property
    def provided(self) -> bool:
        return bool(self.entries)

    @property
    def latest(self) -> ListEntry | None:
        """The newest list provided, whether or not the reader may open it."""
        return self.entries[0] if self.entries else None

    @property
    def history(self) -> list[ListEntry]:
        """Every version but the current one, newest first."""
        return [entry for entry in self.entries if entry is not self.current]


def state_lists(*, state: State, principal: Principal) -> StateLists:
    """A State's lists, newest first, with the files of those the principal may open. Two queries
    (three for a representative, whose State's treaty status decides what they may open)."""
    access = list_access(principal)
    lists = list(ControlList.objects.filter(state=state).order_by("-list_date"))
    files = _files_by_list([item.pk for item in lists if access.may_open(item)])
    entries = [ListEntry(item, access.may_open(item), files.get(item.pk, [])) for item in lists]
    current = next((entry for entry in entries if entry.may_open), None)
    return StateLists(
        state=state,
        entries=entries,
        current=current,
        may_record=can_record_control_lists(principal, state.pk),
    )


def list_for_update(*, pk: int) -> ControlList:
    return get_object_or_404(ControlList.objects.select_related("state"), pk=pk)


def controllists_dossier_panel(state: State, principal: Principal) -> DossierPanel:
    """On the State dossier: whether the State provided a control list, the current one and its files."""
    return DossierPanel(
        key="control-lists",
        title=str(_("National control list (Art. 5(4))")),
        template_name="controllists/_dossier_panel.html",
        context={"lists": state_lists(state=state, principal=principal)},
    )


# ---------------------------------------------------------------------------- the public overview


def _fold(text: str) -> str:
    """Lower case without accents, so that "Côte d'Ivoire" sorts among the C."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


@dataclass
class OverviewRow:
    state: State
    latest: ControlList | None  # the newest list provided (that it exists, and its date, are public)
    current: ControlList | None  # the newest list the reader may open
    files: list[ControlListFile] = field(default_factory=list)  # the files of `current`

    @property
    def provided(self) -> bool:
        return self.latest is not None

    @property
    def latest_is_public(self) -> bool:
        return self.latest is not None and self.latest.visibility == ListVisibility.PUBLIC

    @property
    def current_is_older(self) -> bool:
        """The reader may open an older version than the newest one provided."""
        return self.current is not None and self.current != self.latest


@dataclass
class Overview:
    rows: list[OverviewRow]

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def provided(self) -> int:
        return sum(1 for row in self.rows if row.provided)

    @property
    def public(self) -> int:
        return sum(1 for row in self.rows if row.latest_is_public)


def control_lists_overview(*, principal: Principal, region: str = "", day: dt.date | None = None) -> Overview:
    """Every State Party on `day` (today by default), in `region` if given, sorted by name: whether it
    provided a list, its newest list and the files of the newest the reader may open.

    A constant number of queries: the States, their lists, the files of the current lists (and one
    for a representative's own treaty status).
    """
    day = day or timezone.localdate()
    access = list_access(principal)
    states = State.objects.filter(region=region) if region else State.objects.all()
    parties = [state for state in states if state.status_on(day).status == TreatyStatus.PARTY]
    by_state: dict[int, list[ControlList]] = {state.pk: [] for state in parties}
    for item in ControlList.objects.filter(state_id__in=list(by_state)).order_by("state_id", "-list_date"):
        by_state[item.state_id].append(item)
    rows = []
    for state in parties:
        lists = by_state[state.pk]
        current = next((item for item in lists if access.may_open(item)), None)
        rows.append(OverviewRow(state=state, latest=lists[0] if lists else None, current=current))
    files = _files_by_list([row.current.pk for row in rows if row.current is not None])
    for row in rows:
        if row.current is not None:
            row.files = files[row.current.pk]
    rows.sort(key=lambda row: (_fold(row.state.name), row.state.iso3))
    return Overview(rows=rows)

"""Which reminders are due on a date: rules × watched obligations × steps, with their recipients.

The data every rule needs is loaded once (`PlanningData.load`: a fixed number of queries, whatever
the number of States); the rest is arithmetic in memory. Nothing here writes: `services` turns the
plan into outbox rows.

A *watcher* (one per `Trigger`) lists the obligations it watches (`Due`) and says whether one is
met on a day. A rule's *steps* are its offsets: a negative offset counts back from the deadline, a
positive one forward from the end of the grace period (or from the deadline itself, if the rule
says so). On a date D, a rule plans for each unmet obligation the latest step that falls within
the catch-up window (D - REMINDERS_CATCH_UP_DAYS, D], so a day the platform did not run is made up
the next day and never twice (the outbox key is unique).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from secretariat.contacts.models import Contact, Language
from secretariat.contacts.selectors import contacts_valid_on
from secretariat.controllists.selectors import first_list_received
from secretariat.core.roles import Role
from secretariat.reporting.models import ReportingRule
from secretariat.reporting.obligations import ObligationKind, obligations_for
from secretariat.reporting.selectors import all_rules, first_received_dates
from secretariat.states.models import State, name_field

from .models import CountFrom, OutboxMessage, ReminderRule, Trigger
from .templating import fill

CONFIRMATION_PERIOD = dt.timedelta(days=365)


@dataclass(frozen=True)
class Due:
    """One obligation a watcher found: what is due, by when, and when it was met (if it was)."""

    state_id: int
    obligation: str  # the obligation part of the outbox key, e.g. "annual:2025"
    due_on: dt.date
    grace_ends_on: dt.date
    met_on: dt.date | None
    link_path: str
    year: int | None = None
    subject_name: str = ""  # e.g. the contact's name, for "contact not confirmed"

    def label(self) -> str:
        """What is due, in the active language."""
        kind, _sep, _rest = self.obligation.partition(":")
        if kind == ObligationKind.ANNUAL:
            return _("Annual report %(year)s") % {"year": self.year}
        if kind == ObligationKind.INITIAL:
            return _("Initial report")
        if kind == "control-list":
            return _("National control list")
        if kind == "contact":
            return _("Confirmation of the contact %(name)s") % {"name": self.subject_name}
        if kind == "arrears":
            return _("Assessed contributions for %(year)s") % {"year": self.year}
        return self.obligation

    def met_by(self, day: dt.date) -> bool:
        return self.met_on is not None and self.met_on <= day


@dataclass
class PlanningData:
    """Everything the watchers need for one date, loaded with a fixed number of queries."""

    day: dt.date
    states: dict[int, State]
    report_rules: list[ReportingRule]
    submissions: dict[tuple[int, str, int | None], dt.date]
    first_lists: dict[int, dt.date]
    contacts: dict[int, list[Contact]]
    representatives: dict[int, list[str]]
    lookahead: dt.timedelta = dt.timedelta(0)

    @classmethod
    def load(cls, day: dt.date, *, lookahead_days: int = 0) -> PlanningData:
        until = day + dt.timedelta(days=lookahead_days)
        states = {state.pk: state for state in State.objects.all()}
        contacts: dict[int, list[Contact]] = defaultdict(list)
        for contact in contacts_valid_on(day=day).order_by("pk"):
            contacts[contact.state_id].append(contact)
        return cls(
            day=day,
            states=states,
            report_rules=all_rules(),
            submissions=first_received_dates(),
            first_lists=first_list_received(until=until),
            contacts=dict(contacts),
            representatives=_representatives(),
            lookahead=dt.timedelta(days=lookahead_days),
        )


def _representatives() -> dict[int, list[str]]:
    from secretariat.accounts.models import RoleAssignment

    found: dict[int, list[str]] = defaultdict(list)
    grants = RoleAssignment.objects.filter(role=Role.STATE_REPRESENTATIVE, user__is_active=True).values_list(
        "state_id", "user__email"
    )
    for state_id, email in grants.order_by("user__email"):
        found[state_id].append(email)
    return dict(found)


# ---------------------------------------------------------------------------- watchers

Watcher = Callable[[PlanningData, dt.date], Iterable[Due]]
_watchers: dict[str, Watcher] = {}


def register_watcher(trigger: str, watcher: Watcher) -> None:
    """Let a module say what a trigger watches (the finance module registers "arrears").

    `watcher(data, until)` yields the `Due` obligations of every State whose steps may fall on or
    before `until`.
    """
    _watchers[trigger] = watcher


def watch(trigger: str, data: PlanningData, until: dt.date) -> Iterable[Due]:
    """The obligations the trigger's watcher finds (none for a trigger nobody watches)."""
    watcher = _watchers.get(trigger)
    return watcher(data, until) if watcher else ()


def report_dues(data: PlanningData, until: dt.date, kind: str) -> Iterable[Due]:
    for state in data.states.values():
        obligations = obligations_for(state, data.report_rules, until=until)
        if not obligations.computable:
            continue
        for obligation in obligations.obligations:
            if obligation.kind != kind:
                continue
            yield Due(
                state_id=state.pk,
                obligation=f"{obligation.kind}:{obligation.year}" if obligation.year else obligation.kind,
                due_on=obligation.due_on,
                grace_ends_on=obligation.grace_ends_on,
                met_on=data.submissions.get((state.pk, obligation.kind, obligation.year)),
                link_path="/reports/",
                year=obligation.year,
            )


def control_list_dues(data: PlanningData, until: dt.date) -> Iterable[Due]:
    """A State Party that never provided a control list is reminded each year with its annual
    report (due on the annual report's date), from the year its initial report falls due."""
    for state in data.states.values():
        obligations = obligations_for(state, data.report_rules, until=until)
        if not obligations.computable:
            continue
        initial = next((o for o in obligations.obligations if o.kind == ObligationKind.INITIAL), None)
        for obligation in obligations.obligations:
            if obligation.kind != ObligationKind.ANNUAL or initial is None or obligation.due_on < initial.due_on:
                continue
            yield Due(
                state_id=state.pk,
                obligation=f"control-list:{obligation.due_on.year}",
                due_on=obligation.due_on,
                grace_ends_on=obligation.grace_ends_on,
                met_on=data.first_lists.get(state.pk),
                link_path=f"/control-lists/{state.iso3}/",
                year=obligation.due_on.year,
            )


def contact_dues(data: PlanningData, until: dt.date) -> Iterable[Due]:
    """Each current contact should be confirmed every 12 months (from its last confirmation)."""
    for state_id, contacts in data.contacts.items():
        state = data.states[state_id]
        for contact in contacts:
            base = contact.confirmation_base()
            due_on = base + CONFIRMATION_PERIOD
            yield Due(
                state_id=state_id,
                obligation=f"contact:{contact.pk}:{base.isoformat()}",
                due_on=due_on,
                grace_ends_on=due_on,
                met_on=None,  # confirming moves `base`, so a confirmed contact gets a new obligation
                link_path=f"/contacts/{state.iso3}/",
                subject_name=contact.name,
            )


register_watcher(Trigger.INITIAL_REPORT, lambda data, until: report_dues(data, until, ObligationKind.INITIAL))
register_watcher(Trigger.ANNUAL_REPORT, lambda data, until: report_dues(data, until, ObligationKind.ANNUAL))
register_watcher(Trigger.CONTROL_LIST_MISSING, control_list_dues)
register_watcher(Trigger.CONTACT_UNCONFIRMED, contact_dues)
register_watcher(Trigger.ARREARS, lambda data, until: ())  # the finance module registers the real one


# ---------------------------------------------------------------------------- planning


@dataclass
class Planned:
    """One message a rule wants sent on `send_on`."""

    rule: ReminderRule
    due: Due
    step: int
    send_on: dt.date
    recipients: list[str]
    language: str
    key: str = field(init=False)

    def __post_init__(self) -> None:
        self.key = outbox_key(self.rule.pk, self.due.state_id, self.due.obligation, self.step)


def outbox_key(rule_id: int, state_id: int, obligation: str, step: int) -> str:
    return f"reminder:{rule_id}:{state_id}:{obligation}:{step}"


def step_date(rule: ReminderRule, due: Due, step: int) -> dt.date:
    if step < 0 or rule.count_after_from == CountFrom.DEADLINE:
        return due.due_on + dt.timedelta(days=step)
    return due.grace_ends_on + dt.timedelta(days=step)


def recipients_for(rule: ReminderRule, state_id: int, data: PlanningData) -> list[str]:
    """The addresses a rule writes to for a State: its contacts of the rule's roles (every address
    of each), then its platform representatives if the rule says so. No address twice."""
    roles = set(rule.role_list)
    addresses: list[str] = []
    for contact in data.contacts.get(state_id, []):
        if contact.role in roles:
            addresses.extend(contact.all_emails)
    if rule.include_representatives:
        addresses.extend(data.representatives.get(state_id, []))
    seen: set[str] = set()
    unique = []
    for address in addresses:
        if address.lower() not in seen:
            seen.add(address.lower())
            unique.append(address)
    return unique


def message_language(rule: ReminderRule, state: State) -> str:
    """The State's working language if the rule has a template in it, else English (else any)."""
    languages = {template.language for template in rule.templates.all()}
    for language in (state.working_language, Language.ENGLISH):
        if language in languages:
            return language
    return sorted(languages)[0] if languages else Language.ENGLISH


def active_rules() -> list[ReminderRule]:
    return list(ReminderRule.objects.filter(active=True).prefetch_related("templates").order_by("pk"))


def lookahead_days(rules: Iterable[ReminderRule]) -> int:
    """How far ahead obligations must be listed for the earliest step of every rule to be seen."""
    return max([0, *(-step for rule in rules for step in rule.offset_list)])


def plan(
    day: dt.date,
    *,
    rules: list[ReminderRule] | None = None,
    data: PlanningData | None = None,
    catch_up_days: int | None = None,
) -> list[Planned]:
    """The messages the rules want sent on `day` (including missed steps of the catch-up window),
    for obligations not met on `day`, nor since (a past `day` is planned as it would be sent now).
    Already-planned messages are included: the outbox key tells."""
    rules = active_rules() if rules is None else rules
    if not rules:
        return []
    ahead = lookahead_days(rules)
    data = data or PlanningData.load(day, lookahead_days=ahead)
    window = settings.REMINDERS_CATCH_UP_DAYS if catch_up_days is None else catch_up_days
    earliest = day - dt.timedelta(days=max(window, 1) - 1)
    met_by = max(day, timezone.localdate())
    planned: list[Planned] = []
    for rule in rules:
        watcher = _watchers.get(rule.trigger)
        if watcher is None:
            continue
        steps = rule.offset_list
        for due in watcher(data, day + dt.timedelta(days=ahead)):
            if due.met_by(met_by):
                continue
            in_window = [step for step in steps if earliest <= step_date(rule, due, step) <= day]
            if not in_window:
                continue
            step = max(in_window, key=lambda s: step_date(rule, due, s))
            state = data.states[due.state_id]
            planned.append(
                Planned(
                    rule=rule,
                    due=due,
                    step=step,
                    send_on=step_date(rule, due, step),
                    recipients=recipients_for(rule, due.state_id, data),
                    language=message_language(rule, state),
                )
            )
    planned.sort(key=lambda p: (p.send_on, data.states[p.due.state_id].iso3, p.rule.pk, p.step))
    return planned


def calendar(start: dt.date, days: int = 90) -> list[Planned]:
    """What the rules will send from `start` for `days` days, as things stand on `start` (contacts
    valid on `start`, obligations not met by then, steps not already in the outbox). A fixed
    number of queries."""
    rules = active_rules()
    if not rules:
        return []
    ahead = lookahead_days(rules) + days
    data = PlanningData.load(start, lookahead_days=ahead)
    end = start + dt.timedelta(days=days - 1)
    found: list[Planned] = []
    for rule in rules:
        watcher = _watchers.get(rule.trigger)
        if watcher is None:
            continue
        for due in watcher(data, end + dt.timedelta(days=lookahead_days([rule]))):
            if due.met_by(start):
                continue
            for step in rule.offset_list:
                send_on = step_date(rule, due, step)
                if start <= send_on <= end:
                    state = data.states[due.state_id]
                    found.append(
                        Planned(
                            rule=rule,
                            due=due,
                            step=step,
                            send_on=send_on,
                            recipients=recipients_for(rule, due.state_id, data),
                            language=message_language(rule, state),
                        )
                    )
    planned_keys = (
        set(OutboxMessage.objects.filter(key__in=[p.key for p in found]).values_list("key", flat=True))
        if found
        else set()
    )
    found = [p for p in found if p.key not in planned_keys]
    found.sort(key=lambda p: (p.send_on, data.states[p.due.state_id].iso3, p.rule.pk, p.step))
    return found


# ---------------------------------------------------------------------------- rendering


def step_words(step: int) -> str:
    if step < 0:
        return ngettext("%(days)s day before the deadline", "%(days)s days before the deadline", -step) % {
            "days": -step
        }
    if step == 0:
        return _("on the deadline")
    return ngettext("%(days)s day after the deadline", "%(days)s days after the deadline", step) % {"days": step}


def render(planned: Planned, state: State) -> tuple[str, str, str]:
    """(subject, text, html) of a planned reminder, in its language."""
    template = next((t for t in planned.rule.templates.all() if t.language == planned.language), None)
    link = settings.SITE_URL.rstrip("/") + planned.due.link_path
    with translation.override(planned.language):
        values = {
            "state": getattr(state, name_field(planned.language)) or state.name_en,
            "obligation": planned.due.label(),
            "year": str(planned.due.year or ""),
            "due_date": date_format(planned.due.due_on, "DATE_FORMAT"),
            "grace_end": date_format(planned.due.grace_ends_on, "DATE_FORMAT"),
            "days": str(abs(planned.step)),
            "link": link,
        }
        if template is None:
            subject = _("%(obligation)s: %(when)s") % {
                "obligation": values["obligation"],
                "when": step_words(planned.step),
            }
            body = _("%(obligation)s of %(state)s: the deadline is %(due_date)s.\n\n%(link)s") % values
        else:
            subject = fill(template.subject, values)
            body = fill(template.body, values)
        context: dict[str, Any] = {"body": body, "link": link, "site_url": settings.SITE_URL, "subject": subject}
        text = render_to_string("reminders/emails/reminder.txt", context)
        html = render_to_string("reminders/emails/reminder.html", context)
    return " ".join(subject.split()), text, html


def message_id_for(key: str) -> str:
    """A Message-ID fixed by the outbox key: a message sent again after a crash keeps it, so
    receiving systems can recognise the copy."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or "localhost"
    return f"<{digest}@{domain}>"

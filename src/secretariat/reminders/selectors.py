"""Reads of the reminder pages: the outbox counts, failed deliveries, a State's log, the rules
and the calendar of what will be sent."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from secretariat.contacts.models import ContactRole, Language
from secretariat.core.access import Principal, can_manage_reminders, can_see_reminder_log
from secretariat.core.history import HistoryEntry, history_entries
from secretariat.states.models import State
from secretariat.states.selectors import DossierPanel

from . import planning
from .models import MessageStatus, OutboxMessage, ReminderRule, ReminderTemplate

RECENT_DAYS = 30
CALENDAR_DAYS = 90
LOG_LIMIT = 20


@dataclass(frozen=True)
class MessageCounts:
    sent_recently: int
    pending: int
    failed: int
    no_recipient: int


def message_counts(*, now: dt.datetime | None = None) -> MessageCounts:
    """How many messages were sent in the last 30 days, wait to be sent, failed, or have nobody to
    write to. One query."""
    since = (now or timezone.now()) - dt.timedelta(days=RECENT_DAYS)
    counts = OutboxMessage.objects.aggregate(
        sent_recently=Count("pk", filter=Q(status=MessageStatus.SENT, sent_at__gte=since)),
        pending=Count("pk", filter=Q(status__in=[MessageStatus.PENDING, MessageStatus.SENDING])),
        failed=Count("pk", filter=Q(status=MessageStatus.FAILED)),
        no_recipient=Count("pk", filter=Q(status=MessageStatus.NO_RECIPIENT)),
    )
    return MessageCounts(**counts)


def failed_messages() -> QuerySet[OutboxMessage]:
    """Messages that need staff: failed deliveries (retried with back-off) and messages to a State
    with no contact to write to, oldest first."""
    return (
        OutboxMessage.objects.filter(status__in=[MessageStatus.FAILED, MessageStatus.NO_RECIPIENT])
        .select_related("state", "rule")
        .order_by("planned_for", "pk")
    )


def state_log(state: State, limit: int = LOG_LIMIT) -> list[OutboxMessage]:
    """The State's latest messages, newest first. One query."""
    return list(OutboxMessage.objects.filter(state=state).order_by("-planned_for", "-pk")[:limit])


def message_detail(pk: int) -> OutboxMessage | None:
    return OutboxMessage.objects.select_related("state", "rule").filter(pk=pk).first()


# ---------------------------------------------------------------------------- rules


def rule_list() -> list[ReminderRule]:
    """Every rule, with `message_count`, `languages` (its templates' languages, in the platform's
    order), `role_labels` and `step_labels`, ready to show. Two queries."""
    rules = list(
        ReminderRule.objects.prefetch_related("templates")
        .annotate(message_count=Count("messages"))
        .order_by("trigger", "name", "pk")
    )
    order = {language: position for position, language in enumerate(Language.values)}
    labels = dict(Language.choices)
    roles = dict(ContactRole.choices)
    for rule in rules:
        codes = sorted((template.language for template in rule.templates.all()), key=lambda code: order.get(code, 99))
        rule.languages = [str(labels.get(code, code)) for code in codes]
        rule.role_labels = [str(roles.get(role, role)) for role in rule.role_list]
        rule.step_labels = [planning.step_words(step) for step in rule.offset_list]
    return rules


def rule_templates(rule: ReminderRule | None) -> dict[str, tuple[str, str]]:
    """The rule's templates by language, as `services_rules.rule_save` takes them."""
    if rule is None:
        return {}
    return {template.language: (template.subject, template.body) for template in rule.templates.all()}


def rule_history(rule: ReminderRule) -> list[HistoryEntry]:
    """Changes to the rule and its templates, newest first."""
    entries = history_entries(rule.history.all())
    entries += history_entries(ReminderTemplate.history.filter(rule_id=rule.pk))
    return sorted(entries, key=lambda entry: entry.when, reverse=True)


# ---------------------------------------------------------------------------- calendar


@dataclass
class CalendarEntry:
    planned: planning.Planned
    state: State

    @property
    def label(self) -> str:
        return self.planned.due.label()

    @property
    def when(self) -> str:
        return planning.step_words(self.planned.step)

    @property
    def language_label(self) -> str:
        return str(dict(Language.choices).get(self.planned.language, self.planned.language))


@dataclass
class CalendarDay:
    day: dt.date
    entries: list[CalendarEntry] = field(default_factory=list)


def calendar_days(
    *, start: dt.date, days: int = CALENDAR_DAYS, iso3: str = "", trigger: str = ""
) -> tuple[list[CalendarDay], int]:
    """What the active rules will send from `start` for `days` days, grouped by day (optionally
    for one State or one kind of obligation), and how many messages have nobody to write to."""
    planned = planning.calendar(start, days)
    states = State.objects.in_bulk({p.due.state_id for p in planned})
    grouped: dict[dt.date, CalendarDay] = {}
    without_contact = 0
    for item in planned:
        state = states[item.due.state_id]
        if iso3 and state.iso3 != iso3:
            continue
        if trigger and item.rule.trigger != trigger:
            continue
        grouped.setdefault(item.send_on, CalendarDay(item.send_on)).entries.append(CalendarEntry(item, state))
        if not item.recipients:
            without_contact += 1
    return list(grouped.values()), without_contact


# ---------------------------------------------------------------------------- dossier panel


def reminder_log_dossier_panel(state: State, principal: Principal) -> DossierPanel | None:
    """The "Reminders and messages" panel of the State dossier: its last 20 messages, for the State's own
    representatives and staff (None for anyone else). One query."""
    if not can_see_reminder_log(principal, state.pk):
        return None
    return DossierPanel(
        key="reminders-log",
        title=str(_("Reminders and messages")),
        template_name="reminders/_dossier_panel.html",
        context={
            "log": state_log(state),
            "limit": LOG_LIMIT,
            "may_manage": can_manage_reminders(principal),
        },
    )

"""Writes of the reminder engine: planning into the outbox, and sending from it.

Exactly once, and never lost:
- Planning inserts one row per message with a unique key (rule, State, obligation, step), ignoring
  rows that exist: two runs planning the same day plan each message once.
- Sending claims a row with a conditional UPDATE (`status` must still be claimable), committed
  before anything goes to the SMTP server; a row claimed by one run is skipped by the other.
  After the server accepts the message the row is marked sent. A run killed in between leaves the
  row "being sent": the next run takes it over at once if the claiming process is gone from this
  machine (after REMINDERS_CLAIM_TIMEOUT otherwise) and sends it again with the same Message-ID.
  That copy can only happen when the kill falls between the server's acceptance and the database
  commit; receiving systems recognise it by its Message-ID.
- A refused delivery (a 4xx/5xx answer about the message or its recipients) is recorded and retried
  with back-off; the row is never dropped. When the server cannot be reached, the run stops and
  leaves every message for the next run (no attempt is counted against the messages).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import smtplib
import socket
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from secretariat.core.emails import email_render
from secretariat.states.models import State

from . import planning
from .models import MessageKind, MessageStatus, OutboxMessage, Trigger

logger = logging.getLogger(__name__)

HOSTNAME = socket.gethostname()
SEND_BATCH = 500


# ---------------------------------------------------------------------------- planning


@dataclass
class PlanResult:
    day: dt.date
    planned: list[planning.Planned]
    states: dict[int, State] = field(default_factory=dict)
    new_keys: set[str] = field(default_factory=set)
    no_recipient_keys: set[str] = field(default_factory=set)
    suppressed: int = 0
    unblocked: int = 0


def _row_for(planned: planning.Planned, state: State, now: dt.datetime) -> OutboxMessage:
    subject, text, html = planning.render(planned, state)
    with_recipients = bool(planned.recipients)
    return OutboxMessage(
        key=planned.key,
        kind=MessageKind.REMINDER,
        rule=planned.rule,
        state=state,
        obligation=planned.due.obligation,
        obligation_label=_label_in(planned, "en"),
        step=planned.step,
        due_on=planned.due.due_on,
        planned_for=planned.send_on,
        language=planned.language,
        recipients=planned.recipients,
        subject=subject,
        body_text=text,
        body_html=html,
        status=MessageStatus.PENDING if with_recipients else MessageStatus.NO_RECIPIENT,
        next_attempt_at=now,
        message_id=planning.message_id_for(planned.key),
    )


def _label_in(planned: planning.Planned, language: str) -> str:
    with translation.override(language):
        return str(planned.due.label())


def reminders_plan(*, day: dt.date, dry_run: bool = False) -> PlanResult:
    """Plan the reminders due on `day` into the outbox (nothing is written when `dry_run`).

    Also: messages waiting for a recipient get one if the State now has a contact, and reminders not
    yet sent for an obligation met since are suppressed. A fixed number of queries for any number
    of States (the inserts are batched).
    """
    rules = planning.active_rules()
    data = planning.PlanningData.load(day, lookahead_days=planning.lookahead_days(rules))
    planned = planning.plan(day, rules=rules, data=data)
    existing = set(OutboxMessage.objects.filter(key__in=[p.key for p in planned]).values_list("key", flat=True))
    result = PlanResult(day=day, planned=planned, states=data.states)
    result.new_keys = {p.key for p in planned if p.key not in existing}
    result.no_recipient_keys = {p.key for p in planned if not p.recipients}
    if dry_run:
        return result
    now = timezone.now()
    rows = [_row_for(p, data.states[p.due.state_id], now) for p in planned if p.key in result.new_keys]
    with transaction.atomic():
        OutboxMessage.objects.bulk_create(rows, batch_size=SEND_BATCH, ignore_conflicts=True)
        result.unblocked = _give_recipients(data)
        result.suppressed = _suppress_met(data, day)
    return result


def _give_recipients(data: planning.PlanningData) -> int:
    """Messages that had nobody to write to get the recipients the State has now."""
    waiting = OutboxMessage.objects.filter(status=MessageStatus.NO_RECIPIENT, kind=MessageKind.REMINDER)
    changed = 0
    for message in waiting.select_related("rule"):
        recipients = planning.recipients_for(message.rule, message.state_id, data)
        if recipients:
            changed += OutboxMessage.objects.filter(pk=message.pk, status=MessageStatus.NO_RECIPIENT).update(
                status=MessageStatus.PENDING, recipients=recipients, next_attempt_at=timezone.now()
            )
    return changed


def _obligation_met(
    message: OutboxMessage, data: planning.PlanningData, day: dt.date, watched: dict[str, dict] | None = None
) -> bool:
    kind, _sep, rest = message.obligation.partition(":")
    if message.rule.trigger in (Trigger.INITIAL_REPORT, Trigger.ANNUAL_REPORT):
        year = int(rest) if rest else None
        met_on = data.submissions.get((message.state_id, kind, year))
        return met_on is not None and met_on <= day
    if message.rule.trigger == Trigger.CONTROL_LIST_MISSING:
        met_on = data.first_lists.get(message.state_id)
        return met_on is not None and met_on <= day
    if message.rule.trigger == Trigger.CONTACT_UNCONFIRMED:
        contact_id, _sep, base = rest.partition(":")
        current = {c.pk: c for c in data.contacts.get(message.state_id, [])}
        contact = current.get(int(contact_id))
        return contact is None or contact.confirmation_base().isoformat() != base
    # Any other trigger (arrears, registered by the finance module): ask its watcher, once per
    # trigger for the whole run, whether the obligation is met.
    if watched is None:
        watched = {}
    trigger = message.rule.trigger
    if trigger not in watched:
        watched[trigger] = {(due.state_id, due.obligation): due for due in planning.watch(trigger, data, day)}
    due = watched[trigger].get((message.state_id, message.obligation))
    return due is not None and due.met_by(day)


def _suppress_met(data: planning.PlanningData, day: dt.date) -> int:
    """Reminders still waiting for an obligation that has been met are not sent."""
    waiting = OutboxMessage.objects.filter(
        kind=MessageKind.REMINDER,
        status__in=[MessageStatus.PENDING, MessageStatus.FAILED, MessageStatus.NO_RECIPIENT],
    ).select_related("rule")
    on = max(day, timezone.localdate())
    watched: dict[str, dict] = {}
    met = [message.pk for message in waiting if _obligation_met(message, data, on, watched)]
    if not met:
        return 0
    return OutboxMessage.objects.filter(
        pk__in=met, status__in=[MessageStatus.PENDING, MessageStatus.FAILED, MessageStatus.NO_RECIPIENT]
    ).update(status=MessageStatus.SUPPRESSED, last_error="")


# ---------------------------------------------------------------------------- other platform e-mails


def outbox_enqueue(
    *,
    key: str,
    kind: str,
    template: str,
    to: Sequence[str],
    context: dict[str, Any],
    language: str,
    state: State | None = None,
    label: str = "",
    attachments: Sequence[dict[str, str]] = (),
) -> OutboxMessage | None:
    """Put one e-mail (an acknowledgement, a notice) in the outbox, rendered now, in `language`;
    it is sent once the transaction commits (see `outbox_send_on_commit`). The same `key` twice
    gives one message. Returns None when there is nobody to write to. `attachments` name files in
    the default storage ({"path", "filename", "mimetype"}), attached when the message is sent."""
    if not to:
        return None
    subject, text, html = email_render(template=template, context=context, language=language)
    message, _created = OutboxMessage.objects.get_or_create(
        key=key,
        defaults={
            "kind": kind,
            "state": state,
            "obligation_label": label[:200],
            "planned_for": timezone.localdate(),
            "language": language,
            "recipients": list(to),
            "subject": subject[:300],
            "body_text": text,
            "body_html": html,
            "next_attempt_at": timezone.now(),
            "message_id": planning.message_id_for(key),
            "attachments": [dict(item) for item in attachments],
        },
    )
    return message


def outbox_send_on_commit(messages: Iterable[OutboxMessage | None]) -> None:
    """Try to send these messages as soon as the transaction commits. A failure leaves them in the
    outbox, where the next `send_reminders` run (or the worker) retries them."""
    ids = [message.pk for message in messages if message is not None]
    if ids:
        transaction.on_commit(lambda: _send_quietly(ids), robust=True)


def _send_quietly(ids: list[int]) -> None:
    try:
        outbox_send(only_ids=ids)
    except Exception:  # noqa: BLE001 - the messages stay in the outbox and are retried
        logger.exception("Could not send outbox messages %s now; they stay in the outbox", ids)


# ---------------------------------------------------------------------------- sending


@dataclass
class SendResult:
    sent: list[OutboxMessage] = field(default_factory=list)
    failed: list[OutboxMessage] = field(default_factory=list)
    server_down: str = ""  # why the run stopped early (the server could not be reached)
    left: int = 0  # messages left for the next run because the server was down


def _claimable(now: dt.datetime, dead_tokens: list[str]) -> Q:
    """Rows a run may take: due to be sent, or left "being sent" by a run that died."""
    stale = now - dt.timedelta(seconds=settings.REMINDERS_CLAIM_TIMEOUT)
    claimable = Q(status__in=[MessageStatus.PENDING, MessageStatus.FAILED], next_attempt_at__lte=now) | Q(
        status=MessageStatus.SENDING, claimed_at__lt=stale
    )
    if dead_tokens:
        claimable |= Q(status=MessageStatus.SENDING, claim_token__in=dead_tokens)
    return claimable


def _dead_local_claims() -> list[str]:
    """Claim tokens of "being sent" rows whose process on this machine no longer runs."""
    tokens = OutboxMessage.objects.filter(status=MessageStatus.SENDING, claim_token__startswith=f"{HOSTNAME}:")
    dead = []
    for token in set(tokens.values_list("claim_token", flat=True)):
        try:
            pid = int(token.split(":")[1])
        except (IndexError, ValueError):
            continue
        if not _process_alive(pid):
            dead.append(token)
    return dead


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (killed, not yet reaped by its parent) is gone for our purpose.
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().split(") ", 1)[1][:1] != "Z"
    except (OSError, IndexError):
        return True


def _backoff(attempts: int) -> dt.timedelta:
    seconds = settings.REMINDERS_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return dt.timedelta(seconds=min(seconds, settings.REMINDERS_RETRY_MAX_SECONDS))


SERVER_DOWN_ERRORS = (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, ConnectionError, TimeoutError)


def _is_server_down(error: Exception) -> bool:
    if isinstance(error, SERVER_DOWN_ERRORS):
        return True
    if isinstance(error, smtplib.SMTPResponseException) and error.smtp_code == 421:
        return True  # "service not available, closing transmission channel"
    return isinstance(error, OSError) and not isinstance(error, smtplib.SMTPException)


def _email(message: OutboxMessage, connection: Any) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=list(message.recipients),
        headers={"Message-ID": message.message_id, "Auto-Submitted": "auto-generated"},
        connection=connection,
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    for item in message.attachments:
        # A file that is gone fails this message (retried, then shown to staff), never sends it
        # without the file, and does not stop the other messages as a server failure would.
        try:
            with default_storage.open(item["path"], "rb") as stored:
                content = stored.read()
        except OSError as error:
            raise AttachmentMissing(_("The attached file %(path)s cannot be read.") % {"path": item["path"]}) from error
        email.attach(item["filename"], content, item.get("mimetype") or "application/octet-stream")
    return email


def outbox_send(
    *,
    only_ids: Iterable[int] | None = None,
    on_result: Callable[[OutboxMessage, str], None] | None = None,
) -> SendResult:
    """Send every message that is due (or only `only_ids`), each exactly once (see the module).

    `on_result(message, outcome)` is called after each message ("sent" or "failed").
    """
    result = SendResult()
    now = timezone.now()
    dead_tokens = _dead_local_claims()
    candidates = OutboxMessage.objects.filter(_claimable(now, dead_tokens))
    if only_ids is not None:
        candidates = candidates.filter(pk__in=list(only_ids))
    ids = list(candidates.order_by("pk").values_list("pk", flat=True))
    token = f"{HOSTNAME}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
    connection = get_connection(fail_silently=False)
    try:
        for start in range(0, len(ids), SEND_BATCH):
            batch = {
                m.pk: m
                for m in OutboxMessage.objects.select_related("state").filter(pk__in=ids[start : start + SEND_BATCH])
            }
            for position, pk in enumerate(ids[start : start + SEND_BATCH]):
                message = batch[pk]
                claimed_at = timezone.now()
                claimed = (
                    OutboxMessage.objects.filter(pk=pk)
                    .filter(_claimable(claimed_at, dead_tokens))
                    .update(status=MessageStatus.SENDING, claim_token=token, claimed_at=claimed_at)
                )
                if not claimed:
                    continue  # another run has it, or it was sent, suppressed or changed meanwhile
                try:
                    _deliver(message, connection)
                except Exception as error:  # noqa: BLE001 - every failure is recorded on the row
                    if _is_server_down(error):
                        _release(pk, token, error)
                        result.server_down = f"{type(error).__name__}: {error}"
                        result.left = len(ids) - start - position
                        return result
                    _record_failure(message, token, error)
                    result.failed.append(message)
                    if on_result:
                        on_result(message, "failed")
                    _reset(connection)
                    continue
                sent_at = timezone.now()
                OutboxMessage.objects.filter(pk=pk, claim_token=token).update(
                    status=MessageStatus.SENT, sent_at=sent_at, claim_token="", claimed_at=None, last_error=""
                )
                message.status, message.sent_at = MessageStatus.SENT, sent_at
                result.sent.append(message)
                if on_result:
                    on_result(message, "sent")
    finally:
        _reset(connection)
    return result


class AttachmentMissing(Exception):  # noqa: N818 - reads as what happened, like NothingSent
    """A file the message must carry is not in the storage."""


class NothingSent(smtplib.SMTPException):
    """The backend sent nothing and gave no reason (for example, no recipient was left)."""


def _deliver(message: OutboxMessage, connection: Any) -> None:
    # One connection for the whole run: opened here when needed, so that Django's backend does
    # not open and close one per message.
    if getattr(connection, "connection", True) is None:
        connection.open()
    if not connection.send_messages([_email(message, connection)]):
        raise NothingSent(_("The mail backend sent nothing."))


def _reset(connection: Any) -> None:
    # Closing a broken connection may fail; a new one is opened for the next message.
    with contextlib.suppress(Exception):
        connection.close()


def _release(pk: int, token: str, error: Exception) -> None:
    """The server could not be reached: the message goes back, untouched, for the next run."""
    OutboxMessage.objects.filter(pk=pk, claim_token=token).update(
        status=MessageStatus.PENDING,
        claim_token="",
        claimed_at=None,
        last_error=_("The mail server could not be reached: %(error)s") % {"error": error},
    )


def _record_failure(message: OutboxMessage, token: str, error: Exception) -> None:
    attempts = message.attempts + 1
    message.attempts = attempts
    message.status = MessageStatus.FAILED
    message.last_error = f"{type(error).__name__}: {error}"[:2000]
    message.next_attempt_at = timezone.now() + _backoff(attempts)
    OutboxMessage.objects.filter(pk=message.pk, claim_token=token).update(
        status=MessageStatus.FAILED,
        attempts=attempts,
        last_error=message.last_error,
        next_attempt_at=message.next_attempt_at,
        claim_token="",
        claimed_at=None,
    )


@transaction.atomic
def outbox_retry(*, message: OutboxMessage, retried_by: Any) -> OutboxMessage:
    """Staff ask for a failed message to be sent at the next run (now, not after its back-off)."""
    message = OutboxMessage.objects.select_for_update().get(pk=message.pk)
    if message.status != MessageStatus.FAILED:
        raise ValidationError(_("Only a failed message can be retried."))
    message.next_attempt_at = timezone.now()
    message.save(update_fields=["next_attempt_at"])
    return message

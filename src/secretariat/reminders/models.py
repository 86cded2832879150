"""Reminder rules, their templates, and the outbox every platform e-mail goes through.

A rule says what it watches (a `Trigger`), when it writes (offsets in days around the deadline),
to whom (contact roles, the mission, the State's platform representatives) and what (one
template per language). `planning.py` turns rules into messages for a date; each planned message
is an `OutboxMessage` row with a unique `key` (rule, State, obligation, step), so a message is
planned once however many runs plan it, and sent once however many runs try to send it
(`services.outbox_send`).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from secretariat.contacts.models import ContactRole, Language


class Trigger(models.TextChoices):
    INITIAL_REPORT = "initial_report", _("Initial report due")
    ANNUAL_REPORT = "annual_report", _("Annual report due")
    ARREARS = "arrears", _("Contributions in arrears")
    CONTROL_LIST_MISSING = "control_list_missing", _("National control list never provided")
    CONTACT_UNCONFIRMED = "contact_unconfirmed", _("Contact not confirmed for 12 months")


class CountFrom(models.TextChoices):
    """Where positive offsets (days after) count from. Negative offsets count from the deadline."""

    GRACE_END = "grace_end", _("the end of the grace period")
    DEADLINE = "deadline", _("the deadline itself")


RECIPIENT_ROLES = ContactRole.values


class ReminderRule(models.Model):
    name = models.CharField(_("name"), max_length=200)
    trigger = models.CharField(_("what it watches"), max_length=24, choices=Trigger.choices)
    offsets = models.CharField(
        _("when (days)"),
        max_length=200,
        help_text=_(
            "Days around the deadline, separated by commas: -60 and -14 are 60 and 14 days before, "
            "1 and 30 are 1 and 30 days after."
        ),
    )
    count_after_from = models.CharField(
        _("days after count from"), max_length=10, choices=CountFrom.choices, default=CountFrom.GRACE_END
    )
    recipient_roles = models.CharField(
        _("contacts written to"),
        max_length=100,
        help_text=_("Contact roles, separated by commas (npc, reporting, mission, finance)."),
    )
    include_representatives = models.BooleanField(_("also the State's representatives on the platform"), default=False)
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reminder rule")
        verbose_name_plural = _("reminder rules")
        ordering = ["trigger", "name"]
        constraints = [
            models.CheckConstraint(name="reminders_trigger_known", condition=Q(trigger__in=Trigger.values)),
            models.CheckConstraint(
                name="reminders_count_from_known", condition=Q(count_after_from__in=CountFrom.values)
            ),
            models.CheckConstraint(name="reminders_offsets_given", condition=~Q(offsets="")),
            models.CheckConstraint(
                name="reminders_someone_written_to",
                condition=~Q(recipient_roles="") | Q(include_representatives=True),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def offset_list(self) -> list[int]:
        """The offsets as integers, in order (the rule's form has validated them)."""
        return sorted(int(part) for part in self.offsets.replace(" ", "").split(",") if part)

    @property
    def role_list(self) -> list[str]:
        return [part for part in self.recipient_roles.replace(" ", "").split(",") if part]


class ReminderTemplate(models.Model):
    rule = models.ForeignKey(ReminderRule, on_delete=models.CASCADE, related_name="templates", verbose_name=_("rule"))
    language = models.CharField(_("language"), max_length=7, choices=Language.choices)
    subject = models.CharField(_("subject"), max_length=250)
    body = models.TextField(_("text"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reminder template")
        verbose_name_plural = _("reminder templates")
        ordering = ["rule", "language"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "language"], name="reminders_one_template_per_language"),
            models.CheckConstraint(name="reminders_template_language_known", condition=Q(language__in=Language.values)),
        ]

    def __str__(self) -> str:
        return f"{self.rule} ({self.language})"


class MessageKind(models.TextChoices):
    REMINDER = "reminder", _("Reminder")
    ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement")
    NOTICE = "notice", _("Notice")


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed, will be retried")
    NO_RECIPIENT = "no_recipient", _("No contact to write to")
    SUPPRESSED = "suppressed", _("Not sent: the obligation was met")


# Statuses in which a message still has to be sent (or someone has to act).
OPEN_STATUSES = (MessageStatus.PENDING, MessageStatus.SENDING, MessageStatus.FAILED, MessageStatus.NO_RECIPIENT)


class OutboxMessage(models.Model):
    key = models.CharField(_("key"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=MessageKind.choices)
    rule = models.ForeignKey(
        ReminderRule, on_delete=models.PROTECT, null=True, blank=True, related_name="messages", verbose_name=_("rule")
    )
    state = models.ForeignKey(
        "states.State",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outbox_messages",
        verbose_name=_("State"),
    )
    obligation = models.CharField(_("obligation"), max_length=60, blank=True)
    obligation_label = models.CharField(_("about"), max_length=200, blank=True)
    step = models.SmallIntegerField(_("step (days from the deadline)"), null=True, blank=True)
    due_on = models.DateField(_("deadline"), null=True, blank=True)
    planned_for = models.DateField(_("to be sent on"))
    language = models.CharField(_("language"), max_length=7, choices=Language.choices, default=Language.ENGLISH)
    recipients = models.JSONField(_("recipients"), default=list, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body_text = models.TextField(_("text"), blank=True)
    body_html = models.TextField(_("HTML"), blank=True)
    # Files attached when the message is sent, read from the default storage at that moment:
    # [{"path": storage name, "filename": name shown, "mimetype": type}] (invoices' PDFs).
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=MessageStatus.choices, default=MessageStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("failed attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    last_error = models.TextField(_("last error"), blank=True)
    claim_token = models.CharField(max_length=100, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=200)
    created_at = models.DateTimeField(_("planned at"), auto_now_add=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        ordering = ["-planned_for", "-pk"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="reminders_outbox_due"),
            models.Index(fields=["state", "-planned_for"], name="reminders_outbox_state"),
        ]
        constraints = [
            models.CheckConstraint(name="reminders_kind_known", condition=Q(kind__in=MessageKind.values)),
            models.CheckConstraint(name="reminders_status_known", condition=Q(status__in=MessageStatus.values)),
            models.CheckConstraint(
                name="reminders_sent_has_time", condition=~Q(status=MessageStatus.SENT) | Q(sent_at__isnull=False)
            ),
            models.CheckConstraint(
                name="reminders_sending_is_claimed",
                condition=~Q(status=MessageStatus.SENDING) | (~Q(claim_token="") & Q(claimed_at__isnull=False)),
            ),
            models.CheckConstraint(
                name="reminders_reminder_has_rule", condition=~Q(kind=MessageKind.REMINDER) | Q(rule__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return self.key

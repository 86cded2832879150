"""National points of contact and the other contacts of each State (Art. 5(6), Art. 18(3)(b)).

A State designates its contacts by Note Verbale. Its representatives propose a contact (or a
change to one) on the platform; staff verify the proposal against the Note Verbale, or refuse it
with a reason. A verified change supersedes the record it replaces, which is kept. Every change
is also in the row's history (django-simple-history).

Who sees what (core.access): the directory is for representatives of States Parties and staff;
the public learns only whether a State has a designated national point of contact, and since when.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from secretariat.core.files import file_extension
from secretariat.states.models import WorkingLanguage as Language  # the platform's four writing languages


class ContactRole(models.TextChoices):
    NATIONAL_POINT = "npc", _("National point of contact")
    REPORTING = "reporting", _("Reporting contact")
    MISSION = "mission", _("Geneva mission contact")
    FINANCE = "finance", _("Finance contact")


class ContactStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for verification")
    VERIFIED = "verified", _("Verified")
    REFUSED = "refused", _("Refused")
    SUPERSEDED = "superseded", _("Replaced by a later change")


def note_verbale_path(instance: Contact, filename: str) -> str:
    # The stored name never comes from the user's file name (only its extension is kept).
    dated = instance.note_verbale_date.isoformat() if instance.note_verbale_date else "undated"
    return f"contacts/{instance.state.iso3}/note-verbale-{dated}-{instance.role}.{file_extension(filename, 'bin')}"


class Contact(models.Model):
    state = models.ForeignKey(
        "states.State", on_delete=models.PROTECT, related_name="contacts", verbose_name=_("State")
    )
    role = models.CharField(_("role"), max_length=12, choices=ContactRole.choices)
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("title or position"), max_length=200, blank=True)
    ministry = models.CharField(_("ministry or department"), max_length=300, blank=True)
    email = models.EmailField(
        _("e-mail address"),
        help_text=_("A role address (for example npc@ministry.gov) keeps working when the person changes."),
    )
    other_emails = models.TextField(_("other e-mail addresses"), blank=True, help_text=_("One per line."))
    phones = models.TextField(
        _("telephone numbers"), blank=True, help_text=_("One per line, in international form: +41 22 555 01 23.")
    )
    postal_address = models.TextField(_("postal address"), blank=True)
    working_language = models.CharField(
        _("working language"), max_length=7, choices=Language.choices, default=Language.ENGLISH
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True, help_text=_("Empty while the designation lasts."))
    note_verbale = models.FileField(_("designating Note Verbale"), upload_to=note_verbale_path, max_length=300)
    note_verbale_date = models.DateField(_("date of the Note Verbale"))
    note_verbale_reference = models.CharField(_("reference of the Note Verbale"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=ContactStatus.choices, default=ContactStatus.PENDING)
    replaces = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="changes",
        verbose_name=_("replaces"),
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    proposed_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("verified or refused at"), null=True, blank=True)
    refusal_reason = models.TextField(_("reason for refusal"), blank=True)
    confirmed_on = models.DateField(
        _("last confirmed on"), null=True, blank=True, help_text=_("The last day the State confirmed this contact.")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["state__name_en", "role", "name"]
        indexes = [models.Index(fields=["state", "role", "status"], name="contacts_state_role_status")]
        constraints = [
            models.CheckConstraint(name="contacts_role_known", condition=Q(role__in=ContactRole.values)),
            models.CheckConstraint(name="contacts_status_known", condition=Q(status__in=ContactStatus.values)),
            models.CheckConstraint(name="contacts_language_known", condition=Q(working_language__in=Language.values)),
            models.CheckConstraint(
                name="contacts_valid_period",
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
            ),
            models.CheckConstraint(
                name="contacts_note_verbale_given",
                condition=~Q(note_verbale="") & ~Q(note_verbale_reference=""),
            ),
            models.CheckConstraint(
                name="contacts_refusal_has_reason",
                condition=~Q(status=ContactStatus.REFUSED) | ~Q(refusal_reason=""),
            ),
            models.CheckConstraint(
                name="contacts_decision_recorded",
                condition=Q(status=ContactStatus.PENDING) | Q(decided_at__isnull=False),
            ),
            # At most one open proposal to change a given record.
            models.UniqueConstraint(
                fields=["replaces"],
                condition=Q(status="pending", replaces__isnull=False),
                name="contacts_one_pending_change",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()}, {self.state.iso3})"

    @property
    def all_emails(self) -> list[str]:
        """The main address first, then the others (as entered, one per line)."""
        others = [line.strip() for line in self.other_emails.splitlines() if line.strip()]
        return [self.email, *[email for email in others if email.lower() != self.email.lower()]]

    @property
    def phone_list(self) -> list[str]:
        return [line.strip() for line in self.phones.splitlines() if line.strip()]

    def valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def confirmation_base(self) -> dt.date:
        """The day from which "not confirmed for 12 months" counts: the last confirmation, else the
        day it was verified, else the start of its validity."""
        if self.confirmed_on:
            return self.confirmed_on
        if self.decided_at:
            return self.decided_at.date()
        return self.valid_from

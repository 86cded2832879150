"""The State registry: every State the Secretariat deals with, and its relation to the Treaty.

Treaty facts (Art. 21-24):
- The Treaty entered into force on 24 December 2014 (Art. 22(1)), 90 days after the
  50th instrument. Every instrument deposited before that day took effect on it.
- For an instrument deposited later, the Treaty enters into force 90 days after the
  deposit (Art. 22(2)).
- A withdrawal takes effect 90 days after the Depositary receives it, or later if the
  notification says so (Art. 24).

Dates the sources do not give stay unknown. A date known only to the month or year is
kept as text ("2014-08", "2014") beside an empty date field, and the rules below use it
only where the answer is the same for every day it could be.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

TREATY_OPENED_FOR_SIGNATURE = dt.date(2013, 6, 3)  # Art. 21(1)
TREATY_ENTRY_INTO_FORCE = dt.date(2014, 12, 24)  # Art. 22(1)
DAYS_TO_ENTRY_INTO_FORCE = 90
DAYS_TO_WITHDRAWAL = 90

PARTIAL_DATE_PATTERN = r"^\d{4}(-(0[1-9]|1[0-2]))?$"
partial_date_validator = RegexValidator(PARTIAL_DATE_PATTERN, _("Use YYYY or YYYY-MM."))


class Region(models.TextChoices):
    """The five UN regional groups, plus 'none' for States outside all of them."""

    AFRICAN = "african", _("African States")
    ASIA_PACIFIC = "asia_pacific", _("Asia-Pacific States")
    EASTERN_EUROPEAN = "eastern_european", _("Eastern European States")
    LATIN_AMERICAN_CARIBBEAN = "latin_american_caribbean", _("Latin American and Caribbean States")
    WESTERN_EUROPEAN_OTHERS = "western_european_others", _("Western European and other States")
    NONE = "none", _("No UN regional group")


class UNStanding(models.TextChoices):
    MEMBER = "member", _("UN Member State")
    OBSERVER = "observer", _("UN non-member observer State")
    NON_MEMBER = "non_member", _("Not a UN Member State")


class WorkingLanguage(models.TextChoices):
    ENGLISH = "en", _("English")
    FRENCH = "fr", _("French")
    SPANISH = "es", _("Spanish")
    CHINESE = "zh-hans", _("Chinese")


class Instrument(models.TextChoices):
    RATIFICATION = "ratification", _("Ratification")
    ACCEPTANCE = "acceptance", _("Acceptance")
    APPROVAL = "approval", _("Approval")
    ACCESSION = "accession", _("Accession")


class Declaration(models.TextChoices):
    YES = "yes", _("Declared")
    NO = "no", _("Not declared")
    UNKNOWN = "unknown", _("Not known")


class TreatyStatus(models.TextChoices):
    PARTY = "party", _("State Party")
    SIGNATORY = "signatory", _("Signatory")
    NOT_JOINED = "not_joined", _("Not joined")
    UNKNOWN = "unknown", _("Cannot be determined")


class RecordedStatus(models.TextChoices):
    """The status a source records, used only where the dates cannot decide."""

    PARTY = "party", _("State Party")
    SIGNATORY = "signatory", _("Signatory")
    NONE = "", _("Not joined")


@dataclass(frozen=True)
class PartialDate:
    """A date known to the day, to the month, to the year, or not at all."""

    day: dt.date | None
    text: str = ""

    @property
    def known(self) -> bool:
        return self.day is not None or bool(self.text)

    @property
    def earliest(self) -> dt.date | None:
        if self.day:
            return self.day
        if not self.text:
            return None
        year, _sep, month = self.text.partition("-")
        return dt.date(int(year), int(month or 1), 1)

    @property
    def latest(self) -> dt.date | None:
        if self.day:
            return self.day
        if not self.text:
            return None
        year, _sep, month = self.text.partition("-")
        if month:
            return dt.date(int(year), int(month), calendar.monthrange(int(year), int(month))[1])
        return dt.date(int(year), 12, 31)

    def __str__(self) -> str:
        return self.day.isoformat() if self.day else self.text


def _day(day: dt.date) -> str:
    """A date as the reader's language writes it, for sentences such as status reasons."""
    return date_format(day, "DATE_FORMAT")


def entry_into_force_for_deposit(deposit: dt.date) -> dt.date:
    """Art. 22: 24 Dec 2014 for instruments deposited before that day, else deposit + 90 days."""
    if deposit < TREATY_ENTRY_INTO_FORCE:
        return TREATY_ENTRY_INTO_FORCE
    return deposit + dt.timedelta(days=DAYS_TO_ENTRY_INTO_FORCE)


@dataclass(frozen=True)
class StatusAnswer:
    status: TreatyStatus
    reason: str = ""


@dataclass(frozen=True)
class TreatyEvent:
    date: str  # ISO 8601, or "YYYY-MM" / "YYYY" when only that is known
    label: str
    sort_key: dt.date
    when: PartialDate


class StateQuerySet(models.QuerySet["State"]):
    def ordered_by_name(self) -> StateQuerySet:
        return self.order_by(name_field())

    def treaty_participants(self) -> StateQuerySet:
        return self.filter(
            Q(signature_date__isnull=False)
            | ~Q(signature_date_partial="")
            | Q(deposit_date__isnull=False)
            | ~Q(deposit_date_partial="")
            | ~Q(recorded_status="")
        )


def name_field(language: str | None = None) -> str:
    """The State name column for a language code (English for any language we have no column for)."""
    language = (language or translation.get_language() or "en").lower()
    if language.startswith("fr"):
        return "name_fr"
    if language.startswith("es"):
        return "name_es"
    if language.startswith("zh"):
        return "name_zh"
    return "name_en"


class State(models.Model):
    # Identity
    iso3 = models.CharField(
        _("ISO 3166 alpha-3"), max_length=3, unique=True, validators=[RegexValidator(r"^[A-Z]{3}$")]
    )
    iso2 = models.CharField(
        _("ISO 3166 alpha-2"), max_length=2, unique=True, validators=[RegexValidator(r"^[A-Z]{2}$")]
    )
    iso_numeric = models.CharField(_("ISO 3166 numeric"), max_length=3, validators=[RegexValidator(r"^\d{3}$")])
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_fr = models.CharField(_("name (French)"), max_length=120)
    name_es = models.CharField(_("name (Spanish)"), max_length=120)
    name_zh = models.CharField(_("name (Chinese)"), max_length=120)
    un_standing = models.CharField(_("standing at the UN"), max_length=12, choices=UNStanding.choices)
    region = models.CharField(
        _("UN regional group"),
        max_length=30,
        choices=Region.choices,
        blank=True,
        help_text=_("Empty while unknown."),
    )
    working_language = models.CharField(
        _("preferred working language"),
        max_length=7,
        choices=WorkingLanguage.choices,
        default=WorkingLanguage.ENGLISH,
        help_text=_("Letters, invoices and reminders to the State are sent in this language."),
    )

    # The Treaty (Art. 21-24)
    signature_date = models.DateField(_("signature"), null=True, blank=True)
    signature_date_partial = models.CharField(
        _("signature (month or year only)"), max_length=7, blank=True, validators=[partial_date_validator]
    )
    signature_repudiated_on = models.DateField(
        _("signature repudiated on"),
        null=True,
        blank=True,
        help_text=_("Date the State informed the Depositary it does not intend to become a party."),
    )
    instrument = models.CharField(_("instrument"), max_length=12, choices=Instrument.choices, blank=True)
    deposit_date = models.DateField(_("deposit of instrument"), null=True, blank=True)
    deposit_date_partial = models.CharField(
        _("deposit (month or year only)"), max_length=7, blank=True, validators=[partial_date_validator]
    )
    art23_declaration = models.CharField(
        _("Article 23 declaration"), max_length=7, choices=Declaration.choices, default=Declaration.UNKNOWN
    )
    art23_date = models.DateField(_("Article 23 declaration date"), null=True, blank=True)
    withdrawal_notified_on = models.DateField(_("withdrawal received by the Depositary"), null=True, blank=True)
    withdrawal_effective_on = models.DateField(
        _("withdrawal takes effect"),
        null=True,
        blank=True,
        help_text=_("Leave empty for 90 days after receipt (Art. 24); set a later date if the notification gives one."),
    )
    recorded_status = models.CharField(
        _("status recorded by the source"),
        max_length=10,
        choices=RecordedStatus.choices,
        blank=True,
        help_text=_("Used only where the dates above cannot decide the status."),
    )
    recorded_status_as_of = models.DateField(_("status recorded as of"), null=True, blank=True)
    treaty_source = models.TextField(_("source of the treaty data"), blank=True)
    treaty_verified = models.CharField(_("verification"), max_length=20, blank=True)

    history = HistoricalRecords()
    objects = StateQuerySet.as_manager()

    class Meta:
        verbose_name = _("State")
        verbose_name_plural = _("States")
        ordering = ["name_en"]
        constraints = [
            models.CheckConstraint(
                name="states_signature_one_form",
                condition=Q(signature_date__isnull=True) | Q(signature_date_partial=""),
            ),
            models.CheckConstraint(
                name="states_deposit_one_form",
                condition=Q(deposit_date__isnull=True) | Q(deposit_date_partial=""),
            ),
            models.CheckConstraint(
                name="states_signature_partial_format",
                condition=Q(signature_date_partial="") | Q(signature_date_partial__regex=PARTIAL_DATE_PATTERN),
            ),
            models.CheckConstraint(
                name="states_deposit_partial_format",
                condition=Q(deposit_date_partial="") | Q(deposit_date_partial__regex=PARTIAL_DATE_PATTERN),
            ),
            models.CheckConstraint(
                name="states_art23_date_only_if_declared",
                condition=Q(art23_date__isnull=True) | Q(art23_declaration="yes"),
            ),
            models.CheckConstraint(
                name="states_withdrawal_after_notice",
                condition=Q(withdrawal_effective_on__isnull=True)
                | (
                    Q(withdrawal_notified_on__isnull=False)
                    & Q(withdrawal_effective_on__gte=models.F("withdrawal_notified_on"))
                ),
            ),
            models.CheckConstraint(name="states_region_known", condition=Q(region="") | Q(region__in=Region.values)),
            models.CheckConstraint(
                name="states_working_language_known", condition=Q(working_language__in=WorkingLanguage.values)
            ),
            models.CheckConstraint(
                name="states_instrument_known", condition=Q(instrument="") | Q(instrument__in=Instrument.values)
            ),
            models.CheckConstraint(
                name="states_recorded_status_known", condition=Q(recorded_status__in=RecordedStatus.values)
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return getattr(self, name_field()) or self.name_en

    # ------------------------------------------------------------------ treaty rules

    @property
    def signature(self) -> PartialDate:
        return PartialDate(self.signature_date, self.signature_date_partial)

    @property
    def deposit(self) -> PartialDate:
        return PartialDate(self.deposit_date, self.deposit_date_partial)

    @property
    def has_deposited(self) -> bool:
        """An instrument is on record, whether or not its date is known."""
        return self.deposit.known or self.recorded_status == RecordedStatus.PARTY

    @property
    def entry_into_force(self) -> dt.date | None:
        """The computed entry into force for this State, or None when the dates cannot give it."""
        deposit = self.deposit
        if deposit.day:
            return entry_into_force_for_deposit(deposit.day)
        latest = deposit.latest
        if latest is not None and latest < TREATY_ENTRY_INTO_FORCE:
            # Every day the deposit could have been gives the same answer.
            return TREATY_ENTRY_INTO_FORCE
        return None

    @property
    def earliest_possible_entry_into_force(self) -> dt.date | None:
        """The first day the State could have been a party (the Treaty's own entry into force if no
        deposit date is known at all)."""
        earliest = self.deposit.earliest
        if earliest:
            return entry_into_force_for_deposit(earliest)
        return TREATY_ENTRY_INTO_FORCE if self.has_deposited else None

    @property
    def entry_into_force_unknown_reason(self) -> str:
        if self.entry_into_force is not None or not self.has_deposited:
            return ""
        if self.deposit.text:
            return str(_("The deposit is known only as %(partial)s.") % {"partial": self.deposit.text})
        return str(_("The date of deposit of the instrument is not known."))

    @property
    def withdrawal_takes_effect(self) -> dt.date | None:
        if self.withdrawal_effective_on:
            return self.withdrawal_effective_on
        if self.withdrawal_notified_on:
            return self.withdrawal_notified_on + dt.timedelta(days=DAYS_TO_WITHDRAWAL)
        return None

    def status_on(self, day: dt.date) -> StatusAnswer:
        """The State's relation to the Treaty on `day`, or UNKNOWN with the reason."""
        withdrawn = self.withdrawal_takes_effect
        if withdrawn is not None and day >= withdrawn:
            return StatusAnswer(
                TreatyStatus.NOT_JOINED, str(_("Withdrawal took effect on %(date)s.") % {"date": _day(withdrawn)})
            )
        eif = self.entry_into_force
        if eif is not None and day >= eif:
            return StatusAnswer(TreatyStatus.PARTY)
        if eif is None and self.has_deposited and day >= self.earliest_possible_entry_into_force:
            as_of = self.recorded_status_as_of
            if self.recorded_status == RecordedStatus.PARTY and as_of is not None and day >= as_of:
                return StatusAnswer(
                    TreatyStatus.PARTY,
                    str(
                        _("Recorded as a State Party on %(date)s; entry into force not known.") % {"date": _day(as_of)}
                    ),
                )
            return StatusAnswer(TreatyStatus.UNKNOWN, self.entry_into_force_unknown_reason)
        return self._signatory_status_on(day)

    def _signatory_status_on(self, day: dt.date) -> StatusAnswer:
        signature = self.signature
        repudiated = self.signature_repudiated_on
        if repudiated is not None and day >= repudiated:
            return StatusAnswer(
                TreatyStatus.NOT_JOINED, str(_("Signature repudiated on %(date)s.") % {"date": _day(repudiated)})
            )
        if signature.known:
            if day >= signature.latest:
                return StatusAnswer(TreatyStatus.SIGNATORY)
            if day >= signature.earliest:
                return StatusAnswer(
                    TreatyStatus.UNKNOWN,
                    str(_("The signature is known only as %(partial)s.") % {"partial": signature.text}),
                )
            return StatusAnswer(TreatyStatus.NOT_JOINED)
        if self.recorded_status == RecordedStatus.SIGNATORY and not self.has_deposited:
            as_of = self.recorded_status_as_of
            if as_of is not None and day >= as_of:
                return StatusAnswer(
                    TreatyStatus.SIGNATORY,
                    str(_("Recorded as a signatory on %(date)s; signature date not known.") % {"date": _day(as_of)}),
                )
            return StatusAnswer(TreatyStatus.UNKNOWN, str(_("The signature date is not known.")))
        return StatusAnswer(TreatyStatus.NOT_JOINED)

    def status_today(self) -> StatusAnswer:
        return self.status_on(timezone.localdate())

    def treaty_events(self) -> list[TreatyEvent]:
        """The State's treaty history in date order (the status history on the dossier)."""
        events: list[TreatyEvent] = []

        def add(when: PartialDate | dt.date | None, label: str) -> None:
            if when is None:
                return
            if isinstance(when, PartialDate):
                if not when.known:
                    return
                events.append(TreatyEvent(str(when), label, when.earliest, when))
            else:
                events.append(TreatyEvent(when.isoformat(), label, when, PartialDate(when)))

        add(self.signature, str(_("Signature")))
        if self.art23_declaration == Declaration.YES and self.art23_date:
            add(self.art23_date, str(_("Declaration of provisional application (Art. 23)")))
        if self.instrument:
            instrument = str(self.get_instrument_display()).lower()
            add(self.deposit, str(_("Deposit of instrument of %(instrument)s") % {"instrument": instrument}))
        else:
            add(self.deposit, str(_("Deposit of the instrument (type not known)")))
        add(self.entry_into_force, str(_("Entry into force for the State")))
        add(self.signature_repudiated_on, str(_("Signature repudiated")))
        add(self.withdrawal_notified_on, str(_("Notification of withdrawal received")))
        add(self.withdrawal_takes_effect, str(_("Withdrawal takes effect")))
        return sorted(events, key=lambda event: event.sort_key)


class ScaleRate(models.Model):
    """A State's rate in the UN scale of assessment for one year, in percent."""

    state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="scale_rates", verbose_name=_("State"))
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(1946), MaxValueValidator(2200)])
    rate_percent = models.DecimalField(
        _("rate (%)"),
        max_digits=8,
        decimal_places=5,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    source = models.CharField(_("source"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("UN scale rate")
        verbose_name_plural = _("UN scale rates")
        ordering = ["state", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["state", "year"], name="states_scale_one_rate_per_year"),
            models.CheckConstraint(
                name="states_scale_rate_range", condition=Q(rate_percent__gte=0) & Q(rate_percent__lte=100)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.state.iso3} {self.year}: {self.rate_percent}%"


class ReferenceImport(models.Model):
    """A reference file that was imported, so that `bootstrap` never imports it twice."""

    kind = models.CharField(max_length=40)
    sha256 = models.CharField(max_length=64)
    file_name = models.CharField(max_length=300)
    imported_at = models.DateTimeField(auto_now_add=True)
    changes = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "sha256"], name="states_reference_import_once")]

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name} ({self.sha256[:12]})"

"""The Article 13 reporting rule: when initial and annual reports fall due (DOMAIN.md §1.1-1.2).

The rule is data, not code, because parts of it are not verified with the Secretariat (see
`DEFAULT_SOURCE`); staff change it in the admin by adding a row with a later `effective_from`.
The obligation arithmetic itself lives in `obligations.py` (pure functions).
"""

from __future__ import annotations

import calendar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from secretariat.core.files import file_extension

MAX_GRACE_DAYS = 90
MAX_DAYS_BEFORE_ANNIVERSARY = 90
MAX_FIRST_ANNUAL_YEAR_OFFSET = 2

DEFAULT_SOURCE = (
    "Art. 13(1): initial report within the first year after entry into force for the State; "
    "Art. 13(3): annual report by 31 May on the preceding calendar year (treaty text, verified). "
    "Initial due date = first anniversary of entry into force minus one day, from the Secretariat's own "
    "example (EIF 24 Dec 2014 -> due 23 Dec 2015, thearmstradetreaty.org/reporting.html); UNVERIFIED for "
    "later joiners ('twelve months after' could also mean the anniversary itself). "
    "Grace period of 7 days (Stimson 2021); UNVERIFIED with the Secretariat. "
    "First annual report covers the first full calendar year after entry into force (inferred from the "
    "first reports being due in 2016 for 2015); UNVERIFIED as a general rule."
)


def _real_month_day() -> Q:
    """The month/day pair is a date in every year (29 February is refused)."""
    long_months = Q(annual_due_month__in=[1, 3, 5, 7, 8, 10, 12]) & Q(annual_due_day__lte=31)
    short_months = Q(annual_due_month__in=[4, 6, 9, 11]) & Q(annual_due_day__lte=30)
    february = Q(annual_due_month=2) & Q(annual_due_day__lte=28)
    return Q(annual_due_day__gte=1) & (long_months | short_months | february)


class ReportingRule(models.Model):
    """When Article 13 reports fall due. The rule in force on a day is the one with the latest
    `effective_from` on or before that day (see `obligations.rule_for`)."""

    name = models.CharField(_("name"), max_length=200)
    effective_from = models.DateField(_("in force from"), unique=True)
    initial_due_days_before_anniversary = models.PositiveSmallIntegerField(
        _("initial report: days before the first anniversary"),
        default=1,
        validators=[MaxValueValidator(MAX_DAYS_BEFORE_ANNIVERSARY)],
        help_text=_("1: due on the day before the first anniversary of entry into force; 0: on the anniversary."),
    )
    annual_due_month = models.PositiveSmallIntegerField(
        _("annual report: month due"), default=5, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    annual_due_day = models.PositiveSmallIntegerField(
        _("annual report: day due"), default=31, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    first_annual_year_offset = models.PositiveSmallIntegerField(
        _("first annual report: years after entry into force"),
        default=1,
        validators=[MaxValueValidator(MAX_FIRST_ANNUAL_YEAR_OFFSET)],
        help_text=_(
            "1: the first annual report covers the calendar year after the year of entry into force; "
            "0: it covers the year of entry into force."
        ),
    )
    grace_days = models.PositiveSmallIntegerField(
        _("grace period (days)"),
        default=7,
        validators=[MaxValueValidator(MAX_GRACE_DAYS)],
        help_text=_("A report received within this many days after the due date is 'submitted in grace'."),
    )
    source = models.TextField(_("source"), blank=True, help_text=_("Where each part of the rule comes from."))
    notes = models.TextField(_("notes"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reporting rule")
        verbose_name_plural = _("reporting rules")
        ordering = ["-effective_from"]
        constraints = [
            models.CheckConstraint(name="reporting_rule_annual_due_is_a_date", condition=_real_month_day()),
            models.CheckConstraint(
                name="reporting_rule_grace_days_range",
                condition=Q(grace_days__gte=0) & Q(grace_days__lte=MAX_GRACE_DAYS),
            ),
            models.CheckConstraint(
                name="reporting_rule_initial_days_range",
                condition=Q(initial_due_days_before_anniversary__gte=0)
                & Q(initial_due_days_before_anniversary__lte=MAX_DAYS_BEFORE_ANNIVERSARY),
            ),
            models.CheckConstraint(
                name="reporting_rule_first_annual_offset_range",
                condition=Q(first_annual_year_offset__gte=0)
                & Q(first_annual_year_offset__lte=MAX_FIRST_ANNUAL_YEAR_OFFSET),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.effective_from.isoformat()})"

    def clean(self) -> None:
        super().clean()
        month, day = self.annual_due_month, self.annual_due_day
        if month is None or day is None or not 1 <= month <= 12:
            return
        # 2001 is a common year: 29 February is refused, since it is not a date every year.
        if not 1 <= day <= calendar.monthrange(2001, month)[1]:
            raise ValidationError(
                {"annual_due_day": _("This day does not exist in that month every year (29 February is refused).")}
            )


# ---------------------------------------------------------------------------- reports
#
# A Report is one State's initial report, or its annual report on one calendar year. What the
# State sent is kept in versions: a version is immutable once submitted (an amendment is a new
# version with a reason). An annual version has two forms, exports and imports, each either a
# list of transfer rows or a nil report, and each public or restricted to States Parties
# (the CSP1 template: "whether that particular form may be made public or not").


class Category(models.Model):
    """An Art. 2(1) category or a SALW sub-category (reference data: data/att_article2_categories.csv)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent")
    )
    label_en = models.CharField(_("label"), max_length=200)
    treaty_basis = models.CharField(_("treaty basis"), max_length=40, blank=True)
    definition_basis = models.CharField(_("definition"), max_length=300, blank=True)
    verified = models.CharField(_("verification"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("category of conventional arms")
        verbose_name_plural = _("categories of conventional arms")
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.code} {self.label_en}"


class ReportKind(models.TextChoices):
    INITIAL = "initial", _("Initial report")
    ANNUAL = "annual", _("Annual report")


class Report(models.Model):
    state = models.ForeignKey("states.State", on_delete=models.PROTECT, related_name="reports", verbose_name=_("State"))
    kind = models.CharField(_("kind"), max_length=10, choices=ReportKind.choices)
    year = models.PositiveSmallIntegerField(
        _("year covered"), null=True, blank=True, help_text=_("Annual reports only: the calendar year reported on.")
    )
    is_synthetic = models.BooleanField(
        _("synthetic demo data"),
        default=False,
        help_text=_("Made up by the demo-data generator; never a State's real report."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["state", "kind", "-year"]
        constraints = [
            models.CheckConstraint(name="reporting_report_kind_known", condition=Q(kind__in=ReportKind.values)),
            models.CheckConstraint(
                name="reporting_report_year_for_annual_only",
                # year__isnull=False first: a NULL year would make the comparisons "unknown",
                # and a CHECK lets "unknown" through.
                condition=(Q(kind=ReportKind.ANNUAL) & Q(year__isnull=False) & Q(year__gte=2014) & Q(year__lte=2200))
                | (Q(kind=ReportKind.INITIAL) & Q(year__isnull=True)),
            ),
            models.UniqueConstraint(
                fields=["state", "kind"], condition=Q(kind=ReportKind.INITIAL), name="reporting_one_initial_report"
            ),
            models.UniqueConstraint(
                fields=["state", "kind", "year"],
                condition=Q(kind=ReportKind.ANNUAL),
                name="reporting_one_annual_report_per_year",
            ),
        ]

    def __str__(self) -> str:
        if self.kind == ReportKind.INITIAL:
            return str(_("Initial report of %(state)s") % {"state": self.state})
        return str(_("Annual report of %(state)s on %(year)s") % {"state": self.state, "year": self.year})


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    REVIEWED = "reviewed", _("Reviewed")
    PUBLISHED = "published", _("Published")


class Channel(models.TextChoices):
    ONLINE = "online", _("Online form")
    SPREADSHEET = "spreadsheet", _("Spreadsheet template")
    EMAIL = "email", _("Received by email, recorded by the Secretariat")


def version_upload_path(instance: ReportVersion, filename: str) -> str:
    # The stored name never comes from the user's file name (only its extension is kept).
    suffix = file_extension(filename, "bin")
    report = instance.report
    return f"reports/{report.state.iso3}/{report.kind}-{report.year or 'initial'}-v{instance.number}.{suffix}"


class ReportVersion(models.Model):
    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="versions", verbose_name=_("report"))
    number = models.PositiveSmallIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    channel = models.CharField(_("received through"), max_length=12, choices=Channel.choices)
    received_on = models.DateField(
        _("received on"), null=True, blank=True, help_text=_("The day the Secretariat received this version.")
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    amendment_reason = models.TextField(_("reason for the amendment"), blank=True)
    # Title page (annual report) / cover (initial report)
    authority = models.CharField(_("national authority"), max_length=300, blank=True)
    contact = models.CharField(_("contact person"), max_length=300, blank=True)
    report_date = models.DateField(_("date of the report"), null=True, blank=True)
    withheld_commercial = models.BooleanField(_("commercially sensitive information withheld"), default=False)
    withheld_security = models.BooleanField(_("national security information withheld"), default=False)
    national_definitions = models.TextField(
        _("national definitions of categories"), blank=True, help_text=_("Optional (Annex 2 of the template).")
    )
    original_file = models.FileField(_("file as received"), upload_to=version_upload_path, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        verbose_name = _("report version")
        verbose_name_plural = _("report versions")
        ordering = ["report", "number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="reporting_version_number_unique"),
            models.UniqueConstraint(
                fields=["report"], condition=Q(status=VersionStatus.DRAFT), name="reporting_one_draft_per_report"
            ),
            models.CheckConstraint(name="reporting_version_status_known", condition=Q(status__in=VersionStatus.values)),
            models.CheckConstraint(name="reporting_version_channel_known", condition=Q(channel__in=Channel.values)),
            models.CheckConstraint(
                name="reporting_version_received_unless_draft",
                condition=Q(status=VersionStatus.DRAFT) | Q(received_on__isnull=False),
            ),
            models.CheckConstraint(
                name="reporting_amendment_has_reason",
                condition=Q(number=1) | Q(status=VersionStatus.DRAFT) | ~Q(amendment_reason=""),
            ),
            models.CheckConstraint(
                name="reporting_version_submitted_at_unless_draft",
                condition=Q(status=VersionStatus.DRAFT) | Q(submitted_at__isnull=False),
            ),
            models.CheckConstraint(
                name="reporting_version_reviewed_when_reviewed",
                condition=~Q(status__in=[VersionStatus.REVIEWED, VersionStatus.PUBLISHED])
                | Q(reviewed_at__isnull=False),
            ),
            models.CheckConstraint(
                name="reporting_version_published_when_published",
                condition=(Q(status=VersionStatus.PUBLISHED) & Q(published_at__isnull=False))
                | (~Q(status=VersionStatus.PUBLISHED) & Q(published_at__isnull=True)),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report} v{self.number}"


class Direction(models.TextChoices):
    EXPORTS = "exports", _("Exports")
    IMPORTS = "imports", _("Imports")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    RESTRICTED = "restricted", _("Restricted to States Parties")


class ReportForm(models.Model):
    """The exports or the imports form of an annual report version."""

    version = models.ForeignKey(ReportVersion, on_delete=models.CASCADE, related_name="forms")
    direction = models.CharField(_("form"), max_length=8, choices=Direction.choices)
    is_nil = models.BooleanField(_("nil report"), default=False)
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.RESTRICTED
    )

    class Meta:
        verbose_name = _("report form")
        verbose_name_plural = _("report forms")
        constraints = [
            models.UniqueConstraint(fields=["version", "direction"], name="reporting_one_form_per_direction"),
            models.CheckConstraint(name="reporting_form_direction_known", condition=Q(direction__in=Direction.values)),
            models.CheckConstraint(
                name="reporting_form_visibility_known", condition=Q(visibility__in=Visibility.values)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version} {self.get_direction_display()}"


class Basis(models.TextChoices):
    AUTHORISED = "authorised", _("Authorised")
    ACTUAL = "actual", _("Actual")


class TransferRow(models.Model):
    """One line of an exports or imports form (Art. 13(3); columns as in the UNROCA form)."""

    form = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="rows")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, verbose_name=_("category"))
    partner = models.ForeignKey(
        "states.State",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("partner State"),
        help_text=_("The importer on an exports form, the exporter on an imports form."),
    )
    origin = models.ForeignKey(
        "states.State",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("State of origin"),
    )
    intermediate_location = models.CharField(_("intermediate location"), max_length=300, blank=True)
    items = models.PositiveIntegerField(_("number of items"), null=True, blank=True)
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency (ISO 4217)"), max_length=3, blank=True)
    basis = models.CharField(_("authorised or actual"), max_length=10, choices=Basis.choices)
    description = models.TextField(_("description of items"), blank=True)
    comments = models.TextField(_("comments"), blank=True)

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        constraints = [
            models.CheckConstraint(
                name="reporting_row_items_or_value", condition=Q(items__isnull=False) | Q(value__isnull=False)
            ),
            models.CheckConstraint(name="reporting_row_value_not_negative", condition=Q(value__gte=0)),
            models.CheckConstraint(
                name="reporting_row_currency_with_value",
                condition=(Q(value__isnull=True) & Q(currency=""))
                | (Q(value__isnull=False) & Q(currency__regex=r"^[A-Z]{3}$")),
            ),
            models.CheckConstraint(name="reporting_row_basis_known", condition=Q(basis__in=Basis.values)),
        ]

    def __str__(self) -> str:
        return f"{self.form}: {self.category.code} {self.partner.iso3}"


# ---------------------------------------------------------------------------- initial reports


class ImplementationArea(models.TextChoices):
    """The areas of an initial report (DOMAIN.md §1.5, the structure of the provisional template)."""

    CONTROL_SYSTEM = "control_system", _("National control system and control list")
    PROHIBITIONS = "prohibitions", _("Prohibitions (Article 6)")
    EXPORTS = "exports", _("Export controls and assessment (Article 7)")
    IMPORTS = "imports", _("Import controls (Article 8)")
    TRANSIT = "transit", _("Transit and trans-shipment (Article 9)")
    BROKERING = "brokering", _("Brokering (Article 10)")
    DIVERSION = "diversion", _("Diversion (Article 11)")
    RECORD_KEEPING = "record_keeping", _("Record keeping (Article 12)")
    REPORTING = "reporting", _("Reporting (Article 13)")
    ENFORCEMENT = "enforcement", _("Enforcement (Article 14)")
    COOPERATION = "cooperation", _("International cooperation (Article 15)")
    ASSISTANCE = "assistance", _("International assistance (Article 16)")


class InitialAnswer(models.Model):
    """What an initial report version says of one implementation area."""

    version = models.ForeignKey(ReportVersion, on_delete=models.CASCADE, related_name="answers")
    area = models.CharField(_("area"), max_length=20, choices=ImplementationArea.choices)
    answer = models.TextField(_("measures taken"))

    class Meta:
        verbose_name = _("initial report answer")
        verbose_name_plural = _("initial report answers")
        constraints = [
            models.UniqueConstraint(fields=["version", "area"], name="reporting_one_answer_per_area"),
            models.CheckConstraint(name="reporting_answer_area_known", condition=Q(area__in=ImplementationArea.values)),
        ]

    def __str__(self) -> str:
        return f"{self.version}: {self.get_area_display()}"


def attachment_upload_path(instance: VersionAttachment, filename: str) -> str:
    version = instance.version
    report = version.report
    suffix = file_extension(filename, "bin")
    return f"reports/{report.state.iso3}/{report.kind}-{report.year or 'initial'}-v{version.number}-annex.{suffix}"


class VersionAttachment(models.Model):
    """A law, regulation or control list attached to a report version."""

    version = models.ForeignKey(ReportVersion, on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(_("title"), max_length=300)
    file = models.FileField(_("file"), upload_to=attachment_upload_path)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("attached law or regulation")
        verbose_name_plural = _("attached laws and regulations")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title


# ---------------------------------------------------------------------------- review


class ClarificationQuery(models.Model):
    """A question the Secretariat asks a State about a submitted version (Basel ERS practice).

    The State answers in words, or with an amendment (a new version), or both.
    """

    version = models.ForeignKey(ReportVersion, on_delete=models.PROTECT, related_name="queries")
    question = models.TextField(_("question"))
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    asked_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    amendment = models.ForeignKey(
        ReportVersion,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="answers_to_queries",
        verbose_name=_("answered with the amendment"),
    )

    class Meta:
        verbose_name = _("clarification query")
        verbose_name_plural = _("clarification queries")
        ordering = ["asked_at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="reporting_query_answered_consistently",
                condition=(Q(answered_at__isnull=True) & Q(answer="") & Q(amendment__isnull=True))
                | (Q(answered_at__isnull=False) & (~Q(answer="") | Q(amendment__isnull=False))),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version}: {self.question[:60]}"

    @property
    def is_open(self) -> bool:
        return self.answered_at is None


# ---------------------------------------------------------------------------- the public transfer database


class PublishedTransfer(models.Model):
    """One row of the public transfer database: a row of a *public* form of the latest published
    version of a report, denormalised so that filters, sorting and counting need no joins.

    Written only by `services.published_transfers_refresh` when a version is published; never
    holds a row of a restricted form (a test checks every path).
    """

    row = models.OneToOneField(TransferRow, on_delete=models.CASCADE, related_name="published")
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="published_transfers")
    # The published version the row comes from (the report's latest), so that the page can link
    # to it without a lookup per row. Empty only for rows written before this field existed.
    version = models.ForeignKey(
        ReportVersion, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("version")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    direction = models.CharField(_("form"), max_length=8, choices=Direction.choices)
    reporter = models.ForeignKey(
        "states.State", on_delete=models.PROTECT, related_name="+", verbose_name=_("reporting State")
    )
    reporter_region = models.CharField(_("region of the reporting State"), max_length=30, blank=True)
    partner = models.ForeignKey(
        "states.State", on_delete=models.PROTECT, related_name="+", verbose_name=_("partner State")
    )
    partner_region = models.CharField(_("region of the partner State"), max_length=30, blank=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+", verbose_name=_("category"))
    origin = models.ForeignKey(
        "states.State", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("origin")
    )
    intermediate_location = models.CharField(_("intermediate location"), max_length=300, blank=True)
    items = models.PositiveIntegerField(_("number of items"), null=True, blank=True)
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    basis = models.CharField(_("authorised or actual"), max_length=10, choices=Basis.choices)
    description = models.TextField(_("description of items"), blank=True)
    comments = models.TextField(_("comments"), blank=True)
    is_synthetic = models.BooleanField(_("synthetic demo data"), default=False)
    published_on = models.DateField(_("published on"))

    class Meta:
        verbose_name = _("published transfer")
        verbose_name_plural = _("published transfers")
        # One index per sort key of the transfer database (transfers.SORTS), each ending in id so
        # that keyset pagination seeks straight to the next page. The reporter, partner and
        # category ones also serve a filter on that column sorted by year (the default sort).
        # The filter columns that follow let the database test a row against the other filters
        # in the index, before reading the row. items and value may be empty: their keys are
        # COALESCE(column, -1), the very expression the pages sort by.
        _filters = ["direction", "basis", "reporter_region", "partner_region"]
        indexes = [
            models.Index(fields=["year", "id", *_filters, "category", "reporter", "partner"], name="transfer_year_id"),
            models.Index(fields=["reporter", "year", "id", *_filters], name="transfer_reporter_year_id"),
            models.Index(fields=["partner", "year", "id", *_filters], name="transfer_partner_year_id"),
            models.Index(fields=["category", "year", "id", *_filters], name="transfer_category_year_id"),
            models.Index(Coalesce("items", -1), "id", *_filters, name="transfer_items_id"),
            models.Index(Coalesce("value", -1), "id", *_filters, name="transfer_value_id"),
        ]

    def __str__(self) -> str:
        return f"{self.reporter_id} {self.year} {self.direction} {self.category_id} {self.partner_id}"


# ---------------------------------------------------------------------------- counting the transfer database
# Read models of transfers.py (see its docstring): the count of rows matching a filter is
# computed once per "generation" of the public transfer data and kept here.


class TransferDataGeneration(models.Model):
    """One row: a number bumped whenever the public transfer rows change
    (`transfers.transfer_data_changed`, called by `services.published_transfers_refresh`)."""

    number = models.PositiveBigIntegerField(_("generation"), default=0)

    class Meta:
        verbose_name = _("generation of the transfer data")
        verbose_name_plural = _("generations of the transfer data")

    def __str__(self) -> str:
        return str(self.number)


class TransferCount(models.Model):
    """The exact number of public transfer rows matching one normalised filter, valid in the
    generation of the data it was computed in."""

    key = models.CharField(_("filter"), max_length=64, unique=True)
    generation = models.PositiveBigIntegerField(_("generation"))
    count = models.PositiveIntegerField(_("count"))

    class Meta:
        verbose_name = _("transfer count")
        verbose_name_plural = _("transfer counts")

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"

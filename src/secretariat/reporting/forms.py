"""Forms of the reporting module: they validate what staff type, the services decide the rest."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from secretariat.states.models import State

from .contents import AnnualReportContents
from .models import Direction, ReportKind, Visibility
from .spreadsheets import parse_workbook

MAX_LISTED_ISSUES = 10

ACCEPTED_FILES = ".pdf,.doc,.docx,.xls,.xlsx,.odt,.ods"


def states_with_an_instrument() -> Any:
    """The States that have deposited an instrument (the only ones with reports to make)."""
    deposited = [state.pk for state in State.objects.all() if state.has_deposited]
    return State.objects.filter(pk__in=deposited).order_by("name_en")


class ReceivedReportForm(forms.Form):
    """A report the Secretariat received by email, as reporting staff record it."""

    state = forms.ModelChoiceField(label=_("State"), queryset=State.objects.none())
    kind = forms.ChoiceField(label=_("Kind of report"), choices=ReportKind.choices, initial=ReportKind.ANNUAL)
    year = forms.IntegerField(
        label=_("Year covered"),
        required=False,
        min_value=2014,
        max_value=2200,
        help_text=_("Annual reports only: the calendar year the report covers."),
    )
    received_on = forms.DateField(
        label=_("Received on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The day the Secretariat received the report."),
    )
    file = forms.FileField(
        label=_("The report as received"),
        widget=forms.FileInput(attrs={"accept": ACCEPTED_FILES}),
        help_text=_("PDF, Word, Excel or OpenDocument, 20 MB at most."),
    )
    authority = forms.CharField(label=_("National authority"), max_length=300, required=False)
    contact = forms.CharField(label=_("Contact person"), max_length=300, required=False)
    report_date = forms.DateField(
        label=_("Date of the report"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    withheld_commercial = forms.BooleanField(label=_("Commercially sensitive information withheld"), required=False)
    withheld_security = forms.BooleanField(label=_("National security information withheld"), required=False)
    exports_nil = forms.BooleanField(label=_("Nil report (no exports)"), required=False)
    exports_visibility = forms.ChoiceField(
        label=_("Visibility of the exports form"), choices=Visibility.choices, initial=Visibility.RESTRICTED
    )
    imports_nil = forms.BooleanField(label=_("Nil report (no imports)"), required=False)
    imports_visibility = forms.ChoiceField(
        label=_("Visibility of the imports form"), choices=Visibility.choices, initial=Visibility.RESTRICTED
    )
    read_rows = forms.BooleanField(
        label=_("Read the report from this file"),
        required=False,
        help_text=_(
            "When the file is the platform's spreadsheet template: the cover page, both forms and every "
            "transfer row are taken from it (the fields below are then ignored). Any error is listed and "
            "nothing is saved."
        ),
    )
    amendment_reason = forms.CharField(
        label=_("Reason for the amendment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the report was already received: say why this new version replaces it."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["state"].queryset = states_with_an_instrument()
        self.transcription: AnnualReportContents | None = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        kind, year = cleaned.get("kind"), cleaned.get("year")
        if kind == ReportKind.ANNUAL and year is None and "year" not in self.errors:
            self.add_error("year", _("Give the calendar year the annual report covers."))
        if kind == ReportKind.INITIAL and year is not None:
            self.add_error("year", _("An initial report covers no calendar year: leave the year empty."))
        if cleaned.get("read_rows") and not self.errors:
            self._read_template(cleaned)
        return cleaned

    def _read_template(self, cleaned: dict[str, Any]) -> None:
        """The report as the platform's spreadsheet template says it (self.transcription)."""
        upload = cleaned.get("file")
        if cleaned["kind"] != ReportKind.ANNUAL:
            self.add_error("read_rows", _("Only an annual report can be read from the spreadsheet template."))
            return
        if upload is None:
            self.add_error("read_rows", _("Attach the spreadsheet to read the report from."))
            return
        result = parse_workbook(upload, state=cleaned["state"], year=cleaned["year"])  # refuses > 20 MB unread
        upload.seek(0)  # the service stores it as received
        if not result.has_errors:
            self.transcription = result.contents
            return
        for issue in result.errors[:MAX_LISTED_ISSUES]:
            if issue.cell:
                where = _("%(sheet)s, cell %(cell)s") % {"sheet": issue.sheet, "cell": issue.cell}
            else:
                where = issue.sheet
            self.add_error("read_rows", f"{where}: {issue.message}" if where else issue.message)
        left = len(result.errors) - MAX_LISTED_ISSUES + result.issues_left_out
        if left > 0:
            self.add_error("read_rows", _("… and %(count)s more errors.") % {"count": left})

    def report_forms(self) -> dict[str, dict[str, Any]] | None:
        """What the annual report says of its exports and imports forms (None for an initial report,
        or when the report is read from the spreadsheet template)."""
        if self.cleaned_data["kind"] != ReportKind.ANNUAL or self.transcription is not None:
            return None
        return {
            direction: {
                "is_nil": self.cleaned_data[f"{direction}_nil"],
                "visibility": self.cleaned_data[f"{direction}_visibility"],
            }
            for direction in (Direction.EXPORTS.value, Direction.IMPORTS.value)
        }

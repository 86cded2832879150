"""Forms of the reporting workflow pages: they check what representatives and staff type and build
the values the services take (an `AnnualReportContents` for the online annual report form).

The annual report page is one HTML form made of a title page form, and for exports and imports a
form for the nil/visibility choice plus a formset of transfer rows. `AnnualDraftForms` binds them
together: valid only when every part is, so nothing is saved half-way.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from secretariat.states.models import State, name_field

from .contents import AnnualReportContents, FormContents, RowContents
from .models import (
    Basis,
    Category,
    Direction,
    ImplementationArea,
    ReportKind,
    ReportVersion,
    VersionAttachment,
    Visibility,
)
from .services import check_received_file, version_contents

EXTRA_ROWS = 5  # blank rows offered below the rows already entered
MAX_ROWS = 500  # per form; larger reports go through the spreadsheet template
ACCEPTED_ATTACHMENTS = ".pdf,.doc,.docx,.odt"
DIRECTIONS = (Direction.EXPORTS, Direction.IMPORTS)

# ---------------------------------------------------------------------------- start, queries


class DraftStartForm(forms.Form):
    """Open a draft: a first version (optionally from last year's report) or an amendment."""

    kind = forms.ChoiceField(label=_("Kind of report"), choices=ReportKind.choices, initial=ReportKind.ANNUAL)
    year = forms.IntegerField(label=_("Year covered"), required=False, min_value=2014, max_value=2200)
    from_last_year = forms.BooleanField(label=_("Start from last year's report"), required=False)
    amendment_reason = forms.CharField(
        label=_("Reason for the amendment"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the report was already submitted: say why the new version amends it."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        kind, year = cleaned.get("kind"), cleaned.get("year")
        if kind == ReportKind.ANNUAL and year is None and "year" not in self.errors:
            self.add_error("year", _("Give the calendar year the annual report covers."))
        if kind == ReportKind.INITIAL:
            if year is not None:
                self.add_error("year", _("An initial report covers no calendar year: leave the year empty."))
            cleaned["from_last_year"] = False
        return cleaned


class QueryAskForm(forms.Form):
    question = forms.CharField(
        label=_("Question to the State"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )


class QueryAnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer"), required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 5})
    )
    amendment_reason = forms.CharField(
        label=_("Amend the report instead (or as well): reason for the amendment"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("If you give a reason, a new draft version of the report is opened for you to correct."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not (cleaned.get("answer") or "").strip() and not (cleaned.get("amendment_reason") or "").strip():
            raise ValidationError(_("Answer the question, or amend the report (give the reason), or both."))
        return cleaned


class PublishedFilterForm(forms.Form):
    """Filters of the list of published reports (GET)."""

    year = forms.IntegerField(label=_("Year covered"), required=False, min_value=2014, max_value=2200)
    state = forms.ChoiceField(label=_("State"), required=False)
    kind = forms.ChoiceField(label=_("Kind of report"), required=False)

    def __init__(self, *args: Any, states: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("All States")), *states]
        self.fields["kind"].choices = [("", _("All reports")), *ReportKind.choices]


# ---------------------------------------------------------------------------- the annual report


@dataclass
class RowReference:
    """The choices of every row, built once per page (two queries, however many rows)."""

    categories: dict[str, Category]
    states: dict[str, State]
    currencies: frozenset[str]

    @classmethod
    def build(cls) -> RowReference:
        import pycountry

        categories = {category.code: category for category in Category.objects.order_by("position")}
        states = {state.iso3: state for state in State.objects.order_by(name_field(), "iso3")}
        currencies = frozenset(currency.alpha_3 for currency in pycountry.currencies)
        return cls(categories, states, currencies)

    @cached_property
    def category_choices(self) -> list[tuple[str, str]]:
        return [("", "—"), *((code, f"{code} – {category.label_en}") for code, category in self.categories.items())]

    @cached_property
    def state_choices(self) -> list[tuple[str, str]]:
        return [("", "—"), *((iso3, state.name) for iso3, state in self.states.items())]

    @cached_property
    def sorted_currencies(self) -> list[str]:
        return sorted(self.currencies)


class TransferRowForm(forms.Form):
    """One transfer row. Categories and States are chosen by code (ISO 3166 alpha-3)."""

    category = forms.ChoiceField(label=_("Category"))
    partner = forms.ChoiceField(label=_("Partner State"))
    origin = forms.ChoiceField(label=_("State of origin"), required=False)
    intermediate_location = forms.CharField(label=_("Intermediate location"), required=False, max_length=300)
    items = forms.IntegerField(label=_("Number of items"), required=False, min_value=0, max_value=2_147_483_647)
    value = forms.DecimalField(label=_("Value"), required=False, min_value=0, max_digits=18, decimal_places=2)
    currency = forms.CharField(label=_("Currency"), required=False, max_length=3)
    basis = forms.ChoiceField(label=_("Authorised or actual"), choices=[("", "—"), *Basis.choices])
    description = forms.CharField(
        label=_("Description of items"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    comments = forms.CharField(
        label=_("Comments"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, reference: RowReference, reporter: State, direction: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reference = reference
        self.reporter = reporter
        self.fields["category"].choices = reference.category_choices
        self.fields["partner"].choices = reference.state_choices
        self.fields["origin"].choices = reference.state_choices
        self.fields["partner"].label = _("Importing State") if direction == Direction.EXPORTS else _("Exporting State")
        self.fields["currency"].widget.attrs.update(list="currencies", size="4", autocomplete="off")
        self.fields["items"].widget.attrs.update(size="8")
        self.fields["value"].widget.attrs.update(size="12")

    def clean_currency(self) -> str:
        return (self.cleaned_data.get("currency") or "").strip().upper()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        items, value, currency = cleaned.get("items"), cleaned.get("value"), cleaned.get("currency", "")
        if items is None and value is None and not {"items", "value"} & set(self.errors):
            raise ValidationError(_("Give the number of items, the value, or both."))
        if value is not None:
            if not currency:
                self.add_error("currency", _("A value needs its currency: give the ISO 4217 code (e.g. USD)."))
            elif currency not in self.reference.currencies:
                self.add_error("currency", _("Unknown currency: give an ISO 4217 code (e.g. USD, EUR)."))
        elif currency and "value" not in self.errors:
            self.add_error("currency", _("A currency is given without a value: give the value or remove the currency."))
        if cleaned.get("partner") == self.reporter.iso3:
            self.add_error("partner", _("The partner cannot be the reporting State itself."))
        return cleaned

    def row_contents(self) -> RowContents:
        data, reference = self.cleaned_data, self.reference
        return RowContents(
            category=reference.categories[data["category"]],
            partner=reference.states[data["partner"]],
            basis=data["basis"],
            items=data["items"],
            value=data["value"],
            currency=data["currency"] if data["value"] is not None else "",
            origin=reference.states[data["origin"]] if data["origin"] else None,
            intermediate_location=data["intermediate_location"].strip(),
            description=data["description"].strip(),
            comments=data["comments"].strip(),
        )


class BaseRowFormSet(forms.BaseFormSet):
    def _construct_form(self, i: int, **kwargs: Any) -> forms.Form:
        # Any row left entirely blank is ignored, even one that held a row before (blanking a row
        # is deleting it); a row with anything in it is checked in full.
        form = super()._construct_form(i, **kwargs)
        form.empty_permitted = True
        return form

    def kept_forms(self) -> list[TransferRowForm]:
        """The rows to save: filled in and not marked for deletion (call after is_valid())."""
        return [
            form
            for form in self.forms
            if form.cleaned_data and not (self.can_delete and self._should_delete_form(form))
        ]


RowFormSet = forms.formset_factory(
    TransferRowForm,
    formset=BaseRowFormSet,
    extra=EXTRA_ROWS,
    can_delete=True,
    max_num=MAX_ROWS,
    validate_max=True,
    absolute_max=MAX_ROWS + EXTRA_ROWS,
)


class TitlePageForm(forms.Form):
    authority = forms.CharField(label=_("National authority"), max_length=300, required=False)
    contact = forms.CharField(label=_("Contact person"), max_length=300, required=False)
    report_date = forms.DateField(
        label=_("Date of the report"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    withheld_commercial = forms.BooleanField(
        label=_("Commercially sensitive information was withheld (Art. 13(3))"), required=False
    )
    withheld_security = forms.BooleanField(label=_("National security information was withheld"), required=False)
    national_definitions = forms.CharField(
        label=_("National definitions of the categories"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Optional: the definitions your State uses, where they differ from the categories of Art. 2(1)."),
    )


class FormChoicesForm(forms.Form):
    """Whether the exports (or imports) form is a nil report, and who may read it."""

    is_nil = forms.BooleanField(label=_("Nil report"), required=False)
    visibility = forms.ChoiceField(
        label=_("Who may read this form"),
        choices=Visibility.choices,
        initial=Visibility.RESTRICTED,
        widget=forms.RadioSelect,
    )


@dataclass
class DirectionForms:
    direction: str
    label: str
    choices: FormChoicesForm
    rows: RowFormSet  # type: ignore[valid-type]


class AnnualDraftForms:
    """The whole annual report page, bound to a draft version (and to POST data when given)."""

    def __init__(self, version: ReportVersion, data: Any = None) -> None:
        self.version = version
        self.reporter = version.report.state
        self.reference = RowReference.build()
        current = version_contents(version) if data is None else None
        self.title = TitlePageForm(data, initial=self._title_initial(current))
        self.directions: list[DirectionForms] = []
        for direction in DIRECTIONS:
            form_contents = current.forms.get(direction.value) if current else None
            self.directions.append(
                DirectionForms(
                    direction=direction.value,
                    label=str(direction.label),
                    choices=FormChoicesForm(
                        data,
                        prefix=direction.value,
                        initial={"is_nil": form_contents.is_nil, "visibility": form_contents.visibility}
                        if form_contents
                        else None,
                    ),
                    rows=RowFormSet(
                        data,
                        prefix=f"{direction.value}-rows",
                        initial=[self._row_initial(row) for row in form_contents.rows] if form_contents else None,
                        form_kwargs={
                            "reference": self.reference,
                            "reporter": self.reporter,
                            "direction": direction.value,
                        },
                    ),
                )
            )

    @staticmethod
    def _title_initial(current: AnnualReportContents | None) -> dict[str, Any] | None:
        if current is None:
            return None
        return {
            "authority": current.authority,
            "contact": current.contact,
            "report_date": current.report_date,
            "withheld_commercial": current.withheld_commercial,
            "withheld_security": current.withheld_security,
            "national_definitions": current.national_definitions,
        }

    @staticmethod
    def _row_initial(row: RowContents) -> dict[str, Any]:
        return {
            "category": row.category.code,
            "partner": row.partner.iso3,
            "origin": row.origin.iso3 if row.origin else "",
            "intermediate_location": row.intermediate_location,
            "items": row.items,
            "value": row.value,
            "currency": row.currency,
            "basis": row.basis,
            "description": row.description,
            "comments": row.comments,
        }

    def is_valid(self) -> bool:
        valid = self.title.is_valid()
        for part in self.directions:
            # Evaluate every part, so that every error is shown at once.
            valid = part.choices.is_valid() & part.rows.is_valid() & valid
            nil_with_rows = (
                part.choices.is_valid()
                and part.rows.is_valid()
                and part.choices.cleaned_data["is_nil"]
                and part.rows.kept_forms()
            )
            if nil_with_rows:
                part.choices.add_error(
                    "is_nil",
                    _("This form is marked as a nil report but has rows: delete the rows or untick “nil report”."),
                )
                valid = False
        return valid

    def contents(self) -> AnnualReportContents:
        """What the page says (call after is_valid())."""
        title = self.title.cleaned_data
        contents = AnnualReportContents(
            authority=title["authority"].strip(),
            contact=title["contact"].strip(),
            report_date=title["report_date"],
            withheld_commercial=title["withheld_commercial"],
            withheld_security=title["withheld_security"],
            national_definitions=title["national_definitions"].strip(),
        )
        for part in self.directions:
            contents.forms[part.direction] = FormContents(
                is_nil=part.choices.cleaned_data["is_nil"],
                visibility=part.choices.cleaned_data["visibility"],
                rows=[form.row_contents() for form in part.rows.kept_forms()],
            )
        return contents

    def error_summary(self) -> list[str]:
        """Every error on the page, each naming where it is ("Exports, row 2, Value: …")."""
        lines: list[str] = []

        def add(where: str, form: forms.Form) -> None:
            for name, errors in form.errors.items():
                field = form.fields.get(name)
                for error in errors:
                    parts = [where, str(field.label)] if field is not None else [where]
                    lines.append(f"{', '.join(part for part in parts if part)}: {error}")

        add(str(_("Title page")), self.title)
        for part in self.directions:
            add(part.label, part.choices)
            for error in part.rows.non_form_errors():
                lines.append(f"{part.label}: {error}")
            for number, form in enumerate(part.rows.forms, start=1):
                add(str(_("%(form)s, row %(number)s") % {"form": part.label, "number": number}), form)
        return lines


# ---------------------------------------------------------------------------- the initial report


def area_field_name(area: str) -> str:
    return f"area_{area}"


class InitialDraftForm(forms.Form):
    """The initial report page: the cover, one text per implementation area, the attachments."""

    authority = forms.CharField(label=_("National authority"), max_length=300, required=False)
    contact = forms.CharField(label=_("Contact person"), max_length=300, required=False)
    attachment_title = forms.CharField(label=_("Title of the law or regulation"), max_length=300, required=False)
    attachment_file = forms.FileField(
        label=_("File"),
        required=False,
        widget=forms.FileInput(attrs={"accept": ACCEPTED_ATTACHMENTS}),
        help_text=_("PDF, Word or OpenDocument, 20 MB at most."),
    )
    remove_attachments = forms.TypedMultipleChoiceField(
        label=_("Remove these attachments"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, version: ReportVersion, **kwargs: Any) -> None:
        attachments = list(VersionAttachment.objects.filter(version=version).order_by("pk"))
        if not args and "initial" not in kwargs:
            answers = dict(version.answers.values_list("area", "answer"))
            kwargs["initial"] = {
                "authority": version.authority,
                "contact": version.contact,
                **{area_field_name(area): text for area, text in answers.items()},
            }
        super().__init__(*args, **kwargs)
        self.fields["remove_attachments"].choices = [(attachment.pk, attachment.title) for attachment in attachments]
        self.area_fields = []
        for area in ImplementationArea:
            name = area_field_name(area.value)
            self.fields[name] = forms.CharField(
                label=area.label, required=False, max_length=50000, widget=forms.Textarea(attrs={"rows": 4})
            )
            self.area_fields.append(name)

    def area_bound_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.area_fields]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        title = (cleaned.get("attachment_title") or "").strip()
        upload = cleaned.get("attachment_file")
        if upload and not title:
            self.add_error("attachment_title", _("Give the title of the attached document."))
        if title and not upload and "attachment_file" not in self.errors:
            self.add_error("attachment_file", _("Choose the file of “%(title)s”.") % {"title": title})
        if upload:
            try:
                check_received_file(upload)
            except ValidationError as error:
                self.add_error("attachment_file", error)
        return cleaned

    def answers(self) -> dict[str, str]:
        return {area.value: self.cleaned_data[area_field_name(area.value)] for area in ImplementationArea}

    def new_attachment(self) -> tuple[str, Any] | None:
        upload = self.cleaned_data.get("attachment_file")
        return (self.cleaned_data["attachment_title"].strip(), upload) if upload else None

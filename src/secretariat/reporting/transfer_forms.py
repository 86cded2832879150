"""The filters of the public transfer database (the page, its exports and the API share them).

Query parameters (all optional):
- `year`, or `year_from` and/or `year_to`: the calendar year reported on (a single year, or a
  range, both ends included);
- `direction`: `exports` or `imports` (the form the row was reported on);
- `category`: an Art. 2(1) category or SALW sub-category code; a category includes its
  sub-categories (`VIII` matches every small arm and light weapon, `VIII.SA` every small arm);
- `reporter`, `partner`: ISO 3166 alpha-3 codes of the reporting State and of the partner State
  (the importer on an exports form, the exporter on an imports form);
- `reporter_region`, `partner_region`: the UN regional group of the reporting State, of the
  partner State (as recorded in the registry when the report was published);
- `basis`: `authorised` or `actual`;
- `sort`: `year`, `reporter`, `partner`, `category`, `items` or `value`, with a leading `-` for
  descending order (default `-year`).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from secretariat.states.models import Region

from .models import Basis, Direction
from .transfers import DEFAULT_SORT, SORT_CHOICES, Reference, TransferFilters

FIRST_YEAR = 2014  # the Treaty entered into force on 24 December 2014
LAST_YEAR = 2200

SORT_LABELS = {
    "year": _("Year"),
    "reporter": _("Reporting State"),
    "partner": _("Partner State"),
    "category": _("Category"),
    "items": _("Number of items"),
    "value": _("Value"),
}
FILTER_FIELDS = (
    "year",
    "year_from",
    "year_to",
    "direction",
    "category",
    "reporter",
    "partner",
    "reporter_region",
    "partner_region",
    "basis",
    "sort",
)


def sort_label(sort: str) -> str:
    name = sort.lstrip("-")
    order = _("descending") if sort.startswith("-") else _("ascending")
    return f"{SORT_LABELS[name]} ({order})"


class CodeField(forms.CharField):
    """One of a fixed set of codes, checked like a ChoiceField's value. A ChoiceField copies its
    (translated) choices for every form; the pages render their own <select>s, so this one keeps
    only the codes, shared by every copy."""

    default_error_messages = {"invalid_choice": forms.ChoiceField.default_error_messages["invalid_choice"]}

    def __init__(self, *, values: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.values = frozenset(values)

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value and value not in self.values:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
            )


class TransferFilterForm(forms.Form):
    """Validates the filters. Codes are looked up in a `transfers.Reference` (States and
    categories already read for the page), so validating costs no query."""

    year = forms.IntegerField(label=_("Year"), required=False, min_value=FIRST_YEAR, max_value=LAST_YEAR)
    year_from = forms.IntegerField(label=_("From year"), required=False, min_value=FIRST_YEAR, max_value=LAST_YEAR)
    year_to = forms.IntegerField(label=_("To year"), required=False, min_value=FIRST_YEAR, max_value=LAST_YEAR)
    direction = CodeField(label=_("Form"), required=False, values=Direction.values)
    category = forms.CharField(label=_("Category"), required=False, max_length=20)
    reporter = forms.CharField(label=_("Reporting State"), required=False, max_length=3)
    partner = forms.CharField(label=_("Partner State"), required=False, max_length=3)
    reporter_region = CodeField(label=_("Region of the reporting State"), required=False, values=Region.values)
    partner_region = CodeField(label=_("Region of the partner State"), required=False, values=Region.values)
    basis = CodeField(label=_("Authorised or actual"), required=False, values=Basis.values)
    sort = CodeField(label=_("Order"), required=False, values=SORT_CHOICES)

    def __init__(self, data: Any, *, reference: Reference) -> None:
        super().__init__(data)
        self.reference = reference

    def _state(self, name: str) -> dict[str, Any] | None:
        code = (self.cleaned_data.get(name) or "").strip().upper()
        if not code:
            return None
        state = self.reference.state_by_iso3.get(code)
        if state is None:
            raise forms.ValidationError(_("Unknown State code: %(code)s.") % {"code": code})
        return state

    def clean_reporter(self) -> dict[str, Any] | None:
        return self._state("reporter")

    def clean_partner(self) -> dict[str, Any] | None:
        return self._state("partner")

    def clean_category(self) -> dict[str, Any] | None:
        code = (self.cleaned_data.get("category") or "").strip().upper()
        if not code:
            return None
        category = self.reference.category_by_code.get(code)
        if category is None:
            raise forms.ValidationError(_("Unknown category: %(code)s.") % {"code": code})
        return category

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        year = data.get("year")
        if year is not None:
            if data.get("year_from") not in (None, year) or data.get("year_to") not in (None, year):
                raise forms.ValidationError(_("Give either one year or a range of years, not both."))
            data["year_from"] = data["year_to"] = year
        start, end = data.get("year_from"), data.get("year_to")
        if start is not None and end is not None and start > end:
            self.add_error("year_to", _("The range ends before it starts."))
            data["year_to"] = None
        return data

    def _value(self, name: str) -> Any:
        """A valid field's value; None for a field left empty or in error (it is then ignored)."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        if name in self.errors:
            return None
        return self.cleaned_data.get(name)

    def filters(self) -> TransferFilters:
        """The valid filters (a field with an error is left out; the page says so)."""
        category = self._value("category")
        reporter = self._value("reporter")
        partner = self._value("partner")
        return TransferFilters(
            year_from=self._value("year_from"),
            year_to=self._value("year_to"),
            direction=self._value("direction") or "",
            categories=self.reference.category_with_descendants(category["pk"]) if category else (),
            reporter=reporter["pk"] if reporter else None,
            partner=partner["pk"] if partner else None,
            reporter_region=self._value("reporter_region") or "",
            partner_region=self._value("partner_region") or "",
            basis=self._value("basis") or "",
        )

    def sort_order(self) -> str:
        return self._value("sort") or DEFAULT_SORT

    def error_text(self) -> str:
        """Every error on one line, for a plain-text 400 answer."""
        return "; ".join(f"{name}: {' '.join(problems)}" for name, problems in self.errors.items())


class MirrorForm(forms.Form):
    """The pair and year the mirror view compares."""

    year = forms.IntegerField(label=_("Year"), min_value=FIRST_YEAR, max_value=LAST_YEAR)
    exporter = forms.CharField(label=_("Exporting State"), max_length=3)
    importer = forms.CharField(label=_("Importing State"), max_length=3)

    def __init__(self, data: Any, *, reference: Reference) -> None:
        super().__init__(data)
        self.reference = reference

    def _state(self, name: str) -> dict[str, Any]:
        code = (self.cleaned_data.get(name) or "").strip().upper()
        state = self.reference.state_by_iso3.get(code)
        if state is None:
            raise forms.ValidationError(_("Unknown State code: %(code)s.") % {"code": code})
        return state

    def clean_exporter(self) -> dict[str, Any]:
        return self._state("exporter")

    def clean_importer(self) -> dict[str, Any]:
        return self._state("importer")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        exporter, importer = data.get("exporter"), data.get("importer")
        if exporter and importer and exporter["pk"] == importer["pk"]:
            raise forms.ValidationError(_("Choose two different States."))
        return data

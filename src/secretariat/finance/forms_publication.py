"""Forms of the publication pages: publishing a status, filtering a status by year, and the
payment-pattern report's choices."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from secretariat.reporting.compliance import ALL_REGIONS, region_choices

from .forms_common import DateInput


class PublishForm(forms.Form):
    as_of = forms.DateField(
        label=_("Status as of"),
        widget=DateInput(),
        help_text=_("By default the last day of the last complete quarter. A date is published once."),
    )


class StatusFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Financial year"), required=False, coerce=int, empty_value=None)

    def __init__(self, data: Any, *, years: list[int]) -> None:
        super().__init__(data)
        self.fields["year"].choices = [("", _("All years")), *((year, str(year)) for year in reversed(years))]

    def chosen_year(self) -> int | None:
        return self.cleaned_data.get("year") if self.is_valid() else None


class PatternFilterForm(forms.Form):
    """The public choose among the published dates; finance overseers may give any date."""

    as_of = forms.TypedChoiceField(label=_("Figures as of"), required=False, coerce=dt.date.fromisoformat)
    region = forms.ChoiceField(label=_("UN regional group"), required=False)
    year = forms.IntegerField(
        label=_("Year compared across regions"),
        required=False,
        min_value=2000,
        max_value=2100,
        help_text=_("For the chart of on-time payment by region; the latest year with contributions due if empty."),
    )

    def __init__(self, data: Any, *, published: list[dt.date], any_date: bool, today: dt.date) -> None:
        super().__init__(data)
        self.today = today
        if any_date:
            self.fields["as_of"] = forms.DateField(
                label=_("Figures as of"),
                required=False,
                widget=DateInput(attrs={"max": today.isoformat()}),
                help_text=_("Any date up to today (the public see the dates of published statuses)."),
            )
        else:
            self.fields["as_of"].choices = [(day.isoformat(), day.isoformat()) for day in published]
        self.fields["region"].choices = [(ALL_REGIONS, _("All regions")), *region_choices()]

    def clean_as_of(self) -> dt.date | None:
        day = self.cleaned_data.get("as_of")
        if day is not None and day > self.today:
            raise forms.ValidationError(_("Give a date up to today."))
        return day

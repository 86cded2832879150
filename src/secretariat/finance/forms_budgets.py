"""Forms of the budgets and assessment pages: input checks only; the services check everything
again and have the last word (their errors are shown on the form, see `add_service_error`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from secretariat.states.models import State

from .forms_common import DateInput
from .models import AssessmentRuleSet, Budget, BudgetLine, BudgetStatus, Fund, RunStatus
from .selectors import assessment as assessment_selectors
from .selectors import budgets as budget_selectors
from .services.assessment import RULE_FIELDS


def _year_choices(years: list[int]) -> list[tuple[str, str]]:
    return [("", _("Any year")), *[(str(year), str(year)) for year in years]]


# ---------------------------------------------------------------------------- budgets


class BudgetFilterForm(forms.Form):
    fund = forms.ModelChoiceField(
        label=_("Fund"), queryset=Fund.objects.all(), required=False, empty_label=_("Any fund")
    )
    year = forms.TypedChoiceField(label=_("Financial year"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = _year_choices(budget_selectors.budget_years())
        self.fields["status"].choices = [("", _("Any status")), *BudgetStatus.choices]


class BudgetForm(forms.Form):
    fund = forms.ModelChoiceField(label=_("Fund"), queryset=Fund.objects.all())
    year = forms.IntegerField(label=_("Financial year"), min_value=2015, max_value=2200)
    period_start = forms.DateField(
        label=_("Period starts"), required=False, widget=DateInput(), help_text=_("Empty: 1 January of the year.")
    )
    period_end = forms.DateField(
        label=_("Period ends"), required=False, widget=DateInput(), help_text=_("Empty: 31 December of the year.")
    )
    overrun_policy = forms.ChoiceField(
        label=Budget._meta.get_field("overrun_policy").verbose_name.capitalize(),
        choices=Budget._meta.get_field("overrun_policy").choices,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("year", timezone.localdate().year + 1)
            self.initial.setdefault("fund", Fund.objects.filter(code="general").first())


class BudgetLineForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput(), required=False)
    code = forms.CharField(label=_("Code"), max_length=20)
    title = forms.CharField(label=_("Title"), max_length=200)
    # The initial value matches the select's first option, so an empty extra row posted by a browser
    # (which always sends the select's value) counts as unchanged and is skipped.
    pool = forms.ChoiceField(
        label=_("Cost pool"), choices=BudgetLine._meta.get_field("pool").choices, initial="secretariat"
    )
    amount = forms.DecimalField(label=_("Amount (USD)"), min_value=0, max_digits=14, decimal_places=2)


class BaseLineFormSet(forms.BaseFormSet):
    def lines(self) -> list[dict[str, Any]]:
        """The rows filled in, for the service (deleted rows flagged, empty extra rows left out)."""
        rows = []
        for form in self.forms:
            if not form.has_changed() and not form.cleaned_data.get("id"):
                continue
            data = dict(form.cleaned_data)
            data["delete"] = bool(data.pop("DELETE", False))
            if data["delete"] and not data.get("id"):
                continue
            rows.append(data)
        return rows


def line_formset(*, extra: int) -> type[forms.BaseFormSet]:
    return forms.formset_factory(
        BudgetLineForm, formset=BaseLineFormSet, extra=extra, can_delete=True, max_num=200, validate_max=True
    )


def initial_lines(budget: Budget) -> list[dict[str, Any]]:
    return [
        {"id": line.pk, "code": line.code, "title": line.title, "pool": line.pool, "amount": line.amount}
        for line in budget.lines.order_by("code")
    ]


class ReviewForm(forms.Form):
    reviewed_on = forms.DateField(label=_("Reviewed by the Management Committee on"), widget=DateInput())


class CirculateForm(forms.Form):
    circulated_on = forms.DateField(label=_("Circulated to States on"), widget=DateInput())


class AdoptForm(forms.Form):
    decision_reference = forms.CharField(label=_("Decision reference"), max_length=200)
    adopted_on = forms.DateField(label=_("Adopted on"), widget=DateInput())


class ReviseForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the revision"), widget=forms.Textarea(attrs={"rows": 3}))


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 4}), max_length=10_000)


# ---------------------------------------------------------------------------- assessment


class RunFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Financial year"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = _year_choices(assessment_selectors.run_years())
        self.fields["status"].choices = [("", _("Any status")), *RunStatus.choices]


class RunForm(forms.Form):
    budget = forms.ModelChoiceField(
        label=_("Adopted budget"),
        queryset=Budget.objects.none(),
        help_text=_("Only the adopted version of a General Budget can be assessed."),
    )
    assessment_date = forms.DateField(
        label=_("Assessment date"),
        widget=DateInput(),
        help_text=_("Secretariat costs are shared by the States Parties on this date."),
    )
    rule_set = forms.ModelChoiceField(label=_("Rule set"), queryset=AssessmentRuleSet.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["budget"].queryset = budget_selectors.assessable_budgets()
        self.fields["budget"].label_from_instance = lambda budget: (
            _("%(fund)s %(year)s, version %(version)s")
            % {
                "fund": budget.fund,
                "year": budget.year,
                "version": budget.version,
            }
        )
        self.fields["rule_set"].queryset = assessment_selectors.rule_sets()
        if not self.is_bound:
            self.initial.setdefault("assessment_date", timezone.localdate())
            self.initial.setdefault("rule_set", assessment_selectors.default_rule_set())

    def clean_assessment_date(self) -> dt.date:
        day = self.cleaned_data["assessment_date"]
        if day > timezone.localdate():
            raise ValidationError(_("The assessment date cannot be in the future."))
        return day


class RuleSetForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(
            forms.fields_for_model(
                AssessmentRuleSet,
                fields=RULE_FIELDS,
                widgets={"notes": forms.Textarea(attrs={"rows": 4})},
            )
        )
        self.fields["floor_percent"].help_text = _("Empty: no minimum. A share of each pool, in percent.")
        self.fields["ceiling_percent"].help_text = _("Empty: no maximum. A share of each pool, in percent.")

    @staticmethod
    def initial_from(rule_set: AssessmentRuleSet) -> dict[str, Any]:
        return {name: getattr(rule_set, name) for name in RULE_FIELDS}


class AttendanceYearForm(forms.Form):
    year = forms.IntegerField(label=_("Financial year"), min_value=2014, max_value=2200)


class AttendanceForm(forms.Form):
    year = forms.IntegerField(label=_("Financial year"), min_value=2014, max_value=2200, widget=forms.HiddenInput())
    states = forms.ModelMultipleChoiceField(
        label=_("States"),
        queryset=State.objects.order_by("name_en"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    iso3_codes = forms.CharField(
        label=_("Or paste ISO3 codes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Separated by spaces, commas or new lines, for example: GHA MEX CHE."),
    )
    source = forms.CharField(
        label=_("Source"),
        required=False,
        max_length=200,
        help_text=_("For example the list of participants of the Conference."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not cleaned.get("states") and not (cleaned.get("iso3_codes") or "").strip():
            raise ValidationError(_("Choose States or paste their ISO3 codes."))
        return cleaned

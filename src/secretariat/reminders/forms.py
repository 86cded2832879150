"""Forms of the reminder pages. They only read the input: `services_rules.rule_save` checks it
(so a rule saved by any other way passes the same checks) and its errors land on these fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from secretariat.contacts.models import ContactRole, Language
from secretariat.states.models import State, name_field

from .models import CountFrom, ReminderRule, Trigger
from .services_rules import TEMPLATE_LANGUAGES, template_field


class RuleForm(forms.Form):
    name = forms.CharField(label=_("Name"), required=False, max_length=300)
    trigger = forms.ChoiceField(label=_("What it watches"), required=False, choices=[("", "—"), *Trigger.choices])
    offsets = forms.CharField(
        label=_("When (days around the deadline)"),
        required=False,
        max_length=1000,
        help_text=_(
            "Separated by commas: -60 and -14 are 60 and 14 days before the deadline, 1 and 30 are 1 and "
            "30 days after it. Between -365 and 365."
        ),
    )
    count_after_from = forms.ChoiceField(
        label=_("Days after the deadline count from"),
        required=False,
        choices=CountFrom.choices,
        initial=CountFrom.GRACE_END,
        help_text=_("Days before the deadline always count from the deadline itself."),
    )
    recipient_roles = forms.MultipleChoiceField(
        label=_("Contacts written to"),
        required=False,
        choices=ContactRole.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    include_representatives = forms.BooleanField(
        label=_("Also write to the State's representatives on the platform"), required=False
    )

    def __init__(
        self,
        *args: Any,
        rule: ReminderRule | None = None,
        templates: dict[str, tuple[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        templates = templates or {}
        if rule is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": rule.name,
                "trigger": rule.trigger,
                "offsets": ", ".join(str(offset) for offset in rule.offset_list),
                "count_after_from": rule.count_after_from,
                "recipient_roles": rule.role_list,
                "include_representatives": rule.include_representatives,
            }
        super().__init__(*args, **kwargs)
        labels = dict(Language.choices)
        for language in TEMPLATE_LANGUAGES:
            subject, body = templates.get(language, ("", ""))
            self.fields[template_field(language, "subject")] = forms.CharField(
                label=_("Subject"), required=False, max_length=1000, initial=subject
            )
            self.fields[template_field(language, "body")] = forms.CharField(
                label=_("Text"),
                required=False,
                max_length=20000,
                strip=False,
                initial=body,
                widget=forms.Textarea(attrs={"rows": 10}),
            )
        self.languages = [
            (
                language,
                labels[language],
                self[template_field(language, "subject")],
                self[template_field(language, "body")],
            )
            for language in TEMPLATE_LANGUAGES
        ]

    def rule_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "trigger": data["trigger"],
            "offsets": data["offsets"],
            "count_after_from": data["count_after_from"],
            "recipient_roles": data["recipient_roles"],
            "include_representatives": data["include_representatives"],
        }

    def templates(self) -> dict[str, tuple[str, str]]:
        data = self.cleaned_data
        return {
            language: (data[template_field(language, "subject")], data[template_field(language, "body")])
            for language in TEMPLATE_LANGUAGES
        }


class CalendarFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), required=False)
    trigger = forms.ChoiceField(label=_("What is due"), required=False, choices=[("", _("All")), *Trigger.choices])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        states = State.objects.order_by(name_field(), "iso3").only("iso3", "name_en", name_field())
        self.fields["state"].choices = [("", _("All States")), *((state.iso3, state.name) for state in states)]

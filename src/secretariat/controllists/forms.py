"""Forms of the control lists module. They only validate what is typed; services.py decides the rest."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from secretariat.states.models import Region

from .models import ListLanguage, ListVisibility

ACCEPTED_FILES = ".pdf,.docx,.xlsx"
FILE_SLOTS = 3
LANGUAGE_CHOICES = [("", _("Choose a language")), *ListLanguage.choices]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class OverviewFilterForm(forms.Form):
    region = forms.ChoiceField(
        label=_("UN regional group"),
        required=False,
        choices=[("", _("All regional groups")), *Region.choices],
    )


class ControlListForm(forms.Form):
    """A version of a State's list: its dates, who may see it, and up to three files (one per language).

    `received_on` is asked only of the Secretariat (`with_received_on`): a list a State's
    representative sends is received the day it is sent.
    """

    list_date = forms.DateField(
        label=_("Date of the list"),
        widget=DateInput(),
        help_text=_("The date the list bears (or the date it was adopted)."),
    )
    received_on = forms.DateField(
        label=_("Received on"),
        widget=DateInput(),
        help_text=_("The day the Secretariat received the list."),
    )
    visibility = forms.ChoiceField(
        label=_("Who may see the list"),
        choices=ListVisibility.choices,
        initial=ListVisibility.PARTIES,
        widget=forms.RadioSelect,
        help_text=_(
            "States are encouraged to make their list public. That a list was provided, and its date, "
            "are always public."
        ),
    )
    link = forms.URLField(
        label=_("Link to the list"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("Optional: where the State publishes its list."),
    )
    notes = forms.CharField(label=_("Notes"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, with_received_on: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not with_received_on:
            del self.fields["received_on"]
        for slot in range(1, FILE_SLOTS + 1):
            self.fields[f"language_{slot}"] = forms.ChoiceField(
                label=_("Language of file %(number)s") % {"number": slot}, required=False, choices=LANGUAGE_CHOICES
            )
            self.fields[f"file_{slot}"] = forms.FileField(
                label=_("File %(number)s") % {"number": slot},
                required=False,
                widget=forms.FileInput(attrs={"accept": ACCEPTED_FILES}),
                help_text=_("PDF, Word (DOCX) or Excel (XLSX), 20 MB at most."),
            )

    def file_slots(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"language_{slot}"], self[f"file_{slot}"]) for slot in range(1, FILE_SLOTS + 1)]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for slot in range(1, FILE_SLOTS + 1):
            language, upload = data.get(f"language_{slot}"), data.get(f"file_{slot}")
            if upload and not language:
                self.add_error(f"language_{slot}", _("Choose the language of this file."))
            if language and not upload and f"file_{slot}" not in self.errors:
                self.add_error(f"file_{slot}", _("Choose the file in this language, or leave its language empty."))
        return data

    def files_by_language(self) -> list[tuple[str, UploadedFile]]:
        data = self.cleaned_data
        pairs = []
        for slot in range(1, FILE_SLOTS + 1):
            language, upload = data.get(f"language_{slot}"), data.get(f"file_{slot}")
            if language and upload:
                pairs.append((language, upload))
        return pairs


class AddFileForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES)
    file = forms.FileField(
        label=_("File"),
        widget=forms.FileInput(attrs={"accept": ACCEPTED_FILES}),
        help_text=_("PDF, Word (DOCX) or Excel (XLSX), 20 MB at most."),
    )


class VisibilityForm(forms.Form):
    visibility = forms.ChoiceField(label=_("Who may see the list"), choices=ListVisibility.choices)

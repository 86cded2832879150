"""Forms of the contacts pages. They check what people type with the same functions as the
services (so the messages are the same) and hand the services a `data` dict; the services check
everything again and have the last word (their errors are shown on the form, see add_service_error).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from secretariat.core.files import check_document
from secretariat.core.forms import DateInput
from secretariat.states.models import Region, State

from . import services
from .models import Contact, ContactRole

ACCEPTED_FILES = ".pdf,.docx,.xlsx"
TEXT_FIELDS = ("name", "title", "ministry", "email", "other_emails", "phones", "postal_address", "working_language")
DATE_FIELDS = ("valid_from", "valid_to", "note_verbale_date")


def _model_fields(names: tuple[str, ...]) -> dict[str, forms.Field]:
    return forms.fields_for_model(
        Contact,
        fields=names,
        widgets={
            "other_emails": forms.Textarea(attrs={"rows": 3}),
            "phones": forms.Textarea(attrs={"rows": 3}),
            "postal_address": forms.Textarea(attrs={"rows": 3}),
            **{name: DateInput() for name in DATE_FIELDS},
        },
    )


class ContactForm(forms.Form):
    """A contact: a new designation (`change=False`, the Note Verbale is required) or a change to a
    verified contact (`change=True`: no role, and the Note Verbale may be left empty)."""

    def __init__(self, *args: Any, change: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.change = change
        names = ("name", "title", "ministry", "email", "other_emails", "phones", "postal_address", "working_language")
        if not change:
            names = ("role", *names)
        self.fields.update(_model_fields((*names, "valid_from", "valid_to")))
        self.fields["note_verbale"] = forms.FileField(
            label=_("Designating Note Verbale"),
            required=False,
            help_text=_("PDF, DOCX or XLSX, 20 MB at most."),
            widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED_FILES}),
        )
        self.fields.update(_model_fields(("note_verbale_date", "note_verbale_reference")))
        for name in ("note_verbale_date", "note_verbale_reference"):
            self.fields[name].required = False
        # Checked by services.clean_email, whose message names the address (not Django's EmailField).
        email = Contact._meta.get_field("email")
        self.fields["email"] = forms.CharField(
            label=capfirst(email.verbose_name), help_text=email.help_text, max_length=email.max_length
        )
        if change:
            self.fields["note_verbale"].help_text = _(
                "Leave the Note Verbale empty if the change rests on the one that designated this contact; "
                "a new Note Verbale needs its file, date and reference."
            )

    def clean_email(self) -> str:
        return services.clean_email(self.cleaned_data["email"])

    def clean_other_emails(self) -> str:
        return services.clean_email_lines(self.cleaned_data["other_emails"])

    def clean_phones(self) -> str:
        return services.clean_phone_lines(self.cleaned_data["phones"])

    def clean_note_verbale(self) -> Any:
        upload = self.cleaned_data.get("note_verbale")
        if upload:
            check_document(upload)
        return upload

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for check in (
            lambda: services.check_period(cleaned.get("valid_from"), cleaned.get("valid_to")),
            lambda: services.check_note_verbale_date(cleaned.get("note_verbale_date")),
        ):
            try:
                check()
            except ValidationError as error:
                self.add_error(None, error)
        given = [
            bool(cleaned.get("note_verbale")) or "note_verbale" in self.errors,
            cleaned.get("note_verbale_date") is not None or "note_verbale_date" in self.errors,
            bool((cleaned.get("note_verbale_reference") or "").strip()),
        ]
        if not all(given) and (not self.change or any(given)):
            self.add_error(None, services.note_verbale_missing_message())
        return cleaned

    def data_for_service(self) -> dict[str, Any]:
        """What the services take as `data`."""
        names = [*TEXT_FIELDS, *DATE_FIELDS, "note_verbale_reference"]
        if not self.change:
            names.append("role")
        return {name: self.cleaned_data.get(name) for name in names}

    def note_verbale_upload(self) -> Any:
        return self.cleaned_data.get("note_verbale") or None

    @classmethod
    def initial_from(cls, contact: Contact) -> dict[str, Any]:
        """The fields of a verified contact, to start a change from (not its Note Verbale)."""
        return {name: getattr(contact, name) for name in (*TEXT_FIELDS, "valid_from", "valid_to")}


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for refusing"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The State's representatives see it."),
    )


class EndForm(forms.Form):
    valid_to = forms.DateField(label=_("Last day of the designation"), widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["valid_to"].initial = timezone.localdate()


class DirectoryFilterForm(forms.Form):
    """Filters of the directory and its exports (GET)."""

    state = forms.ChoiceField(label=_("State"), required=False)
    role = forms.ChoiceField(label=_("Role"), required=False)
    region = forms.ChoiceField(label=_("UN regional group"), required=False)

    def __init__(self, *args: Any, states: list[State], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("All States")), *[(state.iso3, state.name) for state in states]]
        self.fields["role"].choices = [("", _("All roles")), *ContactRole.choices]
        self.fields["region"].choices = [("", _("All regional groups")), *Region.choices]

"""The form of the spreadsheet upload page (the file itself is judged by spreadsheets.parse_workbook)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .spreadsheets import XLSX_CONTENT_TYPE


class SpreadsheetUploadForm(forms.Form):
    """A filled-in template; the reason for the amendment when the report was already submitted."""

    file = forms.FileField(
        label=_("The filled-in template (.xlsx)"),
        widget=forms.FileInput(attrs={"accept": f".xlsx,{XLSX_CONTENT_TYPE}"}),
        help_text=_("An Excel workbook made from the platform's template, 20 MB at most."),
    )
    amendment_reason = forms.CharField(
        label=_("Reason for the amendment"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("This report was already submitted: say why this new version amends it."),
    )

    def __init__(self, *args: Any, needs_reason: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not needs_reason:
            del self.fields["amendment_reason"]

    @property
    def reason(self) -> str:
        return self.cleaned_data.get("amendment_reason", "").strip()

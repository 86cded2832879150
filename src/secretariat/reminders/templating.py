"""Reminder templates: plain text with named placeholders such as {state} and {due_date}.

Staff write the templates, so they are not Django templates (which could reach any attribute):
only the placeholders below exist, `{{` and `}}` write a literal brace, and a template with any
other placeholder, an attribute, an index or a format spec is refused with a message naming it.
"""

from __future__ import annotations

import string
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

PLACEHOLDERS: dict[str, str] = {
    "state": gettext_lazy("the State's name, in the language of the message"),
    "obligation": gettext_lazy("what is due, e.g. “Annual report 2025”"),
    "year": gettext_lazy("the year the report covers (empty for other obligations)"),
    "due_date": gettext_lazy("the deadline"),
    "grace_end": gettext_lazy("the last day of the grace period"),
    "days": gettext_lazy("the number of days before or after the deadline"),
    "link": gettext_lazy("the address of the page where the State can act"),
}

_formatter = string.Formatter()


def template_problems(text: str) -> list[str]:
    """Why `text` cannot be used as a template (empty when it can)."""
    problems: list[str] = []
    try:
        parsed = list(_formatter.parse(text))
    except ValueError:
        return [_("A brace is not closed: write {{ and }} for a literal brace.")]
    for _literal, field, spec, conversion in parsed:
        if field is None:
            continue
        if field == "" or field.isdigit():
            problems.append(_("Give each placeholder a name, for example {state}."))
        elif field not in PLACEHOLDERS:
            problems.append(
                _("Unknown placeholder {%(name)s}. Use one of: %(known)s.")
                % {"name": field, "known": ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)}
            )
        elif spec or conversion:
            problems.append(_("Write the placeholder {%(name)s} without a format.") % {"name": field})
    return problems


def check_template(*, subject: str, body: str) -> None:
    """Raise a ValidationError naming every problem of a subject and body."""
    errors: dict[str, list[str]] = {}
    if not subject.strip():
        errors.setdefault("subject", []).append(_("Give the subject."))
    if "\n" in subject or "\r" in subject:
        errors.setdefault("subject", []).append(_("The subject is one line."))
    if not body.strip():
        errors.setdefault("body", []).append(_("Give the text."))
    for field, text in (("subject", subject), ("body", body)):
        for problem in template_problems(text):
            if problem not in errors.get(field, []):
                errors.setdefault(field, []).append(problem)
    if errors:
        raise ValidationError(errors)


def fill(text: str, values: Mapping[str, str]) -> str:
    """The template with its placeholders replaced (the template was checked when saved)."""
    return _formatter.vformat(text, (), {name: values.get(name, "") for name in PLACEHOLDERS})

"""Writes of the reminder rules and their templates, made by staff on /reminders/rules/.

A rule and its templates are saved together or not at all: every problem of every field is
collected first, and nothing is written while any remains. Rules are never deleted (outbox
messages point at them); staff deactivate them instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from secretariat.contacts.models import ContactRole, Language

from .models import CountFrom, ReminderRule, ReminderTemplate, Trigger
from .templating import check_template

MAX_OFFSET_DAYS = 365
TEMPLATE_LANGUAGES: tuple[str, ...] = tuple(Language.values)


def template_field(language: str, part: str) -> str:
    """The form field of one part ("subject" or "body") of a language's template."""
    return f"template_{language}_{part}"


def _field_length(model: type, name: str) -> int:
    return model._meta.get_field(name).max_length


def parse_offsets(text: str) -> tuple[list[int], list[str]]:
    """The offsets of `text` in order, and the problems found (the offsets are usable when none)."""
    parts = [part.strip() for part in str(text or "").split(",")]
    if not any(parts):
        return [], [_("Give at least one number of days, for example -60, -14, 1, 30.")]
    problems: list[str] = []
    values: list[int] = []
    for part in parts:
        if not part:
            problems.append(_("Remove the empty place between two commas."))
            continue
        try:
            value = int(part.replace("\u2212", "-"))
        except ValueError:
            problems.append(
                _("“%(value)s” is not a number of days: write offsets such as -60, -14, 1, 30.") % {"value": part}
            )
            continue
        if not -MAX_OFFSET_DAYS <= value <= MAX_OFFSET_DAYS:
            problems.append(
                _("%(value)s days is too far from the deadline: use numbers between -%(max)s and %(max)s.")
                % {"value": value, "max": MAX_OFFSET_DAYS}
            )
            continue
        if value in values:
            problems.append(_("%(value)s is given twice: give each number of days once.") % {"value": value})
            continue
        values.append(value)
    return sorted(values), problems


def _roles(value: Any) -> list[str]:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return [str(part).strip() for part in (value or []) if str(part).strip()]


def _rule_errors(data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The rule's cleaned fields, and the problems of each field."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}

    name = " ".join(str(data.get("name") or "").split())
    if not name:
        errors["name"] = [_("Give the rule a name.")]
    elif len(name) > _field_length(ReminderRule, "name"):
        errors["name"] = [_("The name is at most %(max)s characters.") % {"max": _field_length(ReminderRule, "name")}]
    cleaned["name"] = name

    trigger = str(data.get("trigger") or "")
    if trigger not in Trigger.values:
        errors["trigger"] = [_("Choose what the rule watches.")]
    cleaned["trigger"] = trigger

    offsets, problems = parse_offsets(data.get("offsets", ""))
    normalised = ",".join(str(offset) for offset in offsets)
    if not problems and len(normalised) > _field_length(ReminderRule, "offsets"):
        problems = [_("There are too many numbers of days: keep the ones that matter.")]
    if problems:
        errors["offsets"] = problems
    cleaned["offsets"] = normalised

    count_from = str(data.get("count_after_from") or "")
    if count_from not in CountFrom.values:
        errors["count_after_from"] = [_("Choose where the days after the deadline count from.")]
    cleaned["count_after_from"] = count_from

    roles = _roles(data.get("recipient_roles"))
    unknown = [role for role in roles if role not in ContactRole.values]
    include_representatives = bool(data.get("include_representatives"))
    if unknown:
        errors["recipient_roles"] = [
            _("Unknown contact role: %(roles)s. Use %(known)s.")
            % {"roles": ", ".join(unknown), "known": ", ".join(ContactRole.values)}
        ]
    elif not roles and not include_representatives:
        errors["recipient_roles"] = [
            _("Choose at least one kind of contact to write to, or the State's representatives.")
        ]
    # The stored order follows the list of roles, whatever order they were given in.
    cleaned["recipient_roles"] = ",".join(role for role in ContactRole.values if role in roles)
    cleaned["include_representatives"] = include_representatives
    return cleaned, errors


def _template_errors(
    templates: Mapping[str, tuple[str, str]],
) -> tuple[dict[str, tuple[str, str] | None], dict[str, list[str]]]:
    """Each language's (subject, body), None for a template to remove, and the problems found."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, tuple[str, str] | None] = {}
    for language, pair in templates.items():
        if language not in TEMPLATE_LANGUAGES:
            errors.setdefault(NON_FIELD_ERRORS, []).append(
                _("Templates are written in %(languages)s only, not “%(language)s”.")
                % {"languages": ", ".join(TEMPLATE_LANGUAGES), "language": language}
            )
            continue
        subject, body = (str(part or "") for part in pair)
        if not subject.strip() and not body.strip():
            cleaned[language] = None
            continue
        subject, body = subject.strip(), body.strip()
        try:
            check_template(subject=subject, body=body)
        except ValidationError as error:
            for part, messages in error.message_dict.items():
                errors.setdefault(template_field(language, part), []).extend(messages)
        limit = _field_length(ReminderTemplate, "subject")
        if len(subject) > limit:
            errors.setdefault(template_field(language, "subject"), []).append(
                _("The subject is at most %(max)s characters.") % {"max": limit}
            )
        cleaned[language] = (subject, body.replace("\r\n", "\n"))
    return cleaned, errors


@transaction.atomic
def rule_save(
    *,
    rule: ReminderRule | None,
    data: Mapping[str, Any],
    templates: Mapping[str, tuple[str, str]],
    saved_by: Any,
) -> ReminderRule:
    """Create a rule (`rule` None) or change one, with its templates, all or nothing.

    `data`: name, trigger, offsets (text such as "-60, -14, 1, 30"), count_after_from,
    recipient_roles (a list or comma-separated text of contact roles), include_representatives.
    `templates`: language -> (subject, body); a language left fully blank removes its template, a
    language not given is left as it is. The rule must end up with an English template.
    Raises a ValidationError naming each field ("offsets", "template_fr_body", ...) otherwise.
    """
    if rule is not None:
        rule = ReminderRule.objects.select_for_update().get(pk=rule.pk)
    fields, errors = _rule_errors(data)
    wanted, template_errors = _template_errors(templates)
    errors.update(template_errors)

    existing = {template.language: template for template in rule.templates.all()} if rule is not None else {}
    # A language not given keeps its current template.
    has_english = wanted[Language.ENGLISH] is not None if Language.ENGLISH in wanted else Language.ENGLISH in existing
    if not has_english and template_field(Language.ENGLISH, "subject") not in errors:
        errors.setdefault(template_field(Language.ENGLISH, "subject"), []).append(
            _("An English template is required: write its subject and text.")
        )
    if errors:
        raise ValidationError(errors)

    if rule is None:
        rule = ReminderRule(**fields)
    else:
        for name, value in fields.items():
            setattr(rule, name, value)
    rule._history_user = saved_by
    rule.save()

    for language, pair in wanted.items():
        template = existing.get(language)
        if pair is None:
            if template is not None:
                template._history_user = saved_by
                template.delete()
            continue
        subject, body = pair
        if template is None:
            template = ReminderTemplate(rule=rule, language=language)
        elif (template.subject, template.body) == (subject, body):
            continue
        template.subject, template.body = subject, body
        template._history_user = saved_by
        template.save()
    return rule


@transaction.atomic
def rule_set_active(*, rule: ReminderRule, active: bool, changed_by: Any) -> ReminderRule:
    """Switch a rule on or off. An inactive rule plans nothing; what it planned stays in the outbox."""
    rule = ReminderRule.objects.select_for_update().get(pk=rule.pk)
    if rule.active != active:
        rule.active = active
        rule._history_user = changed_by
        rule.save(update_fields=["active", "updated_at"])
    return rule

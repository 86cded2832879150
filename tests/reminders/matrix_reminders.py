"""Access-matrix entries for the reminders pages (same format as tests/reporting/matrix_*.py).

Every page is for the staff who manage reminders (core.access.can_manage_reminders): the admin,
reporting and finance staff; other staff and everyone else signed in get 403, the anonymous go to
the sign-in page. POST-only actions answer a GET with 405 once the access policy has let the
(staff) user in.
"""

from __future__ import annotations

from typing import Any

from tests.reporting.matrix_common import DENIED, LOGIN, NOT_ALLOWED, OK, Write, expect

MANAGERS = ["staff_admin", "staff_reporting", "staff_finance"]
REMINDER_STAFF = expect(anonymous=LOGIN, non_staff=DENIED, staff=DENIED, **dict.fromkeys(MANAGERS, OK))
STAFF_POST_ONLY = expect(anonymous=LOGIN, non_staff=DENIED, staff=NOT_ALLOWED)


def _rule_payload(t: Any) -> dict[str, Any]:
    """Every field of the rule form, with the rule's English template and a new French one."""
    rule = t.rule
    english = rule.templates.get(language="en")
    return {
        "name": f"{rule.name} (edited)",
        "trigger": rule.trigger,
        "offsets": "-45, -14, 1, 30",
        "count_after_from": rule.count_after_from,
        "recipient_roles": rule.role_list,
        "include_representatives": "on",
        "template_en_subject": english.subject,
        "template_en_body": english.body,
        "template_fr_subject": "Rappel : {obligation}",
        "template_fr_body": "Le {obligation} de {state} est attendu le {due_date}.\n\n{link}",
        "template_es_subject": "",
        "template_es_body": "",
        "template_zh-hans_subject": "",
        "template_zh-hans_body": "",
    }


def _new_rule_payload(t: Any) -> dict[str, Any]:
    return {
        **_rule_payload(t),
        "name": "Initial report, last call",
        "trigger": "initial_report",
        "offsets": "-7",
        "template_fr_subject": "",
        "template_fr_body": "",
    }


PAGES: dict[str, tuple[Any, dict[str, str]]] = {
    "reminders/": (lambda t: "/reminders/", REMINDER_STAFF),
    "reminders/rules/": (lambda t: "/reminders/rules/", REMINDER_STAFF),
    "reminders/rules/new/": (lambda t: "/reminders/rules/new/", REMINDER_STAFF),
    "reminders/rules/<int:pk>/": (lambda t: f"/reminders/rules/{t.rule.pk}/", REMINDER_STAFF),
    "reminders/rules/<int:pk>/active/": (lambda t: f"/reminders/rules/{t.rule.pk}/active/", STAFF_POST_ONLY),
    "reminders/calendar/": (lambda t: "/reminders/calendar/", REMINDER_STAFF),
    "reminders/failed/": (lambda t: "/reminders/failed/", REMINDER_STAFF),
    "reminders/messages/<int:pk>/": (lambda t: f"/reminders/messages/{t.failed_message.pk}/", REMINDER_STAFF),
    "reminders/messages/<int:pk>/retry/": (
        lambda t: f"/reminders/messages/{t.failed_message.pk}/retry/",
        STAFF_POST_ONLY,
    ),
}

WRITES: dict[str, Write] = {
    "create a reminder rule": Write("post", lambda t: "/reminders/rules/new/", _new_rule_payload, MANAGERS),
    "edit a reminder rule": Write("post", lambda t: f"/reminders/rules/{t.rule.pk}/", _rule_payload, MANAGERS),
    "deactivate a reminder rule": Write(
        "post", lambda t: f"/reminders/rules/{t.rule.pk}/active/", lambda t: {"active": "0"}, MANAGERS
    ),
    "retry a failed message": Write(
        "post", lambda t: f"/reminders/messages/{t.failed_message.pk}/retry/", lambda t: {}, MANAGERS
    ),
}

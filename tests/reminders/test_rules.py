"""Saving reminder rules and their templates (services_rules): all or nothing, with clear messages."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from secretariat.reminders.models import ReminderRule, ReminderTemplate
from secretariat.reminders.services_rules import rule_save, rule_set_active
from tests import factories

pytestmark = pytest.mark.django_db

EN = (
    "{obligation}: due on {due_date}",
    "Dear colleagues,\n\nThe {obligation} of {state} is due on {due_date}.\n{link}",
)
FR = ("Rappel : {obligation}", "Le {obligation} de {state} est attendu le {due_date}.\n{link}")


def data(**changes):
    values = {
        "name": "Annual report, second reminder",
        "trigger": "annual_report",
        "offsets": "-60, -14, 1, 30",
        "count_after_from": "grace_end",
        "recipient_roles": ["npc", "reporting"],
        "include_representatives": False,
    }
    values.update(changes)
    return values


def snapshot():
    """Every rule and template row, and their history: what a failed save must leave untouched."""
    return (
        list(ReminderRule.objects.order_by("pk").values()),
        list(ReminderTemplate.objects.order_by("pk").values()),
        ReminderRule.history.count(),
        ReminderTemplate.history.count(),
    )


@pytest.fixture
def staff():
    return factories.UserFactory(email="reminders.officer@example.org", is_staff=True)


@pytest.fixture
def rule():
    """A rule with an English template, and a French one."""
    rule = factories.ReminderTemplateFactory().rule
    factories.ReminderTemplateFactory(rule=rule, language="fr", subject=FR[0], body=FR[1])
    return rule


# ---------------------------------------------------------------------------- good input


def test_a_new_rule_is_saved_with_its_templates_and_normalised_offsets(staff):
    rule = rule_save(
        rule=None,
        data=data(offsets=" 30,-14 , -60,1", recipient_roles=["reporting", "npc"]),
        templates={"en": EN, "fr": FR, "es": ("", ""), "zh-hans": ("  ", "\n")},
        saved_by=staff,
    )
    rule.refresh_from_db()
    assert rule.name == "Annual report, second reminder"
    assert rule.offsets == "-60,-14,1,30"
    assert rule.offset_list == [-60, -14, 1, 30]
    assert rule.recipient_roles == "npc,reporting"
    assert rule.active is True
    assert {t.language: (t.subject, t.body) for t in rule.templates.all()} == {"en": EN, "fr": FR}
    assert rule.history.latest().history_user == staff


def test_editing_changes_the_rule_and_a_blank_language_removes_its_template(staff, rule):
    new_en = ("Reminder: {obligation} of {state}", "The deadline is {due_date} (grace period: {grace_end}).")
    saved = rule_save(
        rule=rule,
        data=data(name="Renamed", offsets="-7", recipient_roles=[], include_representatives=True),
        templates={"en": new_en, "fr": ("", "")},
        saved_by=staff,
    )
    assert saved.pk == rule.pk
    rule.refresh_from_db()
    assert (rule.name, rule.offsets, rule.recipient_roles, rule.include_representatives) == (
        "Renamed",
        "-7",
        "",
        True,
    )
    assert {t.language: (t.subject, t.body) for t in rule.templates.all()} == {"en": new_en}
    assert ReminderTemplate.history.filter(rule_id=rule.pk, history_type="-", history_user=staff).count() == 1


def test_a_language_not_given_keeps_its_template(staff, rule):
    rule_save(
        rule=rule, data=data(), templates={"es": ("Recordatorio: {obligation}", "Plazo: {due_date}")}, saved_by=staff
    )
    assert sorted(rule.templates.values_list("language", flat=True)) == ["en", "es", "fr"]


def test_a_rule_is_switched_off_and_on(staff, rule):
    assert rule_set_active(rule=rule, active=False, changed_by=staff).active is False
    rule.refresh_from_db()
    assert rule.active is False
    assert rule.history.latest().history_user == staff
    rule_set_active(rule=rule, active=True, changed_by=staff)
    rule.refresh_from_db()
    assert rule.active is True


# ---------------------------------------------------------------------------- bad input: nothing saved


def refused(rule, staff, *, rule_data=None, templates=None):
    before = snapshot()
    with pytest.raises(ValidationError) as caught:
        rule_save(
            rule=rule,
            data=rule_data or data(),
            templates=templates if templates is not None else {"en": EN, "fr": FR},
            saved_by=staff,
        )
    assert snapshot() == before, "a refused save changed the database"
    return caught.value.message_dict


def test_an_unknown_placeholder_names_it_lists_the_known_ones_and_saves_nothing(staff, rule):
    # One good template (English) and one bad (French), with the rule's own fields changed too.
    errors = refused(
        rule,
        staff,
        rule_data=data(name="Changed name", offsets="-30"),
        templates={"en": ("New subject {obligation}", "New body {state}"), "fr": (FR[0], "Le rapport de {statee}.")},
    )
    assert list(errors) == ["template_fr_body"]
    [message] = errors["template_fr_body"]
    assert "Unknown placeholder {statee}" in message
    for known in ("{state}", "{obligation}", "{due_date}", "{grace_end}", "{link}"):
        assert known in message
    rule.refresh_from_db()
    assert rule.name != "Changed name"
    assert rule.templates.get(language="en").subject == EN[0]


def test_an_unknown_placeholder_in_a_new_rule_creates_nothing(staff):
    errors = refused(None, staff, templates={"en": ("{statee} report", EN[1])})
    assert "Unknown placeholder {statee}" in errors["template_en_subject"][0]


@pytest.mark.parametrize(
    ("offsets", "message"),
    [
        ("abc", "“abc” is not a number of days: write offsets such as -60, -14, 1, 30."),
        ("-60, abc", "“abc” is not a number of days: write offsets such as -60, -14, 1, 30."),
        ("400", "400 days is too far from the deadline: use numbers between -365 and 365."),
        ("-366", "-366 days is too far from the deadline: use numbers between -365 and 365."),
        ("-14,-14", "-14 is given twice: give each number of days once."),
        ("", "Give at least one number of days, for example -60, -14, 1, 30."),
        ("-14,,30", "Remove the empty place between two commas."),
    ],
)
def test_bad_offsets_are_refused_with_a_clear_message(staff, rule, offsets, message):
    errors = refused(rule, staff, rule_data=data(offsets=offsets))
    assert errors == {"offsets": [message]}


def test_the_limits_of_the_offsets_are_accepted(staff):
    rule = rule_save(rule=None, data=data(offsets="365,-365,0"), templates={"en": EN}, saved_by=staff)
    assert rule.offsets == "-365,0,365"


def test_a_rule_that_writes_to_nobody_is_refused(staff, rule):
    errors = refused(rule, staff, rule_data=data(recipient_roles=[], include_representatives=False))
    assert errors == {
        "recipient_roles": ["Choose at least one kind of contact to write to, or the State's representatives."]
    }


def test_an_unknown_contact_role_is_refused(staff, rule):
    errors = refused(rule, staff, rule_data=data(recipient_roles=["npc", "ambassador"]))
    assert "Unknown contact role: ambassador" in errors["recipient_roles"][0]


def test_the_english_template_is_required(staff):
    errors = refused(None, staff, templates={"en": ("", ""), "fr": FR})
    assert errors == {"template_en_subject": ["An English template is required: write its subject and text."]}


def test_the_english_template_cannot_be_removed(staff, rule):
    errors = refused(rule, staff, templates={"en": ("", ""), "fr": FR})
    assert "An English template is required" in errors["template_en_subject"][0]


def test_half_a_template_is_refused(staff, rule):
    errors = refused(rule, staff, templates={"en": EN, "fr": ("Rappel : {obligation}", "")})
    assert errors == {"template_fr_body": ["Give the text."]}


def test_every_problem_is_reported_at_once(staff, rule):
    errors = refused(
        rule,
        staff,
        rule_data=data(name=" ", trigger="weather", offsets="soon", count_after_from="never", recipient_roles=[]),
        templates={"en": EN, "fr": ("{0}", "{state!r}"), "de": ("Erinnerung", "Text")},
    )
    assert set(errors) == {
        "name",
        "trigger",
        "offsets",
        "count_after_from",
        "recipient_roles",
        "template_fr_subject",
        "template_fr_body",
        "__all__",
    }
    assert errors["name"] == ["Give the rule a name."]
    assert "not “de”" in errors["__all__"][0]
    assert errors["template_fr_body"] == ["Write the placeholder {state} without a format."]

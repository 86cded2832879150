"""The reminders' staff pages: overview, rules and templates, calendar, failed deliveries, a message."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
import time_machine
from django.utils import timezone

from secretariat.reminders.models import MessageStatus, OutboxMessage, ReminderRule, ReminderTemplate
from secretariat.reminders.templating import PLACEHOLDERS
from secretariat.states.models import State
from tests import factories
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db

APRIL_FIRST = dt.datetime(2026, 4, 1, 9, 0, tzinfo=dt.UTC)  # 60 days before the 2025 annual reports fall due


@pytest.fixture
def officer(client, make_persona):
    return sign_in(client, make_persona("staff_reporting"))


def text(response) -> str:
    """The page's text with tags removed and white space collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def rule_payload(rule: ReminderRule, **changes: str) -> dict:
    english = rule.templates.get(language="en")
    payload = {
        "name": rule.name,
        "trigger": rule.trigger,
        "offsets": rule.offsets,
        "count_after_from": rule.count_after_from,
        "recipient_roles": rule.role_list,
        "template_en_subject": english.subject,
        "template_en_body": english.body,
    }
    for language in ("fr", "es", "zh-hans"):
        template = rule.templates.filter(language=language).first()
        payload[f"template_{language}_subject"] = template.subject if template else ""
        payload[f"template_{language}_body"] = template.body if template else ""
    if rule.include_representatives:
        payload["include_representatives"] = "on"
    payload.update(changes)
    return payload


# ---------------------------------------------------------------------------- who may use the pages


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("staff_admin", 200),
        ("staff_reporting", 200),
        ("staff_finance", 200),
        ("staff_programmes", 403),
        ("staff_meetings", 403),
        ("state_a_rep", 403),
        ("management_committee", 403),
    ],
)
def test_the_pages_are_for_the_staff_who_manage_reminders(client, make_persona, persona, status):
    sign_in(client, make_persona(persona))
    rule = ReminderRule.objects.get(trigger="annual_report")
    message = factories.OutboxMessageFactory(status="failed")
    for url in (
        "/reminders/",
        "/reminders/rules/",
        f"/reminders/rules/{rule.pk}/",
        f"/reminders/messages/{message.pk}/",
    ):
        assert client.get(url).status_code == status, url


def test_the_anonymous_are_sent_to_sign_in(client):
    response = client.get("/reminders/failed/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_other_staff_cannot_retry_or_switch_off(client, make_persona):
    sign_in(client, make_persona("staff_programmes"))
    message = factories.OutboxMessageFactory(status="failed", next_attempt_at=timezone.now() + dt.timedelta(hours=2))
    rule = message.rule
    assert client.post(f"/reminders/messages/{message.pk}/retry/").status_code == 403
    assert client.post(f"/reminders/rules/{rule.pk}/active/", {"active": "0"}).status_code == 403
    message.refresh_from_db()
    rule.refresh_from_db()
    assert message.next_attempt_at > timezone.now() + dt.timedelta(hours=1)
    assert rule.active is True


# ---------------------------------------------------------------------------- overview


def test_the_overview_counts_messages_by_status(client, officer):
    now = timezone.now()
    factories.OutboxMessageFactory(status="sent", sent_at=now - dt.timedelta(days=2))
    factories.OutboxMessageFactory(status="sent", sent_at=now - dt.timedelta(days=45))  # not recent
    factories.OutboxMessageFactory.create_batch(3, status="pending")
    factories.OutboxMessageFactory.create_batch(2, status="failed")
    factories.OutboxMessageFactory(status="no_recipient", recipients=[])
    response = client.get("/reminders/")
    counts = response.context["counts"]
    assert (counts.sent_recently, counts.pending, counts.failed, counts.no_recipient) == (1, 3, 2, 1)
    page = text(response)
    assert "1 sent in the last 30 days" in page
    assert "3 waiting to be sent" in page
    assert "2 failed, will be retried" in page
    for url in ("/reminders/rules/", "/reminders/calendar/", "/reminders/failed/"):
        assert f'href="{url}"' in response.content.decode()


# ---------------------------------------------------------------------------- rules


def test_the_rule_list_shows_the_default_rules(client, officer):
    page = text(client.get("/reminders/rules/"))
    assert "Annual report (Art. 13(3))" in page
    assert "-60,-14,1,30" in page
    assert "English, French, Spanish, Chinese" in page  # in the platform's order of languages
    assert "National point of contact, Reporting contact and the State's representatives on the platform" in page
    assert "60 days before the deadline; 14 days before the deadline" in page


def test_the_rule_form_lists_the_placeholders_with_their_descriptions(client, officer):
    rule = ReminderRule.objects.get(trigger="annual_report")
    response = client.get(f"/reminders/rules/{rule.pk}/")
    page = text(response)
    for name, description in PLACEHOLDERS.items():
        assert f"{{{name}}} {description}" in page
    assert "Write {{ and }} for a literal brace." in page
    # The form shows the rule and its four templates.
    assert response.context["form"]["offsets"].value() == "-60, -14, 1, 30"
    assert 'name="template_zh-hans_subject"' in response.content.decode()
    french = rule.templates.get(language="fr")
    assert response.context["form"]["template_fr_subject"].value() == french.subject
    assert f'value="{html.escape(french.subject)}"' in response.content.decode()


def test_a_rule_is_edited_with_its_templates(client, officer):
    rule = ReminderRule.objects.get(trigger="annual_report")
    response = client.post(
        f"/reminders/rules/{rule.pk}/",
        rule_payload(rule, offsets="-30, 1", template_es_subject="", template_es_body=""),
    )
    assert response.status_code == 302
    assert response["Location"] == "/reminders/rules/"
    rule.refresh_from_db()
    assert rule.offsets == "-30,1"
    assert sorted(rule.templates.values_list("language", flat=True)) == ["en", "fr", "zh-hans"]
    page = text(client.get(response["Location"]))
    assert "The rule “Annual report (Art. 13(3))” is saved." in page


def test_the_rule_page_shows_its_history(client, make_persona):
    user = make_persona("staff_admin")
    sign_in(client, user)
    rule = factories.ReminderTemplateFactory().rule
    client.post(f"/reminders/rules/{rule.pk}/", rule_payload(rule, offsets="-30, 1"))
    history = text(client.get(f"/reminders/rules/{rule.pk}/"))
    assert "History of changes" in history
    assert f"{user} {rule.name}: when (days) -60,-14,1,30 -30,1" in history


def test_a_new_rule_is_created(client, officer):
    payload = {
        "name": "Initial report, last call",
        "trigger": "initial_report",
        "offsets": "-7",
        "count_after_from": "deadline",
        "recipient_roles": ["npc", "mission"],
        "template_en_subject": "Last call: {obligation}",
        "template_en_body": "The {obligation} of {state} is due on {due_date}.",
    }
    response = client.post("/reminders/rules/new/", payload)
    assert response.status_code == 302
    rule = ReminderRule.objects.get(name="Initial report, last call")
    assert (rule.offsets, rule.recipient_roles, rule.count_after_from) == ("-7", "npc,mission", "deadline")
    assert list(rule.templates.values_list("language", flat=True)) == ["en"]


def test_an_unknown_placeholder_is_shown_on_its_field_and_nothing_is_saved(client, officer):
    rule = ReminderRule.objects.get(trigger="annual_report")
    before = (
        list(ReminderRule.objects.order_by("pk").values()),
        list(ReminderTemplate.objects.order_by("pk").values()),
    )
    response = client.post(
        f"/reminders/rules/{rule.pk}/",
        rule_payload(rule, name="Changed", template_fr_body="Le rapport de {statee} est attendu."),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["template_fr_body"] == [
        "Unknown placeholder {statee}. "
        "Use one of: {state}, {obligation}, {year}, {due_date}, {grace_end}, {days}, {link}."
    ]
    page = text(response)
    assert "Nothing was saved. Please correct the fields marked below." in page
    assert "Unknown placeholder {statee}." in page
    after = (
        list(ReminderRule.objects.order_by("pk").values()),
        list(ReminderTemplate.objects.order_by("pk").values()),
    )
    assert after == before


def test_bad_offsets_are_shown_on_the_form(client, officer):
    rule = ReminderRule.objects.get(trigger="annual_report")
    response = client.post(f"/reminders/rules/{rule.pk}/", rule_payload(rule, offsets="abc"))
    assert response.context["form"].errors["offsets"] == [
        "“abc” is not a number of days: write offsets such as -60, -14, 1, 30."
    ]
    rule.refresh_from_db()
    assert rule.offsets == "-60,-14,1,30"


def test_a_rule_is_switched_off_and_on(client, officer):
    rule = ReminderRule.objects.get(trigger="annual_report")
    response = client.post(f"/reminders/rules/{rule.pk}/active/", {"active": "0"}, follow=True)
    rule.refresh_from_db()
    assert rule.active is False
    assert "is inactive: it plans no more reminders" in text(response)
    client.post(f"/reminders/rules/{rule.pk}/active/", {"active": "1"})
    rule.refresh_from_db()
    assert rule.active is True
    assert client.get(f"/reminders/rules/{rule.pk}/active/").status_code == 405


# ---------------------------------------------------------------------------- calendar


def calendar_rows(response) -> list[str]:
    html = response.content.decode()
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S)]


def test_the_calendar_shows_a_planned_reminder_to_a_state_with_a_contact(client, make_persona):
    factories.ContactFactory(state=State.objects.get(iso3="GHA"), email="npc@mfa.example.gh")
    with time_machine.travel(APRIL_FIRST):
        sign_in(client, make_persona("staff_reporting"))
        response = client.get("/reminders/calendar/", {"state": "GHA", "trigger": "annual_report"})
    assert response.status_code == 200
    # 60 and 14 days before 31 May 2026, and 1 day after the grace period (7 days) ends.
    days = [day.day for day in response.context["days"]]
    assert days == [dt.date(2026, 4, 1), dt.date(2026, 5, 17), dt.date(2026, 6, 8)]
    rows = calendar_rows(response)
    assert (
        "Ghana Annual report 2025 deadline 31 May 2026 60 days before the deadline Annual report (Art. 13(3)) "
        "English npc@mfa.example.gh" in rows
    )
    assert any(row.startswith("Ghana Annual report 2025") and "14 days before the deadline" in row for row in rows)
    assert "No contact to write to" not in response.content.decode()
    assert 'href="/states/GHA/"' in response.content.decode()


def test_the_calendar_warns_of_a_state_with_no_contact(client, make_persona):
    with time_machine.travel(APRIL_FIRST):
        sign_in(client, make_persona("staff_finance"))
        response = client.get("/reminders/calendar/", {"state": "MEX"})
    html = response.content.decode()
    rows = [row for row in calendar_rows(response) if row.startswith("Mexico Annual report 2025")]
    assert rows, "Mexico's annual report reminders are missing from the calendar"
    assert all(row.endswith("No contact to write to · Contacts of the State") for row in rows)
    assert '<strong class="reminders-warning">No contact to write to</strong>' in html
    assert '<tr class="reminders-no-contact">' in html
    assert 'href="/contacts/MEX/"' in html
    assert "have no contact to write to" in text(response)


def test_the_calendar_filters_by_what_is_due(client, make_persona):
    factories.ContactFactory(state=State.objects.get(iso3="GHA"))
    with time_machine.travel(APRIL_FIRST):
        sign_in(client, make_persona("staff_admin"))
        everything = client.get("/reminders/calendar/", {"state": "GHA"})
        lists_only = client.get("/reminders/calendar/", {"state": "GHA", "trigger": "control_list_missing"})
    kinds = {entry.planned.rule.trigger for day in everything.context["days"] for entry in day.entries}
    assert {"annual_report", "control_list_missing"} <= kinds
    assert {entry.planned.rule.trigger for day in lists_only.context["days"] for entry in day.entries} == {
        "control_list_missing"
    }


def test_an_inactive_rule_plans_nothing_in_the_calendar(client, make_persona):
    ReminderRule.objects.filter(trigger="annual_report").update(active=False)
    with time_machine.travel(APRIL_FIRST):
        sign_in(client, make_persona("staff_admin"))
        response = client.get("/reminders/calendar/", {"state": "GHA", "trigger": "annual_report"})
    assert response.context["days"] == []
    assert "Nothing will be sent in this period." in text(response)


# ---------------------------------------------------------------------------- failed deliveries and retry


def test_failed_deliveries_are_listed_and_retried(client, officer):
    later = timezone.now() + dt.timedelta(hours=3)
    message = factories.OutboxMessageFactory(
        status="failed",
        attempts=3,
        next_attempt_at=later,
        last_error="SMTPRecipientsRefused: {'npc@mfa.example.gh': (550, b'Mailbox unavailable')}",
    )
    sent = factories.OutboxMessageFactory(status="sent", sent_at=timezone.now(), subject="Already delivered")
    page = client.get("/reminders/failed/")
    html = page.content.decode()
    assert message.subject in html
    assert "Mailbox unavailable" in html
    assert f'action="/reminders/messages/{message.pk}/retry/"' in html
    assert sent.subject not in html

    response = client.post(f"/reminders/messages/{message.pk}/retry/", {"next": "/reminders/failed/"}, follow=True)
    assert response.redirect_chain == [("/reminders/failed/", 302)]
    assert "It will be sent by the next run of send_reminders." in text(response)
    message.refresh_from_db()
    assert message.next_attempt_at <= timezone.now()
    assert (message.status, message.attempts) == (MessageStatus.FAILED, 3)


def test_a_retry_goes_back_only_to_this_site(client, officer):
    message = factories.OutboxMessageFactory(status="failed")
    response = client.post(f"/reminders/messages/{message.pk}/retry/", {"next": "https://evil.example.com/"})
    assert response["Location"] == "/reminders/failed/"


def test_only_a_failed_message_can_be_retried(client, officer):
    message = factories.OutboxMessageFactory(status="sent", sent_at=timezone.now())
    before = OutboxMessage.objects.filter(pk=message.pk).values().get()
    response = client.post(f"/reminders/messages/{message.pk}/retry/", follow=True)
    assert "Only a failed message can be retried." in text(response)
    assert OutboxMessage.objects.filter(pk=message.pk).values().get() == before


def test_messages_with_no_recipient_link_to_the_states_contacts(client, officer):
    factories.OutboxMessageFactory(status="no_recipient", recipients=[], state=State.objects.get(iso3="MEX"))
    html = client.get("/reminders/failed/").content.decode()
    assert 'href="/contacts/MEX/"' in html
    assert "Record a contact" in html


def test_one_message_shows_its_delivery(client, officer):
    message = factories.OutboxMessageFactory(
        status="failed", attempts=2, last_error="SMTPDataError: (554, b'Rejected')", body_text="Dear colleagues, x."
    )
    page = text(client.get(f"/reminders/messages/{message.pk}/"))
    for expected in (
        message.subject,
        "npc@mfa.example.gh",
        "Failed, will be retried",
        "Failed attempts 2",
        "SMTPDataError",
        message.message_id.strip("<>"),
        "Dear colleagues, x.",
        "Sent at Not sent",
        "Retry now",
    ):
        assert expected in page, expected
    assert client.get("/reminders/messages/999999/").status_code == 404

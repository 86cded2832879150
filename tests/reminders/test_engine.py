"""The reminder engine: planning, the outbox, and sending through a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import datetime as dt
import subprocess
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from secretariat.reminders import planning
from secretariat.reminders.models import MessageKind, MessageStatus, OutboxMessage, ReminderRule
from secretariat.reminders.services import HOSTNAME, outbox_send, reminders_plan
from secretariat.states.models import State
from tests import factories

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 5, 20)  # 11 days before the 2025 annual reports fall due (31 May 2026)


def run(*args: str) -> str:
    out = StringIO()
    call_command("send_reminders", *args, stdout=out, stderr=out)
    return out.getvalue()


def submit_2025_report(state: State, day: dt.date) -> None:
    from secretariat.reporting.services import draft_submit

    rep = factories.UserFactory()
    version = factories.annual_draft(state=state, year=2025, by=rep, partner=State.objects.get(iso3="MEX"))
    with time_machine.travel(dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC)):
        draft_submit(version=version, submitted_by=rep)


def only_annual_rule() -> ReminderRule:
    ReminderRule.objects.exclude(trigger="annual_report").update(active=False)
    return ReminderRule.objects.get(trigger="annual_report")


@pytest.fixture
def ghana():
    return State.objects.get(iso3="GHA")


@pytest.fixture
def ghana_npc(ghana):
    return factories.ContactFactory(state=ghana, email="npc@mfa.example.gh", other_emails="att.desk@mfa.example.gh")


# ---------------------------------------------------------------------------- planning


def test_the_default_rules_exist_in_four_languages():
    rules = ReminderRule.objects.prefetch_related("templates")
    assert {rule.trigger for rule in rules} == {
        "initial_report",
        "annual_report",
        "control_list_missing",
        "contact_unconfirmed",
        "arrears",
    }
    for rule in rules:
        assert {template.language for template in rule.templates.all()} == {"en", "fr", "es", "zh-hans"}


def test_a_dry_run_lists_the_annual_report_reminders_and_changes_nothing(ghana_npc):
    only_annual_rule()

    out = run("--date", DAY.isoformat(), "--dry-run")

    ghana_line = next(line for line in out.splitlines() if " GHA " in line)
    assert ghana_line.startswith("WOULD SEND 2026-05-17 GHA Annual report 2025 (14 days before the deadline")
    assert "npc@mfa.example.gh, att.desk@mfa.example.gh" in ghana_line
    # States Parties without a contact are listed, not skipped.
    assert any(line.startswith("NO CONTACT") and " MEX " in line for line in out.splitlines())
    assert OutboxMessage.objects.count() == 0
    assert mail.outbox == []


def test_the_same_date_twice_sends_nothing_the_second_time(ghana_npc):
    only_annual_rule()

    first = run("--date", DAY.isoformat())
    second = run("--date", DAY.isoformat())

    assert [line for line in first.splitlines() if line.startswith("SENT")] == [
        line for line in first.splitlines() if line.startswith("SENT") and " GHA " in line
    ]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["npc@mfa.example.gh", "att.desk@mfa.example.gh"]
    assert "Nothing to send." in second
    assert len(mail.outbox) == 1
    ghana = OutboxMessage.objects.get(state__iso3="GHA")
    assert (ghana.status, ghana.step, ghana.planned_for) == (MessageStatus.SENT, -14, dt.date(2026, 5, 17))
    assert OutboxMessage.objects.filter(status=MessageStatus.NO_RECIPIENT, state__iso3="MEX").exists()


def test_a_missed_day_is_caught_up_once_and_only_the_latest_step(ghana_npc):
    only_annual_rule()

    run("--date", "2026-05-17")
    run("--date", "2026-05-20")
    run("--date", "2026-06-08")  # 1 day after the grace period (31 May + 7 days) ends

    steps = list(OutboxMessage.objects.filter(state__iso3="GHA").order_by("planned_for").values_list("step", flat=True))
    assert steps == [-14, 1]
    assert len(mail.outbox) == 2


def test_a_met_obligation_suppresses_its_reminders(ghana, ghana_npc):
    only_annual_rule()
    submit_2025_report(ghana, dt.date(2026, 5, 10))  # before the reminder of 17 May

    out = run("--date", DAY.isoformat())

    assert not OutboxMessage.objects.filter(state=ghana).exists()
    assert " GHA " not in out
    assert mail.outbox == []


def test_a_reminder_waiting_for_the_server_is_suppressed_when_the_report_arrives(ghana, ghana_npc, sink_port_closed):
    only_annual_rule()
    with pytest.raises(SystemExit):
        run("--date", DAY.isoformat())
    waiting = OutboxMessage.objects.get(state=ghana)
    assert waiting.status == MessageStatus.PENDING
    submit_2025_report(ghana, dt.date(2026, 5, 21))

    with time_machine.travel(dt.datetime(2026, 5, 22, 8, tzinfo=dt.UTC)):
        out = run("--date", "2026-05-22")  # nothing left to send, so the server is not even asked

    assert "1 reminder(s) not sent: the obligation was met." in out

    waiting.refresh_from_db()
    assert waiting.status == MessageStatus.SUPPRESSED


def test_a_state_without_contacts_is_shown_and_written_to_once_it_has_one(ghana):
    only_annual_rule()

    out = run("--date", DAY.isoformat())

    assert any(line.startswith("NO CONTACT") and " GHA " in line for line in out.splitlines())
    blocked = OutboxMessage.objects.get(state=ghana)
    assert blocked.status == MessageStatus.NO_RECIPIENT
    factories.ContactFactory(state=ghana, role="reporting", email="reports@mfa.example.gh")

    out = run("--date", "2026-05-21")

    blocked.refresh_from_db()
    assert blocked.status == MessageStatus.SENT
    assert blocked.recipients == ["reports@mfa.example.gh"]
    assert any(line.startswith("SENT") and " GHA " in line for line in out.splitlines())


def test_contacts_of_other_roles_and_expired_contacts_are_not_written_to(ghana):
    only_annual_rule()  # writes to npc and reporting contacts, and the State's representatives
    factories.ContactFactory(state=ghana, role="finance", email="finance@mof.example.gh")
    factories.ContactFactory(state=ghana, email="old@mfa.example.gh", valid_to=dt.date(2025, 12, 31))
    rep = factories.UserFactory(email="rep@mission.example.gh")
    factories.RoleAssignmentFactory(user=rep, role="state_representative", state=ghana)

    run("--date", DAY.isoformat())

    assert OutboxMessage.objects.get(state=ghana).recipients == ["rep@mission.example.gh"]


def test_the_message_is_in_the_states_working_language(ghana, ghana_npc):
    only_annual_rule()
    State.objects.filter(pk=ghana.pk).update(working_language="fr")

    run("--date", DAY.isoformat())

    message = mail.outbox[0]
    assert message.subject == "Rappel : Rapport annuel 2025 – Ghana, date limite le 31 mai 2026"
    assert (
        "Délai de grâce jusqu'au 7 juin 2026" in message.body or "délai de grâce jusqu'au 7 juin 2026" in message.body
    )


def test_planning_uses_the_same_number_of_queries_for_more_states(ghana_npc):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            reminders_plan(day=DAY, dry_run=True)
        return len(captured)

    before = queries()
    for number in range(25):
        state = factories.StateFactory(deposit_date=dt.date(2016, 1, 10), instrument="ratification")
        factories.ContactFactory(state=state, email=f"npc{number}@example.org")
    assert len(planning.plan(DAY)) > 0
    assert queries() == before


def test_control_list_and_contact_confirmation_rules(ghana, ghana_npc):
    ReminderRule.objects.exclude(trigger__in=["control_list_missing", "contact_unconfirmed"]).update(active=False)
    ghana_npc.confirmed_on = dt.date(2025, 5, 1)
    ghana_npc.save()

    # 30 days before 31 May 2026: Ghana has never sent a control list. 1 May 2026: the NPC was
    # confirmed a year ago.
    out = run("--date", "2026-05-01")

    lines = [line for line in out.splitlines() if " GHA " in line]
    assert any("National control list" in line for line in lines)
    assert any("Confirmation of the contact" in line for line in lines)
    factories.ControlListFactory(state=ghana, list_date=dt.date(2026, 5, 2), received_on=dt.date(2026, 5, 2))
    out = run("--date", "2026-05-02")
    assert " GHA " not in out


# ---------------------------------------------------------------------------- delivery through a real SMTP server


def test_a_reminder_arrives_with_text_and_html_parts_and_a_link(ghana, ghana_npc, sink, settings):
    only_annual_rule()
    settings.SITE_URL = "https://platform.example.org"

    run("--date", DAY.isoformat())

    assert sink.count() == 1
    received = sink.messages[0]
    row = OutboxMessage.objects.get(state=ghana)
    assert received["Message-ID"] == row.message_id
    assert received["Auto-Submitted"] == "auto-generated"
    assert sink.envelopes[0] == ["npc@mfa.example.gh", "att.desk@mfa.example.gh"]
    text = received.get_body(preferencelist=("plain",)).get_content()
    html = received.get_body(preferencelist=("html",)).get_content()
    assert "Annual report 2025" in text
    assert "https://platform.example.org/reports/" in text
    assert '<a href="https://platform.example.org/reports/">' in html


def test_a_refused_delivery_is_retried_with_back_off_and_never_dropped(ghana, ghana_npc, sink):
    only_annual_rule()
    sink.refuse = {"npc@mfa.example.gh", "att.desk@mfa.example.gh"}
    start = dt.datetime(2026, 5, 20, 6, 0, tzinfo=dt.UTC)

    with time_machine.travel(start, tick=False):
        out = run("--date", DAY.isoformat())
    row = OutboxMessage.objects.get(state=ghana)
    assert any(line.startswith("FAILED") and " GHA " in line and "550" in line for line in out.splitlines())
    assert (row.status, row.attempts) == (MessageStatus.FAILED, 1)
    assert row.next_attempt_at == start + dt.timedelta(minutes=15)
    assert "550" in row.last_error

    with time_machine.travel(start + dt.timedelta(minutes=10), tick=False):
        assert "Nothing to send." in run("--date", DAY.isoformat())  # still backing off
    with time_machine.travel(start + dt.timedelta(minutes=16), tick=False):
        run("--date", DAY.isoformat())
    row.refresh_from_db()
    assert (row.status, row.attempts, row.next_attempt_at) == (
        MessageStatus.FAILED,
        2,
        start + dt.timedelta(minutes=16 + 30),
    )

    sink.refuse = set()
    with time_machine.travel(start + dt.timedelta(minutes=47), tick=False):
        run("--date", DAY.isoformat())
    row.refresh_from_db()
    assert row.status == MessageStatus.SENT
    assert sink.count() == 1


def test_when_the_server_is_down_nothing_is_lost_and_the_next_run_delivers(ghana, ghana_npc, settings):
    only_annual_rule()
    mexico = State.objects.get(iso3="MEX")
    factories.ContactFactory(state=mexico, email="npc@sre.example.mx")
    from tests.reminders.conftest import Sink, free_port, point_django_at

    port = free_port()
    point_django_at(settings, port)
    out = StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("send_reminders", "--date", DAY.isoformat(), stdout=out, stderr=out)
    assert exit_info.value.code == 1
    assert "could not be reached" in out.getvalue()
    rows = OutboxMessage.objects.filter(state__in=[ghana, mexico])
    assert sorted(rows.values_list("status", "attempts")) == [(MessageStatus.PENDING, 0)] * 2

    from aiosmtpd.controller import Controller

    handler = Sink()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        run("--date", DAY.isoformat())
        run("--date", DAY.isoformat())
    finally:
        controller.stop()
    assert sorted(handler.message_ids) == sorted(rows.values_list("message_id", flat=True))
    assert set(rows.values_list("status", flat=True)) == {MessageStatus.SENT}


def test_a_server_that_closes_mid_run_loses_nothing(ghana, sink):
    only_annual_rule()
    for iso3 in ("GHA", "MEX", "FRA", "DEU", "JPN"):
        factories.ContactFactory(state=State.objects.get(iso3=iso3), email=f"npc@{iso3.lower()}.example.org")
    sink.close_after = 2

    with pytest.raises(SystemExit):
        run("--date", DAY.isoformat())
    assert sink.count() == 2
    sink.close_after = None
    run("--date", DAY.isoformat())

    sent = OutboxMessage.objects.filter(status=MessageStatus.SENT)
    assert sent.count() == 5
    assert sorted(sink.message_ids) == sorted(sent.values_list("message_id", flat=True))


def test_a_message_left_by_a_killed_run_is_taken_over_and_one_of_a_live_run_is_not(ghana, sink):
    dead = subprocess.Popen(["true"])  # noqa: S607 - a process that is certainly gone afterwards
    dead.wait()
    left = factories.OutboxMessageFactory(
        state=ghana,
        status="sending",
        claim_token=f"{HOSTNAME}:{dead.pid}:abc",
        claimed_at=dt.datetime.now(dt.UTC),
    )
    live = factories.OutboxMessageFactory(
        state=ghana, status="sending", claim_token=f"{HOSTNAME}:1:def", claimed_at=dt.datetime.now(dt.UTC)
    )

    result = outbox_send()

    assert [message.pk for message in result.sent] == [left.pk]
    live.refresh_from_db()
    assert live.status == MessageStatus.SENDING
    assert sink.message_ids == [left.message_id]


# ---------------------------------------------------------------------------- acknowledgements use the same outbox


def test_an_acknowledgement_waits_in_the_outbox_while_the_server_is_down(ghana, sink_port_closed, settings):
    from secretariat.reporting import services as reporting

    rep = factories.UserFactory(email="rep@mission.example.gh")
    factories.RoleAssignmentFactory(user=rep, role="state_representative", state=ghana)
    draft = factories.annual_draft(state=ghana, year=2024, by=rep, partner=State.objects.get(iso3="MEX"))

    reporting.draft_submit(version=draft, submitted_by=rep)  # outside a test transaction's commit hooks
    outbox_send()  # what the commit hook does: the server is down

    ack = OutboxMessage.objects.get(kind=MessageKind.ACKNOWLEDGEMENT)
    assert ack.status == MessageStatus.PENDING
    assert ack.recipients == ["rep@mission.example.gh"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    run("--date", DAY.isoformat())
    ack.refresh_from_db()
    assert ack.status == MessageStatus.SENT
    assert [message.to for message in mail.outbox if "acknowledges" in message.body] == [["rep@mission.example.gh"]]


def test_an_outbox_message_carries_its_attachments_and_is_retried_without_them(ghana, sink, settings, tmp_path):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    settings.MEDIA_ROOT = tmp_path
    path = default_storage.save("finance/invoices/2026-0001.pdf", ContentFile(b"%PDF-1.7 invoice"))
    attached = {"path": path, "filename": "Invoice 2026-0001.pdf", "mimetype": "application/pdf"}
    message = factories.OutboxMessageFactory(state=ghana, recipients=["finance@mof.example.gh"], attachments=[attached])
    lost = factories.OutboxMessageFactory(
        state=ghana, recipients=["finance@mof.example.gh"], attachments=[{**attached, "path": "finance/gone.pdf"}]
    )

    outbox_send()

    assert sink.count() == 1
    parts = list(sink.messages[0].iter_attachments())
    assert [(part.get_filename(), part.get_content_type(), part.get_content()) for part in parts] == [
        ("Invoice 2026-0001.pdf", "application/pdf", b"%PDF-1.7 invoice")
    ]
    message.refresh_from_db()
    lost.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert lost.status != MessageStatus.SENT
    assert lost.attempts == 1

"""The "Reminders and messages" panel of the State dossier: the State's own representatives and
staff see its last 20 messages; nobody else sees the panel."""

from __future__ import annotations

import datetime as dt

import pytest

from secretariat.core.access import ANONYMOUS, principal_for
from secretariat.reminders.selectors import reminder_log_dossier_panel
from secretariat.states.models import State
from tests import factories
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db

PANEL_TITLE = "Reminders and messages"


@pytest.fixture
def ghana_log():
    """25 messages to Ghana (one a day from 1 March 2026) and one to Mexico."""
    ghana = State.objects.get(iso3="GHA")
    messages = [
        factories.OutboxMessageFactory(
            state=ghana,
            planned_for=dt.date(2026, 3, 1) + dt.timedelta(days=day),
            obligation_label=f"Ghana item {day:02d}",
            recipients=["npc@mfa.example.gh"],
        )
        for day in range(25)
    ]
    factories.OutboxMessageFactory(
        state=State.objects.get(iso3="MEX"), obligation_label="Mexico item", recipients=["npc@sre.example.mx"]
    )
    return messages


@pytest.mark.parametrize("persona", ["state_a_rep", "staff_reporting", "staff_programmes"])
def test_the_states_representatives_and_staff_see_the_panel(client, make_persona, ghana_log, persona):
    sign_in(client, make_persona(persona))
    response = client.get("/states/GHA/")
    html = response.content.decode()
    assert PANEL_TITLE in html
    panel = next(panel for panel in response.context["panels"] if panel.key == "reminders-log")
    log = panel.context["log"]
    # The last 20, newest first, and only Ghana's.
    assert [message.obligation_label for message in log] == [f"Ghana item {day:02d}" for day in range(24, 4, -1)]
    assert "Ghana item 24" in html
    assert "Ghana item 04" not in html
    assert "Mexico item" not in html
    assert "npc@mfa.example.gh" in html


@pytest.mark.parametrize("persona", ["state_b_rep", "signatory_rep", "anonymous", "donor_rep"])
def test_nobody_else_sees_the_panel(client, make_persona, ghana_log, persona):
    sign_in(client, make_persona(persona))
    response = client.get("/states/GHA/")
    assert response.status_code == 200
    html = response.content.decode()
    assert PANEL_TITLE not in html
    assert "Ghana item" not in html
    assert "npc@mfa.example.gh" not in html


def test_the_message_links_are_for_the_staff_who_manage_reminders(client, make_persona, ghana_log):
    newest = ghana_log[-1]
    link = f'href="/reminders/messages/{newest.pk}/"'
    sign_in(client, make_persona("staff_finance"))
    assert link in client.get("/states/GHA/").content.decode()
    client.logout()
    sign_in(client, make_persona("state_a_rep"))
    assert link not in client.get("/states/GHA/").content.decode()


def test_a_state_with_no_message_is_told_so(client, make_persona):
    sign_in(client, make_persona("state_a_rep"))
    html = client.get("/states/GHA/").content.decode()
    assert PANEL_TITLE in html
    assert "No reminder or message has been sent to this State through the platform yet." in html


def test_a_message_with_no_recipient_is_shown_as_such(client, make_persona):
    factories.OutboxMessageFactory(status="no_recipient", recipients=[], obligation_label="Annual report 2025")
    sign_in(client, make_persona("staff_admin"))
    html = client.get("/states/GHA/").content.decode()
    assert '<strong class="reminders-warning">No contact to write to</strong>' in html


def test_the_panel_costs_one_query(django_assert_num_queries, make_persona, ghana_log):
    ghana = State.objects.get(iso3="GHA")
    principal = principal_for(make_persona("state_a_rep"))
    with django_assert_num_queries(1):
        panel = reminder_log_dossier_panel(ghana, principal)
        assert len(panel.context["log"]) == 20
    with django_assert_num_queries(0):
        assert reminder_log_dossier_panel(ghana, ANONYMOUS) is None

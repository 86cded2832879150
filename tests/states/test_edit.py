"""Editing a State's registry record: the staff form, the service behind it, and the admin."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from secretariat.core.history import history_entries
from secretariat.states.forms import StateRegistryForm
from secretariat.states.models import ReferenceImport, State
from secretariat.states.services import REGISTRY_FIELDS, state_update_registry
from tests.factories import StateFactory, UserFactory

pytestmark = pytest.mark.django_db

REASON = "UNTC status page of 3 Feb 2026"


@pytest.fixture
def party(db):
    """A recorded party whose deposit date the sources did not give."""
    return StateFactory(
        iso3="QPY",
        iso2="QP",
        name_en="Partyland",
        signature_date=dt.date(2013, 6, 3),
        instrument="ratification",
        recorded_status="party",
        recorded_status_as_of=dt.date(2025, 1, 1),
        art23_declaration="no",
        treaty_source="MOND",
        treaty_verified="status-only",
    )


def url(state):
    return reverse("states:edit", args=[state.iso3])


def form_data(state, **changes):
    """What the edit form posts for `state` unchanged, with `changes` applied."""
    data = {}
    for name in REGISTRY_FIELDS:
        value = getattr(state, name)
        data[name] = "" if value is None else value.isoformat() if isinstance(value, dt.date) else value
    data["reason"] = REASON
    data.update(changes)
    return data


def snapshot(state):
    return State.objects.filter(pk=state.pk).values().get(), state.history.count()


# ---------------------------------------------------------------------------- the page


def test_a_reporting_officer_completes_a_missing_deposit_date(client_as, party):
    client, user = client_as("staff_reporting")
    assert party.entry_into_force is None

    response = client.post(url(party), form_data(party, deposit_date="2016-02-16", treaty_verified="yes"))

    assert response.status_code == 302
    assert response["Location"] == reverse("states:dossier", args=["QPY"])
    party.refresh_from_db()
    assert party.deposit_date == dt.date(2016, 2, 16)
    assert party.entry_into_force == dt.date(2016, 5, 16)
    assert party.status_on(dt.date(2016, 6, 1)).status == "party"
    latest = party.history.first()
    assert latest.history_user == user
    assert latest.history_change_reason == REASON
    delta = latest.diff_against(latest.prev_record)
    assert {(change.field, change.old, change.new) for change in delta.changes} == {
        ("deposit_date", None, dt.date(2016, 2, 16)),
        ("treaty_verified", "status-only", "yes"),
    }
    [message] = list(get_messages(response.wsgi_request))
    assert "deposit of instrument" in str(message)
    assert "verification" in str(message)


def test_the_history_shows_who_changed_what_and_why(client_as, party):
    client, user = client_as("staff_admin")
    client.post(url(party), form_data(party, deposit_date="2016-02-16"))
    [entry] = [entry for entry in history_entries(party.history.all()) if entry.changes]
    assert entry.who == user
    assert entry.reason == REASON
    assert [(change.field, change.before, change.after) for change in entry.changes] == [
        ("deposit_date", "—", "2016-02-16")
    ]
    page = client.get(url(party))
    assert REASON.encode() in page.content


def test_the_page_shows_the_computed_entry_into_force_and_status(client_as, party):
    client, _user = client_as("staff_reporting")
    response = client.get(url(party))
    assert response.status_code == 200
    assert response.context["entry_into_force"] is None
    assert "not known" in response.context["entry_into_force_reason"]
    assert response.context["status"] == party.status_today()
    assert b'name="reason"' in response.content
    assert b'<label for="id_deposit_date"' in response.content


def test_a_lower_case_code_opens_the_same_record(client_as, party):
    client, _user = client_as("staff_reporting")
    assert client.get("/states/qpy/edit/").status_code == 200


def test_an_unknown_state_is_not_found(client_as):
    client, _user = client_as("staff_reporting")
    assert client.get("/states/XQQ/edit/").status_code == 404


def test_saving_the_same_values_writes_nothing(client_as, party):
    client, _user = client_as("staff_reporting")
    before = snapshot(party)
    response = client.post(url(party), form_data(party))
    assert response.status_code == 302
    assert snapshot(party) == before
    [message] = list(get_messages(response.wsgi_request))
    assert "Nothing was changed" in str(message)


def test_a_reason_is_required(client_as, party):
    client, _user = client_as("staff_reporting")
    before = snapshot(party)
    response = client.post(url(party), form_data(party, deposit_date="2016-02-16", reason=""))
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    assert snapshot(party) == before


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"deposit_date_partial": "2014-13"}, "deposit_date_partial", "month 01 to 12"),
        ({"signature_date_partial": "2013-6"}, "signature_date_partial", "month 01 to 12"),
        (
            {"deposit_date": "2016-02-16", "deposit_date_partial": "2016-02"},
            "deposit_date_partial",
            "not both",
        ),
        ({"art23_date": "2014-01-10"}, "art23_date", "only when the declaration is"),
        (
            {"withdrawal_notified_on": "2024-05-01", "withdrawal_effective_on": "2024-04-01"},
            "withdrawal_effective_on",
            "cannot take effect before",
        ),
        ({"withdrawal_effective_on": "2024-04-01"}, "withdrawal_effective_on", "received the withdrawal first"),
        ({"deposit_date": "2013-05-01"}, "deposit_date", "opened for signature on 3 June 2013"),
        ({"signature_date": "2012-12-31"}, "signature_date", "opened for signature on 3 June 2013"),
        ({"deposit_date_partial": "2012"}, "deposit_date_partial", "opened for signature on 3 June 2013"),
        ({"signature_date": "2014-01-10", "deposit_date": "2013-12-01"}, "deposit_date", "earlier than the signature"),
        ({"instrument": "accession"}, "instrument", "not accession"),
        ({"region": "atlantis"}, "region", "valid choice"),
    ],
)
def test_invalid_input_shows_the_message_and_changes_nothing(client_as, party, changes, field, message):
    client, _user = client_as("staff_reporting")
    before = snapshot(party)
    response = client.post(url(party), form_data(party, **changes))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert message in " ".join(errors[field])
    assert b"Nothing was saved" in response.content
    assert snapshot(party) == before


def test_a_date_in_the_future_is_refused(client_as, party):
    client, _user = client_as("staff_reporting")
    before = snapshot(party)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = client.post(url(party), form_data(party, deposit_date=tomorrow.isoformat()))
    assert "in the future" in " ".join(response.context["form"].errors["deposit_date"])
    assert snapshot(party) == before


def test_a_withdrawal_may_be_set_to_take_effect_later_than_90_days(client_as, party):
    client, _user = client_as("staff_admin")
    notified = timezone.localdate() - dt.timedelta(days=10)
    effective = timezone.localdate() + dt.timedelta(days=200)
    response = client.post(
        url(party),
        form_data(
            party,
            deposit_date="2016-02-16",
            withdrawal_notified_on=notified.isoformat(),
            withdrawal_effective_on=effective.isoformat(),
        ),
    )
    assert response.status_code == 302
    party.refresh_from_db()
    assert party.withdrawal_takes_effect == effective


def test_an_empty_effective_date_means_90_days_after_notice(client_as, party):
    client, _user = client_as("staff_admin")
    client.post(url(party), form_data(party, deposit_date="2016-02-16", withdrawal_notified_on="2024-01-10"))
    party.refresh_from_db()
    assert party.withdrawal_effective_on is None
    assert party.withdrawal_takes_effect == dt.date(2024, 4, 9)


def test_a_month_only_date_can_be_replaced_by_the_day(client_as, party):
    State.objects.filter(pk=party.pk).update(deposit_date_partial="2016-02")
    party.refresh_from_db()
    client, _user = client_as("staff_reporting")
    response = client.post(url(party), form_data(party, deposit_date="2016-02-16", deposit_date_partial=""))
    assert response.status_code == 302
    party.refresh_from_db()
    assert (party.deposit_date, party.deposit_date_partial) == (dt.date(2016, 2, 16), "")


def test_it_refuses_to_undo_a_change_saved_by_someone_else_meanwhile(client_as, party):
    client, _user = client_as("staff_reporting")
    version = client.get(url(party)).context["form"]["version"].value()
    shown = form_data(party, version=version)
    colleague = UserFactory()
    state_update_registry(state=party, data={"name_fr": "Pays-Partie"}, actor=colleague, reason="French name")
    before = snapshot(party)

    response = client.post(url(party), {**shown, "deposit_date": "2016-02-16"})

    assert response.status_code == 200
    assert "Someone else changed this record" in str(list(get_messages(response.wsgi_request))[0])
    assert snapshot(party) == before
    # The form now shows the record as it is, with the current version: saving it again works.
    form = response.context["form"]
    assert form["name_fr"].value() == "Pays-Partie"
    assert form["reason"].value() == REASON
    retry = {**form_data(party), "deposit_date": "2016-02-16", "version": form["version"].value()}
    assert client.post(url(party), retry).status_code == 302
    party.refresh_from_db()
    assert (party.deposit_date, party.name_fr) == (dt.date(2016, 2, 16), "Pays-Partie")


# ---------------------------------------------------------------------------- who may edit


@pytest.mark.parametrize("persona", ["staff_finance", "staff_programmes", "staff_meetings"])
def test_other_staff_are_refused_and_nothing_changes(client_as, party, persona):
    client, _user = client_as(persona)
    before = snapshot(party)
    assert client.get(url(party)).status_code == 403
    assert client.post(url(party), form_data(party, deposit_date="2016-02-16")).status_code == 403
    assert snapshot(party) == before


def test_a_state_representative_is_refused_even_for_their_own_state(client_as, state_a):
    client, _user = client_as("state_a_rep")
    before = snapshot(state_a)
    assert client.get(url(state_a)).status_code == 403
    assert client.post(url(state_a), form_data(state_a, name_en="Changed")).status_code == 403
    assert snapshot(state_a) == before


def test_anonymous_is_sent_to_sign_in_and_nothing_changes(client, party):
    before = snapshot(party)
    for response in (client.get(url(party)), client.post(url(party), form_data(party, deposit_date="2016-02-16"))):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    assert snapshot(party) == before


def test_staff_without_the_second_factor_are_sent_to_it(client, make_persona, party):
    user = make_persona("staff_reporting")
    client.force_login(user)
    before = snapshot(party)
    response = client.post(url(party), form_data(party, deposit_date="2016-02-16"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp"))
    assert snapshot(party) == before


# ---------------------------------------------------------------------------- the service and the form


def test_the_service_writes_only_the_changed_fields(party):
    actor = UserFactory()
    changed = state_update_registry(
        state=party, data={"deposit_date": dt.date(2016, 2, 16), "name_en": "Partyland"}, actor=actor, reason="x"
    )
    assert changed == ["deposit_date"]
    assert party.deposit_date == dt.date(2016, 2, 16)
    assert party.history.first().history_user == actor


def test_the_service_refuses_fields_outside_the_registry(party):
    before = snapshot(party)
    with pytest.raises(ValueError, match="iso3"):
        state_update_registry(state=party, data={"iso3": "QZZ"}, actor=None, reason="x")
    assert snapshot(party) == before


def test_the_service_validates_the_whole_record_and_saves_nothing_when_invalid(party):
    before = snapshot(party)
    with pytest.raises(ValidationError):
        state_update_registry(state=party, data={"art23_date": dt.date(2014, 1, 1)}, actor=None, reason="declaration")
    assert snapshot(party) == before


def test_the_form_accepts_a_year_only_partial_date(party):
    form = StateRegistryForm(form_data(party, signature_date="", signature_date_partial="2014"), instance=party)
    assert form.is_valid(), form.errors


def test_the_form_accepts_an_article_23_date_when_declared(party):
    form = StateRegistryForm(form_data(party, art23_declaration="yes", art23_date="2013-06-03"), instance=party)
    assert form.is_valid(), form.errors


# ---------------------------------------------------------------------------- the admin


def test_the_admin_lists_states_with_their_computed_status(client_as, party):
    client, _user = client_as("staff_admin")
    response = client.get("/admin/states/state/", {"q": "QPY"})
    assert response.status_code == 200
    assert b"Partyland" in response.content
    assert b"Recorded as a State Party on 1 January 2025" in response.content


def test_the_admin_opens_a_state_and_its_history(client_as, party):
    client, _user = client_as("staff_admin")
    assert client.get(f"/admin/states/state/{party.pk}/change/").status_code == 200
    assert client.get(f"/admin/states/state/{party.pk}/history/").status_code == 200
    assert client.get("/admin/states/scalerate/", {"year": "2025"}).status_code == 200


def test_reference_imports_are_read_only_in_the_admin(client_as):
    record = ReferenceImport.objects.create(kind="states", sha256="a" * 64, file_name="states.csv")
    client, _user = client_as("staff_admin")
    assert client.get("/admin/states/referenceimport/").status_code == 200
    assert client.get("/admin/states/referenceimport/add/").status_code == 403
    response = client.post(f"/admin/states/referenceimport/{record.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert ReferenceImport.objects.filter(pk=record.pk).exists()


def test_the_admin_is_closed_to_reporting_staff(client_as, party):
    client, _user = client_as("staff_reporting")
    response = client.get("/admin/states/state/")
    assert response.status_code == 302

"""The contacts pages as each persona sees them: the directory, the public designations, a State's
contacts, the forms (errors shown, nothing saved), the decisions, the Note Verbale download and the
dossier panel."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from secretariat.contacts.models import Contact, ContactStatus
from secretariat.states.models import State
from tests import factories
from tests.conftest import sign_in
from tests.contacts.factories import form_data, nv_pdf, stored_files
from tests.reporting.matrix_common import PDF

pytestmark = pytest.mark.django_db

NPC_EMAIL = "npc@mfa.example.gh"


@pytest.fixture
def ghana():
    return State.objects.get(iso3="GHA")


@pytest.fixture
def npc(ghana):
    return factories.ContactFactory(
        state=ghana,
        name="Ama Mensah",
        email=NPC_EMAIL,
        phones="+233 30 266 4951",
        valid_from=dt.date(2019, 3, 1),
        note_verbale_reference="NV/GHA/2019/7",
    )


def as_persona(client, make_persona, name):
    user = make_persona(name)
    sign_in(client, user)
    return user


# ---------------------------------------------------------------------------- the directory


def test_the_directory_sends_anonymous_visitors_to_sign_in(client, npc):
    response = client.get("/contacts/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("persona", ["signatory_rep", "management_committee", "vtf_committee", "donor_rep"])
def test_the_directory_is_refused_to_signatories_committees_and_donors(client, make_persona, npc, persona):
    as_persona(client, make_persona, persona)
    response = client.get("/contacts/")
    assert response.status_code == 403
    assert NPC_EMAIL not in response.content.decode()


@pytest.mark.parametrize("persona", ["state_a_rep", "state_b_rep", "staff_finance", "staff_meetings"])
def test_the_directory_shows_current_contacts_to_parties_and_staff(client, make_persona, npc, persona):
    as_persona(client, make_persona, persona)
    response = client.get("/contacts/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Ama Mensah" in body
    assert NPC_EMAIL in body
    assert "+233 30 266 4951" in body
    assert 'href="/contacts/designations/"' in body


def test_the_directory_leaves_out_pending_refused_superseded_and_ended_contacts(client, make_persona, ghana, npc):
    factories.ContactFactory(state=ghana, name="Pending Person", status="pending", decided_at=None)
    factories.ContactFactory(state=ghana, name="Refused Person", status="refused", refusal_reason="No")
    factories.ContactFactory(state=ghana, name="Ended Person", valid_to=dt.date(2021, 1, 1))
    factories.ContactFactory(state=ghana, name="Later Person", valid_from=timezone.localdate() + dt.timedelta(days=5))
    as_persona(client, make_persona, "state_b_rep")
    body = client.get("/contacts/").content.decode()
    assert "Ama Mensah" in body
    for name in ("Pending Person", "Refused Person", "Ended Person", "Later Person"):
        assert name not in body


def test_the_directory_filters_by_state_role_and_region(client, make_persona, ghana, npc):
    mexico = State.objects.get(iso3="MEX")
    factories.ContactFactory(state=mexico, name="Mexican Finance", role="finance")
    factories.ContactFactory(state=ghana, name="Ghana Finance", role="finance")
    as_persona(client, make_persona, "staff_admin")

    def names(query):
        response = client.get("/contacts/", query)
        assert response.status_code == 200
        return {contact.name for contact in response.context["rows"]}

    assert names({}) == {"Ama Mensah", "Mexican Finance", "Ghana Finance"}
    assert names({"state": "MEX"}) == {"Mexican Finance"}
    assert names({"role": "finance"}) == {"Mexican Finance", "Ghana Finance"}
    assert names({"region": "african"}) == {"Ama Mensah", "Ghana Finance"}
    assert names({"role": "finance", "region": "latin_american_caribbean"}) == {"Mexican Finance"}
    assert names({"role": "no-such-role"}) == set()


def test_the_directory_takes_the_same_number_of_queries_whatever_the_number_of_contacts(client, make_persona, ghana):
    as_persona(client, make_persona, "staff_admin")
    factories.ContactFactory(state=ghana)
    client.get("/contacts/")  # warm up (session, caches)
    with CaptureQueriesContext(connection) as few:
        client.get("/contacts/")
    for iso3 in ("MEX", "FRA", "DEU", "JPN", "NGA", "PER"):
        factories.ContactFactory(state=State.objects.get(iso3=iso3), role="finance")
    with CaptureQueriesContext(connection) as many:
        response = client.get("/contacts/")
    assert len(response.context["rows"]) == 7
    assert len(many) == len(few)


# ---------------------------------------------------------------------------- the public list


def test_the_public_list_says_who_has_a_contact_and_since_when_without_any_address(client, ghana, npc):
    factories.ContactFactory(state=ghana, role="finance", name="Efua Owusu", email="finance@mof.example.gh")
    factories.ContactFactory(state=State.objects.get(iso3="MEX"), role="reporting", email="rep@sre.example.mx")
    response = client.get("/contacts/designations/")
    assert response.status_code == 200
    body = response.content.decode()
    rows = {row.state.iso3: row.since for row in response.context["rows"]}
    assert rows["GHA"] == dt.date(2019, 3, 1)
    assert rows["MEX"] is None  # a reporting contact is not a national point of contact
    assert "AGO" not in rows  # a signatory is not listed
    assert "Designated since 1 March 2019" in body
    assert "No designated point of contact" in body
    for secret in ("@", "Ama Mensah", "Efua Owusu", "+233", "NV/GHA"):
        assert secret not in body.split("<main", 1)[1].split("</main>", 1)[0]
    assert 'href="/contacts/"' not in body  # no link to a directory the visitor may not open


def test_the_public_list_links_to_the_directory_for_those_who_may_see_it(client, make_persona, npc):
    as_persona(client, make_persona, "state_b_rep")
    assert 'href="/contacts/"' in client.get("/contacts/designations/").content.decode()


# ---------------------------------------------------------------------------- a State's contacts


def test_the_states_own_representative_sees_everything_and_may_act(client, make_persona, ghana, npc):
    rep = as_persona(client, make_persona, "state_a_rep")
    factories.ContactFactory(state=ghana, name="Refused Person", status="refused", refusal_reason="Not our staff")
    factories.ContactFactory(
        state=ghana,
        name="Changed Name",
        status="pending",
        decided_at=None,
        replaces=npc,
        email=NPC_EMAIL,
        proposed_by=rep,
    )
    response = client.get("/contacts/GHA/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'href="/contacts/GHA/propose/"' in body
    assert f'action="/contacts/{npc.pk}/confirm/"' in body
    assert "A change is waiting for verification." in body  # no second change offered
    assert f'href="/contacts/{npc.pk}/change/"' not in body
    assert "Changed Name" in body
    assert "Not our staff" in body
    assert f'href="/contacts/{npc.pk}/note-verbale/"' in body
    assert "History of changes" in body
    assert "/verify/" not in body  # only staff verify


def test_another_state_party_sees_the_contacts_but_not_the_exchanges_with_the_secretariat(
    client, make_persona, ghana, npc
):
    factories.ContactFactory(state=ghana, name="Refused Person", status="refused", refusal_reason="Not our staff")
    factories.ContactFactory(state=ghana, name="Pending Person", status="pending", decided_at=None)
    as_persona(client, make_persona, "state_b_rep")
    response = client.get("/contacts/GHA/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Ama Mensah" in body
    for hidden in ("Refused Person", "Pending Person", "History of changes", "/propose/", "/confirm/", "note-verbale"):
        assert hidden not in body


def test_a_signatory_sees_its_own_contacts_but_not_another_states(client, make_persona):
    angola = State.objects.get(iso3="AGO")
    factories.ContactFactory(state=angola, name="Angolan Contact")
    factories.ContactFactory(state=State.objects.get(iso3="GHA"), name="Ghana Contact")
    as_persona(client, make_persona, "signatory_rep")
    response = client.get("/contacts/AGO/")
    assert response.status_code == 200
    assert "Angolan Contact" in response.content.decode()
    assert client.get("/contacts/GHA/").status_code == 403


def test_verifying_staff_see_the_decision_forms(client, make_persona, ghana, npc):
    pending = factories.ContactFactory(state=ghana, status="pending", decided_at=None, name="Pending Person")
    as_persona(client, make_persona, "staff_reporting")
    body = client.get("/contacts/GHA/").content.decode()
    assert f'action="/contacts/{pending.pk}/verify/"' in body
    assert f'action="/contacts/{pending.pk}/refuse/"' in body
    assert f'action="/contacts/{npc.pk}/end/"' in body
    assert 'href="/contacts/GHA/add/"' in body
    assert "/propose/" not in body


# ---------------------------------------------------------------------------- proposing


def test_a_representative_proposes_a_contact(client, make_persona, ghana):
    rep = as_persona(client, make_persona, "state_a_rep")
    assert client.get("/contacts/GHA/propose/").status_code == 200
    response = client.post("/contacts/GHA/propose/", form_data())
    assert response.status_code == 302
    assert response["Location"] == "/contacts/GHA/"
    contact = Contact.objects.get(email="reporting@mod.example.gh")
    assert contact.status == ContactStatus.PENDING
    assert contact.proposed_by == rep
    assert contact.phones == "+233 30 266 4951"
    assert contact.history.latest().history_user == rep
    assert len(stored_files()) == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"email": "not-an-address"}, "“not-an-address” is not a valid e-mail address."),
        ({"other_emails": "good@mod.example.gh\nbad@"}, "“bad@” is not a valid e-mail address."),
        ({"phones": "0302 664951"}, "“0302 664951” is not a valid telephone number"),
        ({"note_verbale": ""}, "A designation needs its Note Verbale: attach it and give its date and reference."),
        ({"note_verbale_reference": ""}, "A designation needs its Note Verbale"),
        ({"note_verbale_date": ""}, "A designation needs its Note Verbale"),
        (
            {"note_verbale": nv_pdf("nv.png", b"\x89PNG\r\n")},
            "nv.png is not one of the accepted types (PDF, DOCX, XLSX).",
        ),
        ({"note_verbale": nv_pdf("nv.pdf", b"<html>not a pdf</html>")}, "The content of nv.pdf is not a PDF file."),
        ({"valid_from": "2024-05-01", "valid_to": "2024-04-30"}, "The designation cannot end before it starts"),
        ({"note_verbale_date": "2999-01-01"}, "The date of the Note Verbale cannot be in the future."),
        ({"valid_from": "01/13/2024"}, "Enter a valid date."),
    ],
)
def test_bad_input_in_the_form_is_shown_and_nothing_is_saved(client, make_persona, ghana, overrides, message):
    as_persona(client, make_persona, "state_a_rep")
    rows = Contact.objects.count()
    response = client.post("/contacts/GHA/propose/", form_data(**overrides))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Nothing was saved" in body
    assert escape(message) in body
    assert Contact.objects.count() == rows
    assert stored_files() == []


def test_an_overlap_found_by_the_service_is_shown_on_the_form(client, make_persona, ghana):
    factories.ContactFactory(
        state=ghana,
        role="reporting",
        name="Ama Mensah",
        email="reporting@mod.example.gh",
        valid_from=dt.date(2020, 1, 1),
    )
    as_persona(client, make_persona, "state_a_rep")
    rows, files = Contact.objects.count(), stored_files()
    response = client.post("/contacts/GHA/propose/", form_data())
    assert response.status_code == 200
    assert "Ama Mensah is already the State&#x27;s Reporting contact from 1 January 2020" in response.content.decode()
    assert Contact.objects.count() == rows
    assert stored_files() == files


@pytest.mark.parametrize("persona", ["state_b_rep", "signatory_rep", "staff_admin", "staff_reporting"])
def test_only_the_states_own_representatives_propose(client, make_persona, ghana, persona):
    as_persona(client, make_persona, persona)
    assert client.get("/contacts/GHA/propose/").status_code == 403
    assert client.post("/contacts/GHA/propose/", form_data()).status_code == 403
    assert not Contact.objects.exists()
    assert stored_files() == []


def test_staff_record_a_verified_contact_from_a_note_verbale(client, make_persona, ghana):
    officer = as_persona(client, make_persona, "staff_reporting")
    assert client.get("/contacts/GHA/add/").status_code == 200
    response = client.post("/contacts/GHA/add/", form_data())
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert contact.status == ContactStatus.VERIFIED
    assert contact.decided_by == officer


def test_other_staff_do_not_record_contacts(client, make_persona, ghana):
    as_persona(client, make_persona, "staff_finance")
    assert client.post("/contacts/GHA/add/", form_data()).status_code == 403
    assert not Contact.objects.exists()


# ---------------------------------------------------------------------------- changes


def change_data(**overrides):
    data = {
        "name": "Ama Mensah",
        "title": "Director-General",
        "ministry": "Ministry of Foreign Affairs",
        "email": NPC_EMAIL,
        "other_emails": "",
        "phones": "+233 30 266 4951",
        "postal_address": "",
        "working_language": "fr",
        "valid_from": "2025-02-01",
        "valid_to": "",
        "note_verbale_date": "",
        "note_verbale_reference": "",
    }
    data.update(overrides)
    return data


def test_a_change_starts_from_the_current_record_and_keeps_its_note_verbale(client, make_persona, npc):
    as_persona(client, make_persona, "state_a_rep")
    page = client.get(f"/contacts/{npc.pk}/change/")
    assert page.status_code == 200
    assert page.context["form"].initial["email"] == NPC_EMAIL
    assert "role" not in page.context["form"].fields
    files = stored_files()
    response = client.post(f"/contacts/{npc.pk}/change/", change_data())
    assert response.status_code == 302
    change = Contact.objects.get(replaces=npc)
    assert change.status == ContactStatus.PENDING
    assert change.title == "Director-General"
    assert change.note_verbale.name == npc.note_verbale.name
    assert change.note_verbale_reference == "NV/GHA/2019/7"
    assert stored_files() == files


def test_a_second_change_gets_a_clear_message(client, make_persona, npc):
    as_persona(client, make_persona, "state_a_rep")
    client.post(f"/contacts/{npc.pk}/change/", change_data())
    rows = Contact.objects.count()
    response = client.post(f"/contacts/{npc.pk}/change/", change_data(title="Minister"))
    assert response.status_code == 200
    assert "A change to this contact is already waiting for verification" in response.content.decode()
    assert Contact.objects.count() == rows


def test_another_states_representative_cannot_change_a_contact(client, make_persona, npc):
    as_persona(client, make_persona, "state_b_rep")
    assert client.post(f"/contacts/{npc.pk}/change/", change_data()).status_code == 403
    assert not Contact.objects.filter(replaces=npc).exists()


# ---------------------------------------------------------------------------- decisions


def test_staff_verify_a_change_from_the_queue(client, make_persona, ghana, npc):
    change = factories.ContactFactory(
        state=ghana,
        name="Ama Mensah",
        email=NPC_EMAIL,
        status="pending",
        decided_at=None,
        replaces=npc,
        valid_from=dt.date(2025, 2, 1),
        phones=npc.phones,
        note_verbale=npc.note_verbale.name,
        note_verbale_date=npc.note_verbale_date,
        note_verbale_reference=npc.note_verbale_reference,
    )
    officer = as_persona(client, make_persona, "staff_admin")
    queue = client.get("/contacts/pending/")
    assert queue.status_code == 200
    assert [proposal.contact for proposal in queue.context["proposals"]] == [change]
    assert [(d.label, d.before, d.after) for d in queue.context["proposals"][0].differences] == [
        ("Valid from", "1 March 2019", "1 February 2025")
    ]
    assert "What the change changes" in queue.content.decode()
    response = client.post(f"/contacts/{change.pk}/verify/", {"from": "pending"})
    assert response.status_code == 302
    assert response["Location"] == "/contacts/pending/"
    change.refresh_from_db()
    npc.refresh_from_db()
    assert change.status == ContactStatus.VERIFIED
    assert change.decided_by == officer
    assert npc.status == ContactStatus.SUPERSEDED
    assert npc.valid_to == dt.date(2025, 1, 31)


def test_refusing_without_a_reason_changes_nothing(client, make_persona, ghana):
    pending = factories.ContactFactory(state=ghana, status="pending", decided_at=None)
    as_persona(client, make_persona, "staff_reporting")
    response = client.post(f"/contacts/{pending.pk}/refuse/", {"reason": " "}, follow=True)
    assert "Give the reason for refusing." in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == ContactStatus.PENDING
    client.post(f"/contacts/{pending.pk}/refuse/", {"reason": "Unsigned Note Verbale"})
    pending.refresh_from_db()
    assert pending.status == ContactStatus.REFUSED
    assert pending.refusal_reason == "Unsigned Note Verbale"


@pytest.mark.parametrize("persona", ["state_a_rep", "staff_finance"])
def test_only_verifying_staff_verify(client, make_persona, ghana, persona):
    pending = factories.ContactFactory(state=ghana, status="pending", decided_at=None)
    as_persona(client, make_persona, persona)
    assert client.post(f"/contacts/{pending.pk}/verify/").status_code == 403
    pending.refresh_from_db()
    assert pending.status == ContactStatus.PENDING


def test_a_representative_confirms_a_contact_and_another_state_cannot(client, make_persona, npc):
    as_persona(client, make_persona, "state_b_rep")
    assert client.post(f"/contacts/{npc.pk}/confirm/").status_code == 403
    npc.refresh_from_db()
    assert npc.confirmed_on is None
    client.logout()
    as_persona(client, make_persona, "state_a_rep")
    response = client.post(f"/contacts/{npc.pk}/confirm/")
    assert response.status_code == 302
    npc.refresh_from_db()
    assert npc.confirmed_on == timezone.localdate()


def test_staff_end_a_designation(client, make_persona, npc):
    as_persona(client, make_persona, "staff_admin")
    client.post(f"/contacts/{npc.pk}/end/", {"valid_to": "2024-12-31"})
    npc.refresh_from_db()
    assert npc.valid_to == dt.date(2024, 12, 31)
    response = client.post(f"/contacts/{npc.pk}/end/", {"valid_to": "2010-01-01"}, follow=True)
    assert "cannot end before it starts" in response.content.decode()
    npc.refresh_from_db()
    assert npc.valid_to == dt.date(2024, 12, 31)


# ---------------------------------------------------------------------------- the Note Verbale


def test_the_note_verbale_is_downloaded_by_the_state_and_staff_only(client, make_persona, npc):
    as_persona(client, make_persona, "state_a_rep")
    response = client.get(f"/contacts/{npc.pk}/note-verbale/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"] == 'attachment; filename="GHA-note-verbale-2019-03-01-npc.pdf"'
    client.logout()
    as_persona(client, make_persona, "state_b_rep")
    assert client.get(f"/contacts/{npc.pk}/note-verbale/").status_code == 403


# ---------------------------------------------------------------------------- the State dossier


def test_the_dossier_tells_the_public_since_when_without_names(client, npc):
    body = client.get("/states/GHA/").content.decode()
    assert "National point of contact designated since 1 March 2019." in body
    assert NPC_EMAIL not in body
    assert "Ama Mensah" not in body
    assert 'href="/contacts/GHA/"' not in body


def test_the_dossier_says_when_none_is_designated(client):
    assert "No national point of contact designated." in client.get("/states/MEX/").content.decode()


def test_the_dossier_shows_the_contacts_to_the_directorys_audience(client, make_persona, npc):
    as_persona(client, make_persona, "state_b_rep")
    body = client.get("/states/GHA/").content.decode()
    assert "Ama Mensah" in body
    assert NPC_EMAIL in body
    assert 'href="/contacts/GHA/"' in body


def test_the_dossier_hides_the_contacts_from_a_signatory(client, make_persona, npc):
    as_persona(client, make_persona, "signatory_rep")
    body = client.get("/states/GHA/").content.decode()
    assert "designated since" in body
    assert NPC_EMAIL not in body

"""The contacts services: proposals, records from a Note Verbale, verification (and the record a
change supersedes), refusal, confirmation, end of a designation; every bad input gets its clear
message and leaves nothing behind (no row, no stored file)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from secretariat.contacts import services
from secretariat.contacts.models import Contact, ContactStatus
from secretariat.states.models import State
from tests import factories
from tests.contacts.factories import contact_data, nv_docx, nv_pdf, stored_files
from tests.reporting.matrix_common import PDF

pytestmark = pytest.mark.django_db


@pytest.fixture
def ghana():
    return State.objects.get(iso3="GHA")


@pytest.fixture
def rep():
    return factories.UserFactory(email="rep@example.gh")


@pytest.fixture
def officer():
    return factories.UserFactory(email="officer@example.org", is_staff=True)


def messages_of(error: pytest.ExceptionInfo) -> str:
    return " ".join(error.value.messages)


def assert_refused(call, message: str) -> None:
    """`call` raises a ValidationError with `message` and leaves no new row and no new file."""
    rows, files = Contact.objects.count(), stored_files()
    history = Contact.history.count()
    with pytest.raises(ValidationError) as error:
        call()
    assert message in messages_of(error)
    assert Contact.objects.count() == rows
    assert Contact.history.count() == history
    assert stored_files() == files


# ---------------------------------------------------------------------------- proposals


def test_a_proposal_is_pending_with_its_note_verbale_stored(ghana, rep):
    contact = services.contact_propose(state=ghana, proposed_by=rep, data=contact_data(), note_verbale=nv_pdf())
    contact.refresh_from_db()
    assert contact.status == ContactStatus.PENDING
    assert contact.proposed_by == rep
    assert contact.decided_at is None
    assert contact.phones == "+233 30 266 4951"  # normalised to the international format
    assert contact.note_verbale.name.startswith("contacts/GHA/note-verbale-2023-12-01-reporting")
    with contact.note_verbale.open("rb") as stored:
        assert stored.read() == PDF
    assert [path.name for path in stored_files()] == [contact.note_verbale.name.rsplit("/", 1)[-1]]
    history = list(contact.history.all())
    assert len(history) == 1
    assert history[0].history_user == rep


def test_a_docx_note_verbale_is_accepted(ghana, rep):
    contact = services.contact_propose(state=ghana, proposed_by=rep, data=contact_data(), note_verbale=nv_docx())
    assert contact.note_verbale.name.endswith(".docx")


def test_emails_and_phones_are_cleaned_one_per_line(ghana, rep):
    data = contact_data(
        email=" Reporting@mod.example.gh ",
        other_emails="a@mod.example.gh\n\n  A@MOD.example.gh\nreporting@mod.example.gh\n",
        phones="+41 22 555 01 23\n\n+41225550123\n+52 55 5063 3000",
    )
    contact = services.contact_propose(state=ghana, proposed_by=rep, data=data, note_verbale=nv_pdf())
    assert contact.email == "Reporting@mod.example.gh"
    assert contact.other_emails == "a@mod.example.gh\nreporting@mod.example.gh"
    assert contact.all_emails == ["Reporting@mod.example.gh", "a@mod.example.gh"]
    assert contact.phone_list == ["+41 22 555 01 23", "+52 55 5063 3000"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"email": "npc-at-mfa.gov.gh"}, "“npc-at-mfa.gov.gh” is not a valid e-mail address."),
        ({"other_emails": "ok@mfa.gov.gh\nbad@@mfa.gov.gh"}, "“bad@@mfa.gov.gh” is not a valid e-mail address."),
        ({"phones": "030 266 4951"}, "“030 266 4951” is not a valid telephone number"),
        ({"phones": "+233 1"}, "“+233 1” is not a valid telephone number"),
        ({"valid_to": dt.date(2023, 12, 31)}, "The designation cannot end before it starts"),
        ({"name": ""}, "This field is required."),
        (
            {"note_verbale_reference": ""},
            "A designation needs its Note Verbale: attach it and give its date and reference.",
        ),
        (
            {"note_verbale_date": None},
            "A designation needs its Note Verbale: attach it and give its date and reference.",
        ),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(ghana, rep, overrides, message):
    assert_refused(
        lambda: services.contact_propose(
            state=ghana, proposed_by=rep, data=contact_data(**overrides), note_verbale=nv_pdf()
        ),
        message,
    )


def test_a_note_verbale_dated_in_the_future_is_refused(ghana, rep):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    assert_refused(
        lambda: services.contact_propose(
            state=ghana, proposed_by=rep, data=contact_data(note_verbale_date=tomorrow), note_verbale=nv_pdf()
        ),
        "The date of the Note Verbale cannot be in the future.",
    )


def test_a_designation_without_its_note_verbale_file_is_refused(ghana, rep, officer):
    message = "A designation needs its Note Verbale: attach it and give its date and reference."
    assert_refused(
        lambda: services.contact_propose(state=ghana, proposed_by=rep, data=contact_data(), note_verbale=None), message
    )
    assert_refused(
        lambda: services.contact_create_verified(
            state=ghana, created_by=officer, data=contact_data(), note_verbale=None
        ),
        message,
    )


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (lambda: nv_pdf("nv.txt", b"plain text"), "nv.txt is not one of the accepted types (PDF, DOCX, XLSX)."),
        (lambda: nv_pdf("nv.exe", b"MZ\x90\x00"), "nv.exe is not one of the accepted types"),
        (lambda: nv_pdf("nv.pdf", b"MZ\x90\x00 renamed program"), "The content of nv.pdf is not a PDF file."),
        (lambda: nv_pdf("nv.docx", PDF), "The content of nv.docx is not a DOCX file."),
        (lambda: nv_pdf("nv.pdf", b"%PDF-" + b"0" * (20 * 1024 * 1024)), "nv.pdf is 20.0 MB; the limit is 20 MB."),
        (lambda: nv_pdf("nv.pdf", b""), "nv.pdf is empty."),
    ],
)
def test_a_bad_note_verbale_file_is_refused(ghana, rep, upload, message):
    assert_refused(
        lambda: services.contact_propose(state=ghana, proposed_by=rep, data=contact_data(), note_verbale=upload()),
        message,
    )


def test_an_overlapping_designation_of_the_same_person_in_the_same_role_is_refused(ghana, rep, officer):
    factories.ContactFactory(
        state=ghana,
        role="reporting",
        name="Ama Mensah",
        email="Reporting@MOD.example.gh",
        valid_from=dt.date(2020, 1, 1),
    )
    message = (
        "Ama Mensah is already the State's Reporting contact from 1 January 2020, with no end date; "
        "end that designation first or propose a change to it."
    )
    assert_refused(
        lambda: services.contact_propose(state=ghana, proposed_by=rep, data=contact_data(), note_verbale=nv_pdf()),
        message,
    )
    assert_refused(
        lambda: services.contact_create_verified(
            state=ghana, created_by=officer, data=contact_data(), note_verbale=nv_pdf()
        ),
        message,
    )


def test_an_overlap_with_an_ended_designation_names_both_dates(ghana, rep):
    factories.ContactFactory(
        state=ghana,
        role="reporting",
        name="Ama Mensah",
        email="reporting@mod.example.gh",
        valid_from=dt.date(2020, 1, 1),
        valid_to=dt.date(2024, 6, 30),
    )
    assert_refused(
        lambda: services.contact_propose(state=ghana, proposed_by=rep, data=contact_data(), note_verbale=nv_pdf()),
        "Ama Mensah is already the State's Reporting contact from 1 January 2020 to 30 June 2024",
    )
    # The day after it ended is free.
    contact = services.contact_propose(
        state=ghana, proposed_by=rep, data=contact_data(valid_from=dt.date(2024, 7, 1)), note_verbale=nv_pdf()
    )
    assert contact.status == ContactStatus.PENDING


def test_no_overlap_with_another_person_another_role_another_state_or_a_past_record(ghana, rep):
    factories.ContactFactory(state=ghana, role="reporting", email="someone.else@mod.example.gh")  # another person
    factories.ContactFactory(state=ghana, role="finance", email="reporting@mod.example.gh")  # another role
    factories.ContactFactory(state=State.objects.get(iso3="MEX"), role="reporting", email="reporting@mod.example.gh")
    factories.ContactFactory(
        state=ghana, role="reporting", email="reporting@mod.example.gh", status="refused", refusal_reason="No."
    )
    factories.ContactFactory(
        state=ghana, role="reporting", email="reporting@mod.example.gh", status="pending", decided_at=None
    )
    contact = services.contact_propose(state=ghana, proposed_by=rep, data=contact_data(), note_verbale=nv_pdf())
    assert contact.pk


# ---------------------------------------------------------------------------- changes


def test_a_change_without_note_verbale_rests_on_the_one_of_the_record_it_changes(ghana, rep):
    current = factories.ContactFactory(state=ghana, role="npc", email="npc@mfa.example.gh")
    files = stored_files()
    change = services.contact_propose(
        state=ghana,
        proposed_by=rep,
        data=contact_data(
            role="finance", email="npc@mfa.example.gh", note_verbale_date=None, note_verbale_reference=""
        ),
        note_verbale=None,
        replaces=current,
    )
    assert change.role == "npc"  # a change keeps the role of the record it changes
    assert change.replaces == current
    assert change.note_verbale.name == current.note_verbale.name
    assert change.note_verbale_date == current.note_verbale_date
    assert change.note_verbale_reference == current.note_verbale_reference
    assert stored_files() == files  # the file is shared, not copied


def test_a_change_with_only_part_of_a_new_note_verbale_is_refused(ghana, rep):
    current = factories.ContactFactory(state=ghana)
    assert_refused(
        lambda: services.contact_propose(
            state=ghana,
            proposed_by=rep,
            data=contact_data(email=current.email, note_verbale_reference=""),
            note_verbale=nv_pdf(),
            replaces=current,
        ),
        "A designation needs its Note Verbale",
    )


def test_only_one_change_to_a_record_may_wait(ghana, rep):
    current = factories.ContactFactory(state=ghana, email="npc@mfa.example.gh")
    services.contact_propose(
        state=ghana,
        proposed_by=rep,
        data=contact_data(email="npc@mfa.example.gh"),
        note_verbale=nv_pdf(),
        replaces=current,
    )
    assert_refused(
        lambda: services.contact_propose(
            state=ghana,
            proposed_by=rep,
            data=contact_data(email="npc@mfa.example.gh", title="Minister"),
            note_verbale=nv_pdf(),
            replaces=current,
        ),
        "A change to this contact is already waiting for verification",
    )


def test_the_database_refusing_a_second_pending_change_leaves_no_file(ghana, rep):
    """Should two requests pass the check at once, the database constraint refuses the second one
    and its stored file is removed."""
    current = factories.ContactFactory(state=ghana, email="npc@mfa.example.gh")
    factories.ContactFactory(
        state=ghana, email="npc@mfa.example.gh", status="pending", decided_at=None, replaces=current
    )
    files, rows = stored_files(), Contact.objects.count()
    contact = Contact(state=ghana, replaces=current, **{**contact_data(email="npc@mfa.example.gh"), "role": "npc"})
    contact.note_verbale = nv_pdf()
    with pytest.raises(ValidationError) as error:
        services._insert(contact)
    assert "already waiting for verification" in messages_of(error)
    assert stored_files() == files
    assert Contact.objects.count() == rows


def test_a_change_to_a_record_that_is_not_verified_or_of_another_state_is_refused(ghana, rep):
    pending = factories.ContactFactory(state=ghana, status="pending", decided_at=None)
    mexican = factories.ContactFactory(state=State.objects.get(iso3="MEX"))
    for replaces in (pending, mexican):
        assert_refused(
            lambda replaces=replaces: services.contact_propose(
                state=ghana, proposed_by=rep, data=contact_data(), note_verbale=nv_pdf(), replaces=replaces
            ),
            "A change can only be proposed to a verified contact of the same State.",
        )


# ---------------------------------------------------------------------------- decisions


def test_staff_record_a_verified_contact_from_a_note_verbale(ghana, officer):
    contact = services.contact_create_verified(
        state=ghana, created_by=officer, data=contact_data(), note_verbale=nv_pdf()
    )
    contact.refresh_from_db()
    assert contact.status == ContactStatus.VERIFIED
    assert contact.decided_by == officer
    assert contact.decided_at is not None
    assert contact.proposed_by == officer


def test_verifying_a_new_designation(ghana, rep, officer):
    contact = services.contact_propose(state=ghana, proposed_by=rep, data=contact_data(), note_verbale=nv_pdf())
    services.contact_verify(contact=contact, verified_by=officer)
    contact.refresh_from_db()
    assert contact.status == ContactStatus.VERIFIED
    assert contact.decided_by == officer
    assert [row.status for row in contact.history.order_by("history_id")] == ["pending", "verified"]
    assert contact.history.latest().history_user == officer


def test_verifying_a_change_supersedes_the_record_and_ends_it_the_day_before(ghana, rep, officer):
    current = factories.ContactFactory(state=ghana, email="npc@mfa.example.gh", valid_from=dt.date(2020, 1, 1))
    change = services.contact_propose(
        state=ghana,
        proposed_by=rep,
        data=contact_data(
            email="npc@mfa.example.gh",
            title="Director-General",
            valid_from=dt.date(2025, 3, 1),
            note_verbale_date=None,
            note_verbale_reference="",
        ),
        note_verbale=None,
        replaces=current,
    )
    services.contact_verify(contact=change, verified_by=officer)
    current.refresh_from_db()
    change.refresh_from_db()
    assert change.status == ContactStatus.VERIFIED
    assert current.status == ContactStatus.SUPERSEDED
    assert current.valid_to == dt.date(2025, 2, 28)
    assert current.history.latest().status == ContactStatus.SUPERSEDED
    assert current.history.count() == 2  # created, superseded: the earlier state is kept


def test_a_superseded_record_never_ends_before_it_starts(ghana, rep, officer):
    current = factories.ContactFactory(state=ghana, email="npc@mfa.example.gh", valid_from=dt.date(2024, 5, 1))
    change = services.contact_propose(
        state=ghana,
        proposed_by=rep,
        data=contact_data(email="npc@mfa.example.gh", valid_from=dt.date(2024, 1, 1)),
        note_verbale=nv_pdf(),
        replaces=current,
    )
    services.contact_verify(contact=change, verified_by=officer)
    current.refresh_from_db()
    assert current.valid_to == dt.date(2024, 5, 1)


def test_a_superseded_record_that_ended_earlier_keeps_its_end(ghana, rep, officer):
    current = factories.ContactFactory(
        state=ghana, email="npc@mfa.example.gh", valid_from=dt.date(2020, 1, 1), valid_to=dt.date(2024, 12, 31)
    )
    change = services.contact_propose(
        state=ghana,
        proposed_by=rep,
        data=contact_data(email="npc@mfa.example.gh", valid_from=dt.date(2025, 6, 1)),
        note_verbale=nv_pdf(),
        replaces=current,
    )
    services.contact_verify(contact=change, verified_by=officer)
    current.refresh_from_db()
    assert current.valid_to == dt.date(2024, 12, 31)


def test_the_overlap_is_checked_again_at_verification(ghana, rep, officer):
    proposal = services.contact_propose(state=ghana, proposed_by=rep, data=contact_data(), note_verbale=nv_pdf())
    # Meanwhile staff recorded the same person from another Note Verbale.
    factories.ContactFactory(
        state=ghana,
        role="reporting",
        name="Kofi A. Boateng",
        email="reporting@mod.example.gh",
        valid_from=dt.date(2023, 1, 1),
    )
    with pytest.raises(ValidationError) as error:
        services.contact_verify(contact=proposal, verified_by=officer)
    assert "Kofi A. Boateng is already the State's Reporting contact" in messages_of(error)
    proposal.refresh_from_db()
    assert proposal.status == ContactStatus.PENDING


def test_only_pending_contacts_are_verified_or_refused(ghana, officer):
    verified = factories.ContactFactory(state=ghana)
    with pytest.raises(ValidationError, match="Only a contact waiting for verification can be verified."):
        services.contact_verify(contact=verified, verified_by=officer)
    with pytest.raises(ValidationError, match="Only a contact waiting for verification can be refused."):
        services.contact_refuse(contact=verified, refused_by=officer, reason="No")


def test_refusing_needs_a_reason(ghana, rep, officer):
    proposal = services.contact_propose(state=ghana, proposed_by=rep, data=contact_data(), note_verbale=nv_pdf())
    with pytest.raises(ValidationError) as error:
        services.contact_refuse(contact=proposal, refused_by=officer, reason="  ")
    assert messages_of(error) == "Give the reason for refusing."
    proposal.refresh_from_db()
    assert proposal.status == ContactStatus.PENDING
    services.contact_refuse(contact=proposal, refused_by=officer, reason="The Note Verbale names another person.")
    proposal.refresh_from_db()
    assert proposal.status == ContactStatus.REFUSED
    assert proposal.refusal_reason == "The Note Verbale names another person."
    assert proposal.decided_by == officer


def test_a_refused_change_leaves_the_record_current(ghana, rep, officer):
    current = factories.ContactFactory(state=ghana, email="npc@mfa.example.gh")
    change = services.contact_propose(
        state=ghana,
        proposed_by=rep,
        data=contact_data(email="npc@mfa.example.gh"),
        note_verbale=nv_pdf(),
        replaces=current,
    )
    services.contact_refuse(contact=change, refused_by=officer, reason="Wrong date")
    current.refresh_from_db()
    assert current.status == ContactStatus.VERIFIED
    assert current.valid_to is None
    # Another change may now be proposed.
    services.contact_propose(
        state=ghana,
        proposed_by=rep,
        data=contact_data(email="npc@mfa.example.gh"),
        note_verbale=nv_pdf(),
        replaces=current,
    )


def test_confirming_a_current_contact(ghana, rep):
    contact = factories.ContactFactory(state=ghana)
    services.contact_confirm(contact=contact, confirmed_by=rep)
    contact.refresh_from_db()
    assert contact.confirmed_on == timezone.localdate()
    assert contact.confirmation_base() == timezone.localdate()
    assert contact.history.latest().history_user == rep


def test_only_a_current_verified_contact_is_confirmed(ghana, rep):
    ended = factories.ContactFactory(state=ghana, valid_to=dt.date(2021, 1, 1))
    pending = factories.ContactFactory(state=ghana, status="pending", decided_at=None)
    for contact in (ended, pending):
        with pytest.raises(ValidationError, match="Only a current, verified contact can be confirmed."):
            services.contact_confirm(contact=contact, confirmed_by=rep)
        contact.refresh_from_db()
        assert contact.confirmed_on is None


def test_ending_a_designation(ghana, officer):
    contact = factories.ContactFactory(state=ghana, valid_from=dt.date(2020, 1, 1))
    services.contact_end(contact=contact, ended_by=officer, valid_to=dt.date(2024, 12, 31))
    contact.refresh_from_db()
    assert contact.valid_to == dt.date(2024, 12, 31)
    with pytest.raises(ValidationError, match="cannot end before it starts"):
        services.contact_end(contact=contact, ended_by=officer, valid_to=dt.date(2019, 12, 31))
    contact.refresh_from_db()
    assert contact.valid_to == dt.date(2024, 12, 31)

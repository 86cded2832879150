"""The writes of the control lists module: what is recorded, and bad input that saves nothing."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from secretariat.controllists import services
from secretariat.controllists.models import ControlList, ControlListFile
from secretariat.states.models import State
from tests import factories
from tests.controllists.factories import docx, exe_renamed_pdf, oversized_pdf, pdf, stored_files, text_file

pytestmark = pytest.mark.django_db

LIST_DATE = dt.date(2024, 3, 1)
RECEIVED_ON = dt.date(2024, 3, 20)


@pytest.fixture
def ghana():
    return State.objects.get(iso3="GHA")


@pytest.fixture
def officer(make_persona):
    return make_persona("staff_reporting")


@pytest.fixture
def ghana_rep(make_persona):
    return make_persona("state_a_rep")


def record(state, by, **overrides):
    arguments = {
        "state": state,
        "recorded_by": by,
        "list_date": LIST_DATE,
        "received_on": RECEIVED_ON,
        "visibility": "parties",
        "files": [("en", pdf())],
    }
    arguments.update(overrides)
    return services.control_list_record(**arguments)


def counts():
    return ControlList.objects.count(), ControlListFile.objects.count(), len(stored_files())


# ---------------------------------------------------------------------------- what is recorded


def test_the_secretariat_records_a_list_in_two_languages(ghana, officer):
    control_list = record(
        ghana,
        officer,
        files=[("en", pdf("Ghana control list.pdf")), ("fr", docx())],
        link="https://www.example.gh/list",
        notes="Received with Note Verbale 12/2024.",
    )

    control_list.refresh_from_db()
    assert (control_list.state, control_list.list_date, control_list.received_on) == (ghana, LIST_DATE, RECEIVED_ON)
    assert control_list.visibility == "parties"
    assert control_list.link == "https://www.example.gh/list"
    assert control_list.recorded_by == officer
    files = list(control_list.files.order_by("language"))
    assert [(f.language, f.original_name) for f in files] == [("en", "Ghana control list.pdf"), ("fr", "liste.docx")]
    with files[0].file.open("rb") as stored:
        assert files[0].size == len(stored.read())
    assert files[0].file.name == "control-lists/GHA/2024-03-01-en.pdf"
    assert len(stored_files()) == 2
    assert control_list.history.latest().history_user == officer


def test_a_link_alone_is_enough(ghana, officer):
    control_list = record(ghana, officer, files=[], link="https://www.example.gh/list")

    assert control_list.files.count() == 0
    assert control_list.link == "https://www.example.gh/list"


def test_a_representative_s_list_is_received_the_day_it_is_sent(ghana, ghana_rep):
    control_list = record(ghana, ghana_rep, received_on=dt.date(2024, 3, 2))

    assert control_list.received_on == timezone.localdate()


def test_a_representative_need_not_give_the_day_received(ghana, ghana_rep):
    assert record(ghana, ghana_rep, received_on=None).received_on == timezone.localdate()


def test_add_a_file_in_another_language(ghana, officer):
    control_list = record(ghana, officer)

    added = services.control_list_add_file(control_list=control_list, language="es", upload=docx(), added_by=officer)

    assert added.control_list == control_list
    assert sorted(control_list.files.values_list("language", flat=True)) == ["en", "es"]
    assert len(stored_files()) == 2


def test_set_visibility(ghana, ghana_rep):
    control_list = record(ghana, ghana_rep)

    changed = services.control_list_set_visibility(control_list=control_list, visibility="public", changed_by=ghana_rep)

    control_list.refresh_from_db()
    assert changed.visibility == control_list.visibility == "public"
    assert control_list.history.latest().history_user == ghana_rep


# ---------------------------------------------------------------------------- bad input: a clear message, nothing saved


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (exe_renamed_pdf, "The content of list.pdf is not a PDF file."),
        (text_file, "list.txt is not one of the accepted types (PDF, DOCX, XLSX)."),
        (oversized_pdf, "big.pdf is 21.0 MB; the limit is 20 MB."),
    ],
)
def test_a_bad_file_is_refused_and_nothing_is_saved(ghana, officer, upload, message):
    before = counts()

    with pytest.raises(ValidationError) as error:
        record(ghana, officer, files=[("en", upload())])

    assert error.value.messages == [message]
    assert counts() == before == (0, 0, 0)


def test_a_good_file_with_a_bad_one_saves_nothing_at_all(ghana, officer):
    with pytest.raises(ValidationError) as error:
        record(ghana, officer, files=[("en", pdf()), ("fr", exe_renamed_pdf("liste.pdf"))])

    assert error.value.messages == ["The content of liste.pdf is not a PDF file."]
    assert counts() == (0, 0, 0)


def test_if_storing_a_file_fails_the_files_already_stored_are_removed(ghana, officer, monkeypatch):
    """The checks passed, the first file was stored, then the second one could not be: no file remains."""
    original_save = ControlListFile.save

    def failing_save(self, *args, **kwargs):
        if self.language == "fr":
            raise OSError("disk full")
        return original_save(self, *args, **kwargs)

    monkeypatch.setattr(ControlListFile, "save", failing_save)

    with pytest.raises(OSError, match="disk full"):
        record(ghana, officer, files=[("en", pdf()), ("fr", docx())])

    assert counts() == (0, 0, 0)


def test_two_files_in_the_same_language(ghana, officer):
    with pytest.raises(ValidationError) as error:
        record(ghana, officer, files=[("en", pdf()), ("en", docx())])

    assert error.value.messages == ["Two files are in English: send one file per language."]
    assert counts() == (0, 0, 0)


def test_no_file_and_no_link(ghana, officer):
    with pytest.raises(ValidationError) as error:
        record(ghana, officer, files=[], link="  ")

    assert error.value.messages == ["Attach the list in at least one language, or give its link."]
    assert counts() == (0, 0, 0)


def test_a_second_list_with_the_same_date(ghana, officer):
    record(ghana, officer)
    before = counts()

    with pytest.raises(ValidationError) as error:
        record(ghana, officer, files=[("fr", docx())])

    assert error.value.messages == [
        "A list dated 1 March 2024 is already recorded for Ghana; add a file to it instead."
    ]
    assert counts() == before == (1, 1, 1)


def test_the_same_date_for_another_state_is_fine(ghana, officer):
    record(ghana, officer)
    record(State.objects.get(iso3="MEX"), officer)

    assert ControlList.objects.filter(list_date=LIST_DATE).count() == 2


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"received_on": dt.date(2024, 2, 28)}, "The list cannot have been received before its own date."),
        ({"received_on": dt.date.max}, "The day the list was received cannot be in the future."),
        ({"list_date": dt.date.max, "received_on": dt.date.max}, "The date of the list cannot be in the future."),
        ({"received_on": None}, "Give the day the Secretariat received the list."),
        ({"visibility": "everyone"}, "Choose who may see the list: the public or States Parties only."),
        ({"files": [("klingon", pdf())]}, "Choose the language of each file."),
        ({"files": [], "link": "not a web address"}, "The link is not a web address (it starts with https://)."),
    ],
)
def test_bad_dates_and_choices(ghana, officer, changes, message):
    with pytest.raises(ValidationError) as error:
        record(ghana, officer, **changes)

    assert error.value.messages == [message]
    assert counts() == (0, 0, 0)


def test_a_representative_cannot_date_a_list_in_the_future(ghana, ghana_rep):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)

    with pytest.raises(ValidationError) as error:
        record(ghana, ghana_rep, list_date=tomorrow, received_on=None)

    assert error.value.messages == ["The date of the list cannot be in the future."]
    assert counts() == (0, 0, 0)


def test_adding_a_file_in_a_language_already_there(ghana, officer):
    control_list = record(ghana, officer)
    before = counts()

    with pytest.raises(ValidationError) as error:
        services.control_list_add_file(control_list=control_list, language="en", upload=docx(), added_by=officer)

    assert error.value.messages == ["The list dated 1 March 2024 already has a file in English."]
    assert counts() == before


def test_adding_a_bad_file(ghana, officer):
    control_list = factories.ControlListFactory(state=ghana, list_date=LIST_DATE)
    before = counts()

    with pytest.raises(ValidationError) as error:
        services.control_list_add_file(
            control_list=control_list, language="fr", upload=oversized_pdf("liste.pdf"), added_by=officer
        )

    assert error.value.messages == ["liste.pdf is 21.0 MB; the limit is 20 MB."]
    assert counts() == before


def test_an_unknown_visibility(ghana, officer):
    control_list = factories.ControlListFactory(state=ghana, visibility="parties")

    with pytest.raises(ValidationError):
        services.control_list_set_visibility(control_list=control_list, visibility="secret", changed_by=officer)

    control_list.refresh_from_db()
    assert control_list.visibility == "parties"

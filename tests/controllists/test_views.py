"""The control lists pages as each persona sees them: the overview, a State's page, downloads, the
recording form, the visibility and add-file actions, and the dossier panel."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from secretariat.controllists import selectors
from secretariat.controllists.models import ControlList, ControlListFile
from secretariat.core.access import principal_for
from secretariat.states.models import State, TreatyStatus
from tests import factories
from tests.conftest import sign_in
from tests.controllists.factories import docx, exe_renamed_pdf, pdf, stored_files

pytestmark = pytest.mark.django_db


@pytest.fixture
def ghana():
    return State.objects.get(iso3="GHA")


@pytest.fixture
def mexico():
    return State.objects.get(iso3="MEX")


@pytest.fixture
def restricted_list(ghana):
    """Ghana's only list: for States Parties only, with an English file."""
    control_list = factories.ControlListFactory(state=ghana, list_date=dt.date(2024, 3, 1), visibility="parties")
    factories.ControlListFileFactory(control_list=control_list, language="en", original_name="Ghana 2024.pdf")
    return control_list


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    return response.content.decode()


def overview_row(html, iso3):
    """The overview table's row of one State."""
    return html.split(f'href="/control-lists/{iso3}/"', 1)[1].split("</tr>", 1)[0]


def file_links(html):
    return re.findall(r'href="/control-lists/files/(\d+)/"', html)


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


# ---------------------------------------------------------------------------- downloads


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 404),
        ("signatory_rep", 404),
        ("donor_rep", 404),
        ("state_b_rep", 200),
        ("state_a_rep", 200),
        ("staff_reporting", 200),
        ("staff_finance", 200),
    ],
)
def test_who_may_download_a_file_shared_with_states_parties_only(
    client, make_persona, restricted_list, persona, status
):
    list_file = restricted_list.files.get()
    sign_in(client, make_persona(persona))

    response = client.get(f"/control-lists/files/{list_file.pk}/")

    assert response.status_code == status
    if status == 200:
        assert response["Content-Disposition"] == 'attachment; filename="Ghana 2024.pdf"'
        assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_everyone_downloads_a_public_file(client, ghana):
    public = factories.ControlListFactory(state=ghana, visibility="public")
    list_file = factories.ControlListFileFactory(control_list=public, language="fr", original_name="Liste.pdf")

    response = client.get(f"/control-lists/files/{list_file.pk}/")

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="Liste.pdf"'
    b"".join(response.streaming_content)


def test_a_file_that_does_not_exist_is_404(client):
    assert client.get("/control-lists/files/999999/").status_code == 404


def test_a_signatory_s_own_party_only_list_is_open_to_its_representatives(client, make_persona):
    angola = State.objects.get(iso3="AGO")
    control_list = factories.ControlListFactory(state=angola, visibility="parties")
    list_file = factories.ControlListFileFactory(control_list=control_list)
    sign_in(client, make_persona("signatory_rep"))

    response = client.get(f"/control-lists/files/{list_file.pk}/")

    assert response.status_code == 200
    b"".join(response.streaming_content)


# ---------------------------------------------------------------------------- the public overview


def test_the_overview_shows_a_restricted_list_as_provided_without_its_file(client, restricted_list):
    html = page(client, "/control-lists/")

    row = overview_row(html, "GHA")
    assert "Provided" in row
    assert "1 March 2024" in row
    assert "States Parties only" in row
    assert file_links(row) == []
    assert "Shared with States Parties only" in row
    assert "Not provided" in overview_row(html, "MEX")


def test_the_overview_links_the_files_of_public_lists(client, ghana):
    public = factories.ControlListFactory(state=ghana, list_date=dt.date(2022, 5, 1), visibility="public")
    english = factories.ControlListFileFactory(control_list=public, language="en")
    french = factories.ControlListFileFactory(control_list=public, language="fr")

    row = overview_row(page(client, "/control-lists/"), "GHA")

    assert file_links(row) == [str(english.pk), str(french.pk)]
    assert "Public" in row


def test_the_overview_shows_states_parties_the_files_of_restricted_lists(client, make_persona, restricted_list):
    sign_in(client, make_persona("state_b_rep"))

    row = overview_row(page(client, "/control-lists/"), "GHA")

    assert file_links(row) == [str(restricted_list.files.get().pk)]


def test_the_public_sees_the_files_of_an_older_public_list_under_a_newer_restricted_one(client, ghana, restricted_list):
    older = factories.ControlListFactory(state=ghana, list_date=dt.date(2020, 3, 1), visibility="public")
    older_file = factories.ControlListFileFactory(control_list=older, language="fr")

    row = overview_row(page(client, "/control-lists/"), "GHA")

    assert "1 March 2024" in row  # the newest list provided
    assert "The list dated 1 March 2020:" in row
    assert file_links(row) == [str(older_file.pk)]


def test_the_overview_lists_only_states_parties_and_filters_by_region(client, restricted_list):
    today = timezone.localdate()
    parties = [state for state in State.objects.all() if state.status_on(today).status == TreatyStatus.PARTY]

    html = page(client, "/control-lists/")

    assert len(re.findall(r'<th scope="row"><a href="/control-lists/[A-Z]{3}/">', html)) == len(parties)
    assert 'href="/control-lists/AGO/"' not in html  # a signatory
    assert f"of {len(parties)} States Parties have provided a list" in html

    african = page(client, "/control-lists/?region=african")
    assert 'href="/control-lists/GHA/"' in african
    assert 'href="/control-lists/MEX/"' not in african

    assert 'href="/control-lists/GHA/"' in page(client, "/control-lists/?region=nonsense")  # ignored


def test_the_overview_needs_the_same_number_of_queries_whatever_the_number_of_lists(client, make_persona):
    sign_in(client, make_persona("state_b_rep"))
    today = timezone.localdate()
    parties = [state for state in State.objects.order_by("iso3") if state.status_on(today).status == TreatyStatus.PARTY]

    def queries():
        with CaptureQueriesContext(connection) as captured:
            page(client, "/control-lists/")
        return len(captured)

    factories.ControlListFileFactory(control_list=factories.ControlListFactory(state=parties[0]))
    few = queries()
    for state in parties[1:20]:
        for year in (2019, 2023):
            control_list = factories.ControlListFactory(
                state=state, list_date=dt.date(year, 1, 1), visibility="parties" if year == 2023 else "public"
            )
            factories.ControlListFileFactory(control_list=control_list, language="en")
            factories.ControlListFileFactory(control_list=control_list, language="es")
    many = queries()

    assert many == few
    assert many <= 12


def test_the_current_list_is_the_latest_by_date(ghana):
    factories.ControlListFactory(state=ghana, list_date=dt.date(2021, 1, 1), visibility="public")
    newest = factories.ControlListFactory(state=ghana, list_date=dt.date(2023, 7, 1), visibility="public")
    factories.ControlListFactory(state=ghana, list_date=dt.date(2019, 1, 1), visibility="public")

    lists = selectors.state_lists(state=ghana, principal=principal_for(None))
    row = next(
        row for row in selectors.control_lists_overview(principal=principal_for(None)).rows if row.state == ghana
    )

    assert lists.current.control_list == newest
    assert [entry.control_list.list_date.year for entry in lists.history] == [2021, 2019]
    assert row.current == row.latest == newest


def test_the_current_list_is_the_latest_the_reader_may_open(ghana, make_persona, restricted_list):
    older = factories.ControlListFactory(state=ghana, list_date=dt.date(2020, 3, 1), visibility="public")

    public_view = selectors.state_lists(state=ghana, principal=principal_for(None))
    party_view = selectors.state_lists(state=ghana, principal=principal_for(make_persona("state_b_rep")))

    assert public_view.current.control_list == older
    assert public_view.latest.control_list == restricted_list
    assert party_view.current.control_list == restricted_list


def test_lists_visible_to(ghana, make_persona, restricted_list):
    public = factories.ControlListFactory(state=ghana, list_date=dt.date(2020, 3, 1), visibility="public")
    angola = factories.ControlListFactory(state=State.objects.get(iso3="AGO"), visibility="parties")

    def visible(persona, *, otp_verified=True):
        user = None if persona == "anonymous" else make_persona(persona)
        if user is not None:
            user.is_verified = lambda: otp_verified  # what the OTP middleware sets on a request
        return set(selectors.lists_visible_to(principal_for(user)))

    assert visible("anonymous") == {public}
    assert visible("signatory_rep") == {public, angola}
    assert visible("state_b_rep") == {public, restricted_list, angola}
    assert visible("staff_meetings") == {public, restricted_list, angola}
    assert visible("staff_admin", otp_verified=False) == {public}


# ---------------------------------------------------------------------------- a State's page


def test_the_public_sees_a_restricted_version_only_by_its_date(client, ghana, restricted_list):
    restricted_list.link = "https://secret.example.gh/list"
    restricted_list.notes = "Internal note"
    restricted_list.save()
    older = factories.ControlListFactory(state=ghana, list_date=dt.date(2020, 3, 1), visibility="public")
    older_file = factories.ControlListFileFactory(control_list=older, language="fr")

    html = page(client, "/control-lists/GHA/")

    assert "A list dated 1 March 2024, shared with States Parties only." in html
    assert file_links(html) == [str(older_file.pk)]
    assert "secret.example.gh" not in html
    assert "Internal note" not in html
    assert "Record a list" not in html


def test_a_state_party_sees_every_version_with_its_files(client, make_persona, ghana, restricted_list):
    older = factories.ControlListFactory(state=ghana, list_date=dt.date(2020, 3, 1), visibility="public")
    older_file = factories.ControlListFileFactory(control_list=older, language="fr")
    sign_in(client, make_persona("state_b_rep"))

    html = page(client, "/control-lists/GHA/")

    assert "shared with States Parties only." not in html
    assert file_links(html) == [str(restricted_list.files.get().pk), str(older_file.pk)]
    assert "Record a list" not in html
    assert "Make public" not in html


def test_the_state_s_own_representatives_may_record_and_change_its_lists(client, make_persona, restricted_list):
    restricted_list.notes = "Sent by the Ministry of Defence"
    restricted_list.save()
    sign_in(client, make_persona("state_a_rep"))

    html = page(client, "/control-lists/GHA/")

    assert 'href="/control-lists/GHA/new/"' in html
    assert f'action="/control-lists/{restricted_list.pk}/visibility/"' in html
    assert f'action="/control-lists/{restricted_list.pk}/files/new/"' in html
    assert "Sent by the Ministry of Defence" in html


def test_a_state_without_a_list(client):
    html = page(client, "/control-lists/MEX/")

    assert "has not provided a national control list" in html


def test_an_unknown_state_is_404(client):
    assert client.get("/control-lists/XXX/").status_code == 404


# ---------------------------------------------------------------------------- recording a list


def test_a_representative_records_a_list_received_today(client, make_persona, ghana):
    sign_in(client, make_persona("state_a_rep"))

    form_html = page(client, "/control-lists/GHA/new/")
    assert 'name="received_on"' not in form_html
    response = client.post(
        "/control-lists/GHA/new/",
        {
            "list_date": "2024-01-15",
            "received_on": "2024-01-20",  # not on the form: ignored
            "visibility": "public",
            "language_1": "en",
            "file_1": pdf("National control list.pdf"),
            "language_2": "fr",
            "file_2": docx(),
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/control-lists/GHA/"
    control_list = ControlList.objects.get(state=ghana)
    assert control_list.received_on == timezone.localdate()
    assert control_list.visibility == "public"
    assert sorted(control_list.files.values_list("language", "original_name")) == [
        ("en", "National control list.pdf"),
        ("fr", "liste.docx"),
    ]
    followed = client.get(response["Location"])
    assert messages_of(followed) == ["The list of Ghana dated 15 January 2024 is recorded."]


def test_the_secretariat_records_the_day_it_received_a_list(client, make_persona, mexico):
    sign_in(client, make_persona("staff_reporting"))

    assert 'name="received_on"' in page(client, "/control-lists/MEX/new/")
    response = client.post(
        "/control-lists/MEX/new/",
        {
            "list_date": "2023-02-01",
            "received_on": "2023-03-10",
            "visibility": "parties",
            "link": "https://www.example.mx/lista",
        },
    )

    assert response.status_code == 302
    control_list = ControlList.objects.get(state=mexico)
    assert (control_list.list_date, control_list.received_on) == (dt.date(2023, 2, 1), dt.date(2023, 3, 10))
    assert control_list.link == "https://www.example.mx/lista"


def test_a_bad_file_is_refused_on_the_form_and_nothing_is_saved(client, make_persona):
    sign_in(client, make_persona("state_a_rep"))

    response = client.post(
        "/control-lists/GHA/new/",
        {
            "list_date": "2024-01-15",
            "visibility": "public",
            "language_1": "en",
            "file_1": pdf(),
            "language_2": "fr",
            "file_2": exe_renamed_pdf("liste.pdf"),
        },
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing was saved." in html
    assert "The content of liste.pdf is not a PDF file." in html
    assert ControlList.objects.count() == ControlListFile.objects.count() == 0
    assert stored_files() == []


def test_a_file_without_its_language_is_refused_on_the_form(client, make_persona):
    sign_in(client, make_persona("state_a_rep"))

    response = client.post(
        "/control-lists/GHA/new/", {"list_date": "2024-01-15", "visibility": "public", "file_1": pdf()}
    )

    assert response.status_code == 200
    assert "Choose the language of this file." in response.content.decode()
    assert ControlList.objects.count() == 0
    assert stored_files() == []


@pytest.mark.parametrize("persona", ["state_b_rep", "signatory_rep", "staff_finance", "donor_rep"])
def test_others_may_not_record_ghana_s_list(client, make_persona, persona):
    sign_in(client, make_persona(persona))

    response = client.post(
        "/control-lists/GHA/new/",
        {"list_date": "2024-01-15", "visibility": "public", "language_1": "en", "file_1": pdf()},
    )

    assert response.status_code == 403
    assert ControlList.objects.count() == 0
    assert stored_files() == []


# ---------------------------------------------------------------------------- visibility and files


def test_a_representative_makes_the_list_public(client, make_persona, restricted_list):
    sign_in(client, make_persona("state_a_rep"))

    response = client.post(f"/control-lists/{restricted_list.pk}/visibility/", {"visibility": "public"}, follow=True)

    restricted_list.refresh_from_db()
    assert restricted_list.visibility == "public"
    assert messages_of(response) == ["The list dated 1 March 2024: Public."]
    client.logout()
    assert file_links(page(client, "/control-lists/GHA/")) == [str(restricted_list.files.get().pk)]


def test_another_state_may_not_change_the_visibility(client, make_persona, restricted_list):
    sign_in(client, make_persona("state_b_rep"))

    response = client.post(f"/control-lists/{restricted_list.pk}/visibility/", {"visibility": "public"})

    assert response.status_code == 403
    restricted_list.refresh_from_db()
    assert restricted_list.visibility == "parties"


def test_staff_add_a_file_in_another_language(client, make_persona, restricted_list):
    sign_in(client, make_persona("staff_admin"))

    response = client.post(
        f"/control-lists/{restricted_list.pk}/files/new/", {"language": "es", "file": docx("lista.docx")}, follow=True
    )

    assert messages_of(response) == ["lista.docx is added to the list dated 1 March 2024."]
    assert sorted(restricted_list.files.values_list("language", flat=True)) == ["en", "es"]


def test_a_second_file_in_the_same_language_is_refused_with_a_message(client, make_persona, restricted_list):
    sign_in(client, make_persona("state_a_rep"))
    before = len(stored_files())

    response = client.post(
        f"/control-lists/{restricted_list.pk}/files/new/", {"language": "en", "file": pdf()}, follow=True
    )

    assert messages_of(response) == ["The list dated 1 March 2024 already has a file in English."]
    assert restricted_list.files.count() == 1
    assert len(stored_files()) == before


def test_the_actions_are_post_only(client, make_persona, restricted_list):
    sign_in(client, make_persona("state_a_rep"))

    assert client.get(f"/control-lists/{restricted_list.pk}/visibility/").status_code == 405
    assert client.get(f"/control-lists/{restricted_list.pk}/files/new/").status_code == 405


# ---------------------------------------------------------------------------- the dossier panel


def test_the_dossier_panel_for_the_public(client, ghana, restricted_list):
    html = page(client, "/states/GHA/")

    panel = html.split("National control list (Art. 5(4))", 1)[1].split("</section>", 1)[0]
    assert "Yes" in panel
    assert "1 March 2024" in panel
    assert "States Parties only" in panel
    assert file_links(panel) == []
    assert 'href="/control-lists/GHA/"' in panel
    assert "Record a list" not in panel


def test_the_dossier_panel_for_the_state_s_representative(client, make_persona, restricted_list):
    sign_in(client, make_persona("state_a_rep"))

    panel = page(client, "/states/GHA/").split("National control list (Art. 5(4))", 1)[1].split("</section>", 1)[0]

    assert file_links(panel) == [str(restricted_list.files.get().pk)]
    assert 'href="/control-lists/GHA/new/"' in panel


def test_the_dossier_panel_of_a_state_without_a_list(client):
    panel = page(client, "/states/MEX/").split("National control list (Art. 5(4))", 1)[1].split("</section>", 1)[0]

    assert "No national control list is recorded for this State." in panel

"""The staff exports of the directory: XLSX (read back with openpyxl) and PDF (text extracted with
pypdf), and the selectors behind the public list of designations."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from django.utils.formats import date_format
from openpyxl import load_workbook

from secretariat.contacts import exports, selectors
from secretariat.states.models import State
from tests import factories
from tests.conftest import sign_in
from tests.pdf import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def contacts():
    ghana, mexico = State.objects.get(iso3="GHA"), State.objects.get(iso3="MEX")
    npc = factories.ContactFactory(
        state=ghana,
        name="Ama Mensah",
        title="Director",
        email="npc@mfa.example.gh",
        other_emails="a.mensah@mfa.example.gh",
        phones="+233 30 266 4951",
        postal_address="P.O. Box M53, Accra",
        valid_from=dt.date(2019, 3, 1),
        note_verbale_reference="NV/GHA/2019/7",
    )
    finance = factories.ContactFactory(
        state=mexico, role="finance", name='=HYPERLINK("http://evil")', email="finanzas@sre.example.mx"
    )
    factories.ContactFactory(state=ghana, name="Ended Person", valid_to=dt.date(2020, 1, 1))
    return npc, finance


def export(client, make_persona, persona, path, query=None):
    sign_in(client, make_persona(persona))
    response = client.get(path, query or {})
    return response, b"".join(response.streaming_content) if response.streaming else response.content


def test_the_xlsx_export_holds_every_field_of_the_current_contacts(client, make_persona, contacts):
    response, content = export(client, make_persona, "staff_finance", "/contacts/export.xlsx")
    assert response.status_code == 200
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="att-national-contacts-{today}.xlsx"'
    sheet = load_workbook(io.BytesIO(content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == f"National contacts on {today}"
    header = rows[1]
    records = [dict(zip(header, row, strict=False)) for row in rows[2:]]
    assert len(records) == 2  # the ended designation is not current
    ghana = next(record for record in records if record["ISO3"] == "GHA")
    assert ghana["Name"] == "Ama Mensah"
    assert ghana["Role"] == "National point of contact"
    assert ghana["E-mail address"] == "npc@mfa.example.gh"
    assert ghana["Other e-mail addresses"] == "a.mensah@mfa.example.gh"
    assert ghana["Telephone numbers"] == "+233 30 266 4951"
    assert ghana["Postal address"] == "P.O. Box M53, Accra"
    assert ghana["Valid from"].date() == dt.date(2019, 3, 1)
    assert ghana["Reference of the Note Verbale"] == "NV/GHA/2019/7"
    assert ghana["UN regional group"] == "African States"
    # Text typed by a State is stored as text, never as a formula.
    mexico = next(record for record in records if record["ISO3"] == "MEX")
    assert mexico["Name"] == '=HYPERLINK("http://evil")'
    cell = next(cell for row in sheet.iter_rows() for cell in row if cell.value == '=HYPERLINK("http://evil")')
    assert cell.data_type == "s"


def test_the_xlsx_export_follows_the_filters(client, make_persona, contacts):
    _response, content = export(client, make_persona, "staff_admin", "/contacts/export.xlsx", {"state": "MEX"})
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    assert [row[1] for row in rows[2:]] == ["MEX"]


def test_the_pdf_export_lists_the_contacts_with_the_date_in_the_header(client, make_persona, contacts):
    response, content = export(client, make_persona, "staff_programmes", "/contacts/export.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    words = " ".join(text.split())  # table cells may wrap
    assert f"Exported on {date_format(timezone.localdate(), 'DATE_FORMAT')}" in words
    assert "Ama Mensah" in words
    assert "npc@mfa.example.gh" in words
    assert "NV/GHA/2019/7" in "".join(text.split())
    assert "Ended Person" not in words


def test_the_pdf_is_a4_landscape_from_inline_css_only(contacts):
    rows = selectors.directory_rows()
    html = exports.pdf_html(rows=rows, day=dt.date(2026, 5, 4))
    assert "size: A4 landscape" in html
    assert "Exported on 4 May 2026" in html
    assert "<link" not in html
    assert "src=" not in html
    assert "Ama Mensah" in html
    assert "=HYPERLINK(&quot;http://evil&quot;)" in html  # escaped like any HTML


@pytest.mark.parametrize("persona", ["state_a_rep", "signatory_rep", "donor_rep"])
def test_the_exports_are_for_staff_only(client, make_persona, contacts, persona):
    sign_in(client, make_persona(persona))
    assert client.get("/contacts/export.xlsx").status_code == 403
    assert client.get("/contacts/export.pdf").status_code == 403


# ---------------------------------------------------------------------------- since when a State has an NPC


def test_a_change_does_not_reset_the_date_of_designation():
    ghana = State.objects.get(iso3="GHA")
    first = factories.ContactFactory(
        state=ghana, valid_from=dt.date(2018, 1, 1), valid_to=dt.date(2021, 12, 31), status="superseded"
    )
    second = factories.ContactFactory(
        state=ghana, valid_from=dt.date(2022, 1, 1), valid_to=dt.date(2023, 6, 30), status="superseded", replaces=first
    )
    factories.ContactFactory(state=ghana, valid_from=dt.date(2023, 7, 1), replaces=second)
    assert selectors.state_designated_since(state=ghana) == dt.date(2018, 1, 1)


def test_a_gap_starts_a_new_designation():
    ghana = State.objects.get(iso3="GHA")
    first = factories.ContactFactory(
        state=ghana, valid_from=dt.date(2018, 1, 1), valid_to=dt.date(2019, 12, 31), status="superseded"
    )
    factories.ContactFactory(state=ghana, valid_from=dt.date(2021, 1, 1), replaces=first)
    assert selectors.state_designated_since(state=ghana) == dt.date(2021, 1, 1)


def test_only_a_current_verified_npc_counts():
    ghana = State.objects.get(iso3="GHA")
    factories.ContactFactory(state=ghana, role="reporting")
    factories.ContactFactory(state=ghana, status="pending", decided_at=None)
    factories.ContactFactory(state=ghana, valid_to=dt.date(2021, 1, 1))
    assert selectors.state_designated_since(state=ghana) is None
    factories.ContactFactory(state=ghana, valid_from=dt.date(2024, 2, 1))
    factories.ContactFactory(state=ghana, valid_from=dt.date(2022, 2, 1))  # two NPCs: the earliest counts
    assert selectors.state_designated_since(state=ghana) == dt.date(2022, 2, 1)


def test_the_public_list_takes_two_queries(django_assert_num_queries):
    factories.ContactFactory(state=State.objects.get(iso3="GHA"))
    with django_assert_num_queries(2):
        rows = selectors.designations()
    assert {row.state.iso3 for row in rows if row.since} == {"GHA"}

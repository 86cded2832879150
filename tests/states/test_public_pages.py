"""The public treaty-status page, its CSV export and the State dossier (made-up States only)."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from secretariat.states import views
from secretariat.states.models import ScaleRate, State
from secretariat.states.selectors import StatusFilters, state_status_rows, status_summary
from tests.factories import StateFactory

pytestmark = pytest.mark.django_db

STATUS_URL = reverse("states:status")
CSV_URL = reverse("states:status_csv")
# ISO 3166 user-assigned alpha-2 codes: never a real State.
USER_ASSIGNED_ALPHA2 = [f"Q{chr(c)}" for c in range(ord("M"), ord("Z") + 1)] + [f"X{chr(c)}" for c in range(65, 91)]


def dossier_url(iso3):
    return reverse("states:dossier", kwargs={"iso3": iso3})


@pytest.fixture
def registry():
    """Four made-up States, one per status (as of 2024-01-01 and today).

    The real registry is loaded too; every made-up name starts with "Qux", which no real
    State's name contains, so `q=qux` lists only these four.
    """
    return {
        "party": StateFactory(
            iso3="XPA",
            iso2="XP",
            name_en="Qux Party",
            name_fr="Qux Partie",
            region="african",
            signature_date=dt.date(2013, 6, 3),
            instrument="ratification",
            deposit_date=dt.date(2015, 3, 2),
            art23_declaration="no",
            treaty_source="UNTC, C.N.123.2015",
        ),
        "signatory": StateFactory(
            iso3="XSI",
            iso2="XS",
            name_en="Qux Signatory",
            name_fr="Qux Signataire",
            region="asia_pacific",
            signature_date=dt.date(2013, 9, 25),
        ),
        "not_joined": StateFactory(
            iso3="XNJ",
            iso2="XN",
            name_en="Qux Outside",
            name_fr="Qux Hors",
            region="african",
        ),
        "unknown": StateFactory(
            iso3="XUN",
            iso2="XU",
            name_en="Qux Unclear",
            name_fr="Qux Éclaircie",
            region="",
            deposit_date_partial="2019",
        ),
    }


MADE_UP = {"XPA", "XSI", "XNJ", "XUN"}


def make_states(count):
    """`count` made-up States (user-assigned codes), half of them States Parties."""
    states = []
    for index in range(count):
        party = index % 2 == 0
        states.append(
            StateFactory(
                iso3=f"Q{chr(77 + index // 26)}{chr(65 + index % 26)}",
                iso2=USER_ASSIGNED_ALPHA2[index],
                region=["african", "asia_pacific", "eastern_european"][index % 3],
                deposit_date=dt.date(2016, 1, 1) if party else None,
                instrument="accession" if party else "",
                signature_date=None if party else dt.date(2014, 1, 1),
            )
        )
    return states


def queries_for(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def list_rows(response):
    return [row.state.iso3 for row in response.context["rows"]]


# ---------------------------------------------------------------------------- access labels


@pytest.mark.parametrize(
    ("view", "policy"),
    [
        (views.treaty_status, "public"),
        (views.treaty_status_csv, "public"),
        (views.dossier, "public"),
        (views.state_preferences, "signed_in"),
    ],
)
def test_it_declares_an_access_policy_on_every_view(view, policy):
    assert view.access_policy == policy


# ---------------------------------------------------------------------------- status page


def summary_table(summary):
    return {region.region: region.counts for region in summary.regions}


def test_it_counts_states_by_status_overall_and_by_region(client, registry):
    day = dt.date(2024, 1, 1)
    others = [row for row in state_status_rows(filters=StatusFilters(day=day)) if row.state.iso3 not in MADE_UP]
    before = status_summary(others)

    response = client.get(STATUS_URL, {"as_of": day.isoformat()})

    assert response.status_code == 200
    after = response.context["summary"]
    # Each made-up State adds one to its status and its region.
    assert after.total == before.total + 4
    assert {status: after.overall[status] - before.overall[status] for status in after.overall} == {
        "party": 1,
        "signatory": 1,
        "not_joined": 1,
        "unknown": 1,
    }
    assert after.column_totals == [after.overall[status] for status in after.statuses]
    table_before, table_after = summary_table(before), summary_table(after)
    added = {
        region: [new - old for new, old in zip(counts, table_before.get(region, [0, 0, 0, 0]), strict=True)]
        for region, counts in table_after.items()
    }
    # columns: party, signatory, not joined, cannot be determined
    assert {region: counts for region, counts in added.items() if any(counts)} == {
        "african": [1, 0, 1, 0],
        "asia_pacific": [0, 1, 0, 0],
        "": [0, 0, 0, 1],
    }
    assert sum(region.total for region in after.regions) == after.total
    html = response.content.decode()
    assert "Regional group not known" in html
    assert "Cannot be determined" in html


def test_it_lists_every_state_with_a_link_to_its_dossier(client, registry):
    response = client.get(STATUS_URL)

    html = response.content.decode()
    for state in registry.values():
        assert f'href="{dossier_url(state.iso3)}"' in html
    assert len(response.context["rows"]) == State.objects.count()
    assert "2015-05-31" in html  # entry into force: deposit 2015-03-02 + 90 days
    assert "The deposit is known only as 2019." in html


def test_it_sorts_the_list_by_name(client, registry):
    response = client.get(STATUS_URL, {"q": "qux"})

    assert list_rows(response) == ["XNJ", "XPA", "XSI", "XUN"]  # Outside, Party, Signatory, Unclear


def test_it_shows_names_in_the_active_language_sorted_without_regard_to_accents(client, registry):
    response = client.get(STATUS_URL, {"q": "qux"}, HTTP_ACCEPT_LANGUAGE="fr")

    html = response.content.decode()
    assert "Qux Partie" in html
    assert "Qux Party" not in html
    # "Éclaircie" sorts with the E's, before "Hors", not after every unaccented name.
    assert list_rows(response) == ["XUN", "XNJ", "XPA", "XSI"]


def test_regions_and_instruments_follow_the_language_of_each_request(client, registry):
    """The labels are read once per language (selectors._choice_labels), not once for all."""

    def party_row(language):
        html = client.get(STATUS_URL, {"q": "qux party"}, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        return html[html.index('<a href="/states/XPA/">') :].split("</tr>", 1)[0]

    english, french, english_again = party_row("en"), party_row("fr"), party_row("en")
    assert "African States" in english
    assert "Ratification" in english
    assert "Groupe des États d&#x27;Afrique" in french  # escaped by the template
    assert "African States" not in french
    assert english_again == english


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "party"}, ["XPA"]),
        ({"status": "unknown"}, ["XUN"]),
        ({"region": "african"}, ["XNJ", "XPA"]),
        ({"region": "african", "status": "not_joined"}, ["XNJ"]),
        ({"q": "qux signa"}, ["XSI"]),
        ({"q": "xpa"}, ["XPA"]),
        ({"q": "nowhere at all"}, []),
    ],
)
def test_it_filters_the_list_but_keeps_the_summary_for_every_state(client, registry, params, expected):
    response = client.get(STATUS_URL, {"as_of": "2024-01-01", **params})

    rows = response.context["rows"]
    assert [row.state.iso3 for row in rows if row.state.iso3 in MADE_UP] == expected
    if "status" in params:
        assert {row.status.value for row in rows} == {params["status"]}
    if "region" in params:
        assert {row.state.region for row in rows} == {params["region"]}
    assert response.context["summary"].total == State.objects.count()


def test_it_finds_a_state_by_its_iso_code_or_without_typing_its_accents(client, registry):
    by_accent = client.get(STATUS_URL, {"q": "ECLAIRC"}, HTTP_ACCEPT_LANGUAGE="fr")
    by_code = client.get(STATUS_URL, {"q": "xun"})

    assert list_rows(by_accent) == ["XUN"]
    assert list_rows(by_code) == ["XUN"]


def test_it_computes_the_status_as_of_a_given_day(client, registry):
    before = client.get(STATUS_URL, {"as_of": "2015-05-30", "q": "qux"})
    on_the_day = client.get(STATUS_URL, {"as_of": "2015-05-31", "q": "qux"})

    def status_of_party(response):
        return next(row.status for row in response.context["rows"] if row.state.iso3 == "XPA")

    assert status_of_party(before) == "signatory"
    assert status_of_party(on_the_day) == "party"
    assert on_the_day.context["day"] == dt.date(2015, 5, 31)
    assert "2015" in on_the_day.content.decode()


@pytest.mark.parametrize("bad", ["31/12/2020", "2020-02-30", "yesterday"])
def test_it_explains_a_bad_date_instead_of_failing(client, registry, bad):
    response = client.get(STATUS_URL, {"as_of": bad})

    assert response.status_code == 200
    assert "Enter a date as YYYY-MM-DD" in response.content.decode()
    assert response.context["form"].errors["as_of"]
    assert response.context["day"] == timezone.localdate()


def test_it_rejects_an_unknown_status_filter_with_a_form_error(client, registry):
    response = client.get(STATUS_URL, {"status": "superpower"})

    assert response.status_code == 200
    assert response.context["form"].errors["status"]
    assert len(response.context["rows"]) == State.objects.count()


def test_it_runs_the_same_queries_for_few_and_many_states(client):
    make_states(3)
    few = queries_for(client, STATUS_URL)
    make_states(40)
    many = queries_for(client, STATUS_URL)

    assert few == many
    assert many <= 3


# ---------------------------------------------------------------------------- CSV export


def read_csv(response):
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(content[1:])))


def test_it_exports_the_list_as_csv_with_a_bom_and_a_dated_file_name(client, registry):
    response = client.get(CSV_URL, {"as_of": "2024-01-01"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="att-treaty-status-2024-01-01.csv"'
    rows = read_csv(response)
    assert list(rows[0]) == views.CSV_COLUMNS
    assert len(rows) == State.objects.count()
    by_code = {row["iso3"]: row for row in rows}
    assert by_code["XPA"] == {
        "iso3": "XPA",
        "iso2": "XP",
        "name_en": "Qux Party",
        "name": "Qux Party",
        "region": "african",
        "un_standing": "member",
        "status": "party",
        "status_reason": "",
        "signature": "2013-06-03",
        "instrument": "ratification",
        "deposit": "2015-03-02",
        "entry_into_force": "2015-05-31",
        "art23_declaration": "no",
        "art23_date": "",
        "treaty_source": "UNTC, C.N.123.2015",
    }
    assert by_code["XUN"]["deposit"] == "2019"
    assert by_code["XUN"]["status"] == "unknown"
    assert by_code["XUN"]["entry_into_force"] == ""


def test_it_exports_only_the_filtered_states_with_names_in_the_active_language(client, registry):
    response = client.get(CSV_URL, {"region": "african", "q": "qux"}, HTTP_ACCEPT_LANGUAGE="fr")

    rows = read_csv(response)
    assert [(row["iso3"], row["name"], row["name_en"]) for row in rows] == [
        ("XNJ", "Qux Hors", "Qux Outside"),
        ("XPA", "Qux Partie", "Qux Party"),
    ]


def test_it_writes_today_into_the_file_name_by_default(client, registry):
    response = client.get(CSV_URL)

    assert f"att-treaty-status-{timezone.localdate().isoformat()}.csv" in response["Content-Disposition"]


def test_it_neutralises_cells_a_spreadsheet_would_run_as_formulas(client):
    StateFactory(iso3="XFO", iso2="XF", treaty_source='=HYPERLINK("http://evil.example")')

    rows = read_csv(client.get(CSV_URL, {"q": "XFO"}))

    assert rows[0]["treaty_source"] == '\'=HYPERLINK("http://evil.example")'


def test_it_refuses_a_bad_date_in_the_export_with_a_400(client, registry):
    response = client.get(CSV_URL, {"as_of": "2020-13-01"})

    assert response.status_code == 400
    assert "YYYY-MM-DD" in response.content.decode()


def test_it_exports_with_the_same_queries_for_few_and_many_states(client):
    make_states(3)
    few = queries_for(client, CSV_URL)
    make_states(40)
    many = queries_for(client, CSV_URL)

    assert few == many
    assert many <= 2


# ---------------------------------------------------------------------------- dossier


@pytest.fixture
def party(registry):
    state = registry["party"]
    ScaleRate.objects.create(state=state, year=2025, rate_percent=Decimal("0.012"), source="GA res. 79/249")
    ScaleRate.objects.create(state=state, year=2024, rate_percent=Decimal("0.01000"), source="GA res. 79/249")
    return state


def test_it_returns_404_for_an_unknown_state(client, registry):
    assert client.get(dossier_url("XZZ")).status_code == 404


def test_it_accepts_a_lower_case_code(client, party):
    response = client.get("/states/xpa/")

    assert response.status_code == 200
    assert response.context["state"] == party


def test_it_shows_the_dossier_of_a_state_party(client, party):
    response = client.get(dossier_url("XPA"))

    assert response.status_code == 200
    html = response.content.decode()
    for text in ["Qux Party", "Qux Partie", "XPA", "XP", "African States", "English", "State Party"]:
        assert text in html
    assert "Ratification" in html
    assert "2015-03-02" in html
    assert "2015-05-31" in html
    assert "UNTC, C.N.123.2015" in html
    assert "Not declared" in html
    # The status history, in date order.
    labels = [event.label for event in response.context["events"]]
    assert labels == ["Signature", "Deposit of instrument of ratification", "Entry into force for the State"]
    # The scale rates, newest year first.
    assert [(rate.year, rate.rate_percent) for rate in response.context["scale_rates"]] == [
        (2025, Decimal("0.012")),
        (2024, Decimal("0.01000")),
    ]
    assert "0.012" in html
    assert "GA res. 79/249" in html
    assert [panel.key for panel in response.context["panels"]] == [
        "reporting-obligations",
        "reporting-history",
        "contacts",
        "control-lists",
    ]


def test_it_says_not_known_instead_of_guessing(client, registry):
    response = client.get(dossier_url("XUN"))

    html = response.content.decode()
    assert "Cannot be determined" in html
    assert "The deposit is known only as 2019." in html
    assert "Cannot be computed." in html
    assert html.count("Not known") >= 3  # instrument, Art. 23 declaration, regional group
    assert "No rate on record." in html


def test_it_does_not_claim_an_entry_into_force_for_a_state_that_has_not_joined(client, registry):
    html = client.get(dossier_url("XNJ")).content.decode()

    assert "Not applicable: no instrument" in html
    assert "No treaty action on record." in html


def test_it_reads_the_dossier_in_a_few_queries(client, party, django_assert_max_num_queries):
    # The State and its history (2), the obligations panel (2), the reporting-history panel (2).
    with django_assert_max_num_queries(8):  # each module's panel: reporting 2, contacts 1, control lists 1
        client.get(dossier_url("XPA"))


# ---------------------------------------------------------------------------- dossier: who sees what


@pytest.fixture
def changed_state():
    """A made-up State, corrected once with a reason, with a scale rate."""
    state = StateFactory(iso3="XHI", iso2="XH", name_fr="État XHI")
    state.name_fr = "République de Qux"
    state._change_reason = "UNTC correction"
    state.save()
    ScaleRate.objects.create(state=state, year=2025, rate_percent=Decimal("0.02400"))
    return state


@pytest.mark.parametrize("persona", ["staff_reporting", "staff_finance"])
def test_it_shows_the_history_of_changes_to_staff(client_as, changed_state, persona):
    client, _user = client_as(persona)

    response = client.get(dossier_url(changed_state.iso3))

    html = response.content.decode()
    assert "History of changes" in html
    assert "République de Qux" in html
    assert "État XHI" in html
    assert "UNTC correction" in html
    assert "0.02400" in html


@pytest.mark.parametrize("persona", ["anonymous", "state_a_rep", "state_b_rep", "donor_rep", "management_committee"])
def test_it_never_shows_the_history_to_anyone_else(client_as, changed_state, persona):
    client, _user = client_as(persona)

    response = client.get(dossier_url(changed_state.iso3))

    assert response.status_code == 200
    assert response.context["history"] is None
    html = response.content.decode()
    assert "History of changes" not in html
    assert "UNTC correction" not in html


def test_it_hides_the_history_from_staff_who_have_not_passed_the_second_factor(client, make_persona, changed_state):
    user = make_persona("staff_admin")
    client.force_login(user)  # no TOTP step

    response = client.get(dossier_url(changed_state.iso3))

    assert "History of changes" not in response.content.decode()
    assert reverse("states:edit", kwargs={"iso3": changed_state.iso3}) not in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "may_edit", "may_set_preferences"),
    [
        ("anonymous", False, False),
        ("state_a_rep", False, True),
        ("state_b_rep", False, False),
        ("staff_admin", True, True),
        ("staff_reporting", True, True),
        ("staff_finance", False, False),
        ("donor_rep", False, False),
    ],
)
def test_it_offers_edit_and_preference_links_only_to_those_allowed(
    client_as, state_a, persona, may_edit, may_set_preferences
):
    client, _user = client_as(persona)

    html = client.get(dossier_url(state_a.iso3)).content.decode()

    assert (reverse("states:edit", kwargs={"iso3": state_a.iso3}) in html) is may_edit
    assert (reverse("states:preferences", kwargs={"iso3": state_a.iso3}) in html) is may_set_preferences

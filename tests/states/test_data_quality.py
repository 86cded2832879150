"""The registry's gaps (states.quality) and the staff data-quality page that lists them."""

import csv
import datetime as dt
import io
from collections import Counter
from decimal import Decimal

import pytest
from django.urls import reverse

from secretariat.states.models import ScaleRate, State, UNStanding
from secretariat.states.quality import GapKind, registry_gaps
from tests.factories import StateFactory

pytestmark = pytest.mark.django_db

YEAR = 2025
URL = "/states/data-quality/"


def gaps_of(state, year=YEAR):
    return [(gap.kind, gap.field) for gap in registry_gaps(State.objects.filter(pk=state.pk), year=year)]


def rated(state, year=YEAR):
    ScaleRate.objects.create(state=state, year=year, rate_percent=Decimal("0.01000"))
    return state


def complete_party(**overrides):
    """A party with every fact on record; overrides open the gap a test is about."""
    values = {
        "signature_date": dt.date(2013, 6, 3),
        "instrument": "ratification",
        "deposit_date": dt.date(2015, 2, 26),
        "art23_declaration": "no",
        "treaty_source": "UNTC-2026-02-03",
    }
    return rated(StateFactory(**{**values, **overrides}))


# ---------------------------------------------------------------------------- registry_gaps


def test_it_finds_nothing_for_a_complete_party():
    assert gaps_of(complete_party()) == []


def test_it_finds_nothing_for_a_complete_state_outside_the_treaty():
    # art23_declaration is "unknown" by default: not a gap for a State with no treaty relation.
    assert gaps_of(rated(StateFactory())) == []


def test_it_reports_an_unknown_deposit_date_of_a_recorded_party_and_the_missing_entry_into_force():
    state = complete_party(deposit_date=None, recorded_status="party")
    gaps = registry_gaps(State.objects.filter(pk=state.pk), year=YEAR)
    assert [(gap.kind, gap.field) for gap in gaps] == [
        (GapKind.DEPOSIT_DATE, "deposit_date"),
        (GapKind.ENTRY_INTO_FORCE, "entry_into_force"),
    ]
    assert all(gap.severity == "high" for gap in gaps)
    assert all(gap.source == "UNTC-2026-02-03" for gap in gaps)
    assert "not known" in str(gaps[0].problem)


def test_it_reports_a_month_only_deposit_with_the_month():
    state = complete_party(deposit_date=None, deposit_date_partial="2016-05")
    gaps = registry_gaps(State.objects.filter(pk=state.pk), year=YEAR)
    assert [(gap.kind, gap.field) for gap in gaps] == [
        (GapKind.DEPOSIT_DATE, "deposit_date"),
        (GapKind.ENTRY_INTO_FORCE, "entry_into_force"),
    ]
    assert "2016-05" in str(gaps[0].problem)
    assert gaps[0].severity == "medium"


def test_a_month_only_deposit_before_entry_into_force_still_lets_entry_into_force_be_computed():
    state = complete_party(deposit_date=None, deposit_date_partial="2014-08")
    assert gaps_of(state) == [(GapKind.DEPOSIT_DATE, "deposit_date")]


def test_it_reports_a_deposit_without_an_instrument_type():
    state = complete_party(instrument="")
    assert gaps_of(state) == [(GapKind.INSTRUMENT, "instrument")]


def test_a_state_that_acceded_has_no_signature_and_that_is_not_a_gap():
    state = complete_party(signature_date=None, instrument="accession")
    assert gaps_of(state) == []


def test_a_party_that_ratified_without_a_known_signature_date_has_a_gap():
    state = complete_party(signature_date=None)
    assert gaps_of(state) == [(GapKind.SIGNATURE_DATE, "signature_date")]


def test_it_reports_a_month_only_signature_of_a_signatory():
    state = rated(StateFactory(signature_date_partial="2014-12", art23_declaration="no"))
    gaps = registry_gaps(State.objects.filter(pk=state.pk), year=YEAR)
    assert [(gap.kind, gap.field) for gap in gaps] == [(GapKind.SIGNATURE_DATE, "signature_date")]
    assert "2014-12" in str(gaps[0].problem)


def test_it_reports_a_recorded_signatory_without_a_signature_date():
    state = rated(StateFactory(recorded_status="signatory", art23_declaration="no"))
    assert gaps_of(state) == [(GapKind.SIGNATURE_DATE, "signature_date")]


def test_it_reports_an_unknown_article_23_declaration_of_a_participant():
    state = complete_party(art23_declaration="unknown")
    assert gaps_of(state) == [(GapKind.ART23_DECLARATION, "art23_declaration")]


def test_it_reports_a_missing_region_for_any_state():
    state = rated(StateFactory(region=""))
    assert gaps_of(state) == [(GapKind.REGION, "region")]


def test_it_reports_a_missing_scale_rate_for_a_member_state_only_for_the_year_asked():
    member = StateFactory(iso3="QVM", iso2="QV")
    ScaleRate.objects.create(state=member, year=YEAR - 1, rate_percent=Decimal("0.01000"))
    observer = StateFactory(iso3="QWO", iso2="QW", un_standing=UNStanding.OBSERVER)
    assert gaps_of(member) == [(GapKind.SCALE_RATE, "scale_rates")]
    assert gaps_of(member, year=YEAR - 1) == []
    assert gaps_of(observer) == []


def test_it_reports_each_missing_name():
    state = rated(StateFactory(name_fr="", name_zh=" "))
    assert gaps_of(state) == [(GapKind.NAME, "name_fr"), (GapKind.NAME, "name_zh")]


def test_it_orders_gaps_by_state_name_then_field():
    zambia = StateFactory(iso3="QZA", iso2="QZ", name_en="Zambia", region="")
    cote = StateFactory(
        iso3="QTC", iso2="QT", name_en="Côte d'Ivoire", deposit_date_partial="2016-05", instrument="", region=""
    )
    angola = StateFactory(iso3="QUA", iso2="QU", name_en="Angola", name_zh="")
    gaps = registry_gaps(State.objects.filter(pk__in=[zambia.pk, cote.pk, angola.pk]), year=YEAR)
    assert [gap.state.name_en for gap in gaps] == ["Angola"] * 2 + ["Côte d'Ivoire"] * 7 + ["Zambia"] * 2
    assert [gap.field for gap in gaps if gap.state == cote] == [
        "region",
        "scale_rates",
        "signature_date",
        "instrument",
        "deposit_date",
        "entry_into_force",
        "art23_declaration",
    ]


def test_it_reads_the_whole_registry_in_a_constant_number_of_queries(django_assert_max_num_queries):
    # The real registry is loaded for every test; add States with gaps of every kind.
    for number in range(14):
        letters = "Q" + chr(ord("M") + number)  # QM-QZ: ISO user-assigned codes
        state = StateFactory(
            iso3=f"{letters}A", iso2=letters, region="" if number % 3 else "african", recorded_status="party"
        )
        if number % 2:
            rated(state)
    with django_assert_max_num_queries(2):
        gaps = registry_gaps(year=YEAR)
    assert {f"Q{chr(ord('M') + number)}A" for number in range(14)} <= {gap.state.iso3 for gap in gaps}


def test_the_real_registry_has_only_the_gaps_the_sources_left():
    # Second-pass import notes: only Ecuador's deposit day is still missing.
    gaps = [gap for gap in registry_gaps() if gap.state.iso3 == "ECU"]
    assert {gap.kind for gap in gaps} >= {GapKind.DEPOSIT_DATE, GapKind.ENTRY_INTO_FORCE}
    assert all("EL-UNIVERSO" in gap.source for gap in gaps)


def test_it_accepts_a_list_of_states():
    state = StateFactory(region="")
    assert [gap.kind for gap in registry_gaps([state], year=YEAR)] == [GapKind.REGION, GapKind.SCALE_RATE]


# ---------------------------------------------------------------------------- the page


@pytest.fixture
def gap_state(db):
    return StateFactory(
        name_en="Gapland",
        iso3="QMG",
        iso2="QM",
        recorded_status="party",
        instrument="ratification",
        treaty_source="MOND",
    )


@pytest.mark.parametrize("persona", ["staff_admin", "staff_finance", "staff_reporting", "staff_programmes"])
def test_any_staff_member_sees_the_gaps_with_counts(client_as, gap_state, persona):
    client, _user = client_as(persona)
    response = client.get(URL)
    assert response.status_code == 200
    counts = dict(response.context["counts"])
    expected = Counter(gap.kind for gap in registry_gaps())
    assert counts[GapKind.DEPOSIT_DATE] == expected[GapKind.DEPOSIT_DATE] >= 1
    assert counts == {kind: expected[kind] for kind in GapKind}
    assert response.context["total"] == sum(expected.values())
    assert b"Gapland" in response.content
    assert b"MOND" in response.content


def test_the_registry_staff_get_links_to_the_edit_page(client_as, gap_state):
    client, _user = client_as("staff_reporting")
    response = client.get(URL)
    assert f'href="{reverse("states:edit", args=["QMG"])}#id_deposit_date"'.encode() in response.content


def test_other_staff_get_links_to_the_dossier_instead(client_as, gap_state):
    client, _user = client_as("staff_finance")
    response = client.get(URL)
    assert f'href="{reverse("states:dossier", args=["QMG"])}"'.encode() in response.content
    assert reverse("states:edit", args=["QMG"]).encode() not in response.content


def test_it_filters_by_kind(client_as, gap_state):
    StateFactory(iso3="QRL", iso2="QR", name_en="Regionless", region="")
    client, _user = client_as("staff_admin")
    response = client.get(URL, {"kind": "region"})
    kinds = [group["kind"] for group in response.context["groups"]]
    assert kinds == [GapKind.REGION]
    assert b"Regionless" in response.content
    assert b"Gapland" not in response.content


def test_an_unknown_kind_shows_every_kind(client_as, gap_state):
    client, _user = client_as("staff_admin")
    response = client.get(URL, {"kind": "nonsense"})
    assert response.status_code == 200
    assert len(response.context["groups"]) > 1


def test_it_downloads_the_same_list_as_csv(client_as, gap_state):
    StateFactory(iso3="QNF", iso2="QN", name_en="Formula", region="", treaty_source="=HYPERLINK(1)")
    client, _user = client_as("staff_finance")
    response = client.get(URL, {"format": "csv", "kind": "region"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {row["kind"] for row in rows} == {"region"}
    formula = [row for row in rows if row["state"] == "Formula"]
    assert [(row["kind"], row["field"]) for row in formula] == [("region", "region")]
    assert formula[0]["source"] == "'=HYPERLINK(1)"


def test_the_csv_lists_every_gap_without_a_filter(client_as, gap_state):
    client, _user = client_as("staff_admin")
    response = client.get(URL, {"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == len(registry_gaps())
    assert {"deposit_date", "entry_into_force"} <= {row["field"] for row in rows if row["iso3"] == "QMG"}


@pytest.mark.parametrize("persona", ["state_a_rep", "management_committee", "donor_rep"])
def test_non_staff_are_refused(client_as, gap_state, persona):
    client, _user = client_as(persona)
    assert client.get(URL).status_code == 403
    assert client.get(URL, {"format": "csv"}).status_code == 403


def test_anonymous_is_sent_to_sign_in(client, gap_state):
    response = client.get(URL, {"format": "csv"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))

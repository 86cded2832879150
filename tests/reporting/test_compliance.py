"""Compliance analytics: the figures on a hand-made data set, the page, its CSVs and the dossier panel."""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from secretariat.core.exports import spreadsheet_safe
from secretariat.reporting.compliance import (
    ALL_REGIONS,
    CHART_TABLES,
    ComplianceFilters,
    Figures,
    Outcome,
    chart_table,
    compliance_dossier_panel,
    compliance_statistics,
    last_due_year,
    outcome_of,
    reporting_history,
)
from secretariat.reporting.models import ReportingRule
from secretariat.reporting.obligations import ObligationKind, annual_obligation
from secretariat.reporting.selectors import all_rules
from secretariat.reporting.services import report_record_received
from secretariat.states import selectors
from secretariat.states.models import State
from tests import factories
from tests.conftest import sign_in
from tests.reporting.factories_compliance import AS_OF, NIL_PUBLIC, PARTLY, compliance_world, record

pytestmark = pytest.mark.django_db

ANNUAL, INITIAL = ObligationKind.ANNUAL, ObligationKind.INITIAL


@pytest.fixture
def world():
    return compliance_world()


@pytest.fixture
def stats(world):
    return compliance_statistics(as_of=AS_OF, states=world.states)


def timeliness(figures: Figures) -> tuple[int, int, int, int, int]:
    return (figures.on_time, figures.in_grace, figures.late, figures.not_submitted, figures.not_yet_due)


# ---------------------------------------------------------------------------- the figures


def test_it_counts_each_annual_obligation_by_year_for_all_regions(stats):
    by_year = dict(stats.by_year(ANNUAL, years=range(2014, 2022)))

    #                                on time, in grace, late, not submitted, not yet due
    assert timeliness(by_year[2014]) == (0, 0, 0, 0, 0)  # XQA's report on 2014 was not owed
    assert timeliness(by_year[2015]) == (1, 1, 0, 0, 0)
    assert timeliness(by_year[2016]) == (0, 1, 1, 0, 0)
    assert timeliness(by_year[2017]) == (1, 0, 1, 1, 0)  # XQC's draft is not a submission
    assert timeliness(by_year[2018]) == (0, 0, 0, 3, 0)
    assert timeliness(by_year[2019]) == (1, 0, 0, 2, 0)  # XQB's report came after the as-of day
    assert timeliness(by_year[2020]) == (1, 0, 0, 0, 2)  # XQA's early report counts as expected
    assert timeliness(by_year[2021]) == (0, 0, 0, 0, 3)
    assert [by_year[year].expected for year in range(2015, 2022)] == [2, 2, 3, 3, 3, 1, 0]
    assert [by_year[year].submitted for year in range(2015, 2022)] == [2, 2, 2, 0, 1, 1, 0]


def test_it_counts_by_region(stats):
    african = dict(stats.by_year(ANNUAL, years=[2017, 2018, 2019], region="african"))
    western = dict(stats.by_year(ANNUAL, years=[2017, 2018, 2019], region="western_european_others"))

    assert timeliness(african[2017]) == (1, 0, 1, 0, 0)
    assert timeliness(western[2017]) == (0, 0, 0, 1, 0)
    assert timeliness(african[2019]) == (1, 0, 0, 1, 0)
    assert african[2017].rate == 100
    assert western[2017].rate == 0

    regions = {row.key: row.figures for row in stats.by_region(ANNUAL, years=range(2015, 2020))}
    assert set(regions) == {"african", "western_european_others", ALL_REGIONS}  # no empty region rows
    assert (regions["african"].expected, regions["african"].submitted) == (8, 5)
    assert (regions["western_european_others"].expected, regions["western_european_others"].submitted) == (5, 2)
    assert regions[ALL_REGIONS].expected == 13
    assert str(regions[ALL_REGIONS].rate) == "53.8"  # 7 of 13


def test_it_reads_nil_public_and_withheld_from_the_latest_version(stats):
    by_year = dict(stats.by_year(ANNUAL, years=range(2015, 2021)))

    assert (by_year[2015].nil, by_year[2015].public, by_year[2015].forms_not_recorded) == (1, 1, 1)
    assert (by_year[2016].restricted, by_year[2016].public) == (1, 1)
    y2017 = by_year[2017]
    assert (y2017.partly_public, y2017.one_nil_form, y2017.nil, y2017.withheld_commercial) == (2, 1, 0, 1)
    # 2019: the first version (restricted) set the date; the amendment (public, security withheld) the rest.
    y2019 = by_year[2019]
    assert (y2019.on_time, y2019.public, y2019.restricted) == (1, 1, 0)
    assert (y2019.withheld_security, y2019.withheld_commercial, y2019.withheld_any) == (1, 0, 1)
    y2020 = by_year[2020]
    assert (y2020.restricted, y2020.withheld_commercial, y2020.withheld_security, y2020.withheld_any) == (1, 1, 1, 1)
    total = stats.figures(ANNUAL, years=range(2015, 2021))
    # Each submitted report is in exactly one visibility column.
    assert total.public + total.partly_public + total.restricted + total.forms_not_recorded == total.submitted == 8


def test_it_counts_initial_reports_by_the_year_they_fell_due(stats):
    by_year = dict(stats.by_year(INITIAL, years=range(2015, 2018)))

    assert timeliness(by_year[2015]) == (1, 0, 0, 1, 0)  # XQA on time, XQC never sent it
    assert timeliness(by_year[2016]) == (0, 0, 0, 0, 0)
    assert timeliness(by_year[2017]) == (0, 1, 0, 0, 0)  # XQB on the last day of its grace period
    african = stats.figures(INITIAL, years=range(2015, 2018), region="african")
    assert (african.expected, african.submitted, african.rate) == (2, 2, 100)


def test_it_counts_only_states_parties_and_lists_those_it_cannot_compute(world, stats):
    assert stats.states_counted == 3  # not the signatory, not the State whose EIF is unknown
    assert [state.iso3 for state, _reason in stats.not_computable] == ["XQE"]
    assert "2015" in stats.not_computable[0][1]


def test_it_takes_the_day_of_the_figures_into_account(world):
    before = compliance_statistics(as_of=dt.date(2016, 6, 1), states=world.states)
    after = compliance_statistics(as_of=dt.date(2016, 6, 4), states=world.states)

    # XQC's report on 2015 arrived on 3 June 2016, in the grace period.
    assert timeliness(before.figures(ANNUAL, years=[2015])) == (1, 0, 0, 1, 0)
    assert timeliness(after.figures(ANNUAL, years=[2015])) == (1, 1, 0, 0, 0)


def test_the_outcome_of_an_obligation():
    rule = ReportingRule(name="Rule", effective_from=dt.date(2014, 12, 24))
    obligation = annual_obligation(None, 2019, rule)  # due 31 May 2020, grace to 7 June

    assert outcome_of(obligation, None, dt.date(2020, 5, 31)) == Outcome.NOT_YET_DUE
    assert outcome_of(obligation, None, dt.date(2020, 6, 1)) == Outcome.NOT_SUBMITTED
    assert outcome_of(obligation, dt.date(2020, 5, 31), dt.date(2025, 1, 1)) == Outcome.ON_TIME
    assert outcome_of(obligation, dt.date(2020, 6, 7), dt.date(2025, 1, 1)) == Outcome.IN_GRACE
    assert outcome_of(obligation, dt.date(2020, 6, 8), dt.date(2025, 1, 1)) == Outcome.LATE
    assert outcome_of(obligation, dt.date(2020, 6, 8), dt.date(2020, 6, 7)) == Outcome.NOT_SUBMITTED


def test_the_last_year_due_follows_the_rule():
    rules = all_rules()
    assert last_due_year(rules, dt.date(2026, 5, 31)) == 2024
    assert last_due_year(rules, dt.date(2026, 6, 1)) == 2025


def test_the_figures_cost_three_queries_whatever_the_number_of_states(django_assert_num_queries):
    with django_assert_num_queries(3):
        stats = compliance_statistics(as_of=dt.date(2026, 11, 28))
    assert stats.states_counted > 100  # the real registry


# ---------------------------------------------------------------------------- chart tables and CSVs


def test_the_chart_tables_hold_the_figures(stats):
    filters = ComplianceFilters(year_from=2015, year_to=2019, region="african")

    timeliness_table = chart_table(stats, filters, "annual-timeliness")
    assert [c.key for c in timeliness_table.columns] == [
        "year",
        "on_time",
        "in_grace",
        "late",
        "not_submitted",
        "expected",
    ]
    assert timeliness_table.rows[2] == [2017, 1, 0, 1, 0, 2]
    assert [column.key for column in timeliness_table.series] == ["on_time", "in_grace", "late", "not_submitted"]

    regions = chart_table(stats, filters, "region-rates")  # every region, for the last year
    assert "2019" in regions.title
    assert [row[1:] for row in regions.rows] == [
        [1, 2, Decimal("50.0")],
        [0, 1, Decimal("0.0")],
        [1, 3, Decimal("33.3")],
    ]
    assert regions.rows[-1][0] == "All regions"

    visibility = chart_table(stats, filters, "visibility")
    assert visibility.rows[0] == [2015, 1, 0, 0, 0, 1]  # XQA's nil report, public

    initial = chart_table(stats, filters, "initial-timeliness")
    assert initial.rows[0] == [2015, 1, 0, 0, 0, 1]
    assert initial.rows[2] == [2017, 0, 1, 0, 0, 1]


def test_a_chosen_year_for_the_region_comparison(stats):
    filters = ComplianceFilters(year_from=2015, year_to=2019, chart_year=2016)
    regions = chart_table(stats, filters, "region-rates")
    assert [row[1:] for row in regions.rows] == [[1, 1, 100], [1, 1, 100], [2, 2, 100]]


def read_csv(response) -> list[list[str]]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.mark.parametrize("chart", sorted(CHART_TABLES))
def test_each_csv_equals_its_chart_table(client, world, chart):
    query = {"year_from": "2016", "year_to": "2020", "region": "african", "chart_year": "2017"}
    response = client.get(reverse("reporting:compliance_csv", kwargs={"chart": chart}), query)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f"att-compliance-{chart}-" in response["Content-Disposition"]
    stats = compliance_statistics(as_of=timezone.localdate())
    table = chart_table(stats, ComplianceFilters(2016, 2020, "african", 2017), chart)
    rows = read_csv(response)
    assert rows[0] == [column.key for column in table.columns]
    assert rows[1:] == [[spreadsheet_safe(value) for value in row] for row in table.rows]
    assert len(rows) == 1 + (5 if chart != "region-rates" else len(table.rows))


def test_an_unknown_chart_is_not_found(client, make_persona):
    assert client.get("/reports/compliance/pie.csv").status_code == 404
    sign_in(client, make_persona("staff_reporting"))
    assert client.get("/reports/compliance/pie.csv").status_code == 404


def test_a_csv_with_bad_filters_is_refused(client):
    response = client.get(reverse("reporting:compliance_csv", kwargs={"chart": "visibility"}), {"year_from": "1990"})
    assert response.status_code == 400
    assert "year_from" in response.content.decode()

    response = client.get(
        reverse("reporting:compliance_csv", kwargs={"chart": "visibility"}), {"year_from": "2020", "year_to": "2018"}
    )
    assert response.status_code == 400


def test_recording_a_report_moves_one_state_from_not_submitted_to_on_time(client):
    ghana = State.objects.get(iso3="GHA")
    assert ghana.entry_into_force == dt.date(2016, 3, 21)
    url = reverse("reporting:compliance_csv", kwargs={"chart": "annual-timeliness"})
    query = {"year_from": "2019", "year_to": "2019", "region": "african"}
    before = read_csv(client.get(url, query))[1]

    officer = factories.UserFactory(email="officer@example.org")
    report_record_received(state=ghana, kind="annual", year=2019, received_on=dt.date(2020, 5, 29), recorded_by=officer)
    after = read_csv(client.get(url, query))[1]

    header = read_csv(client.get(url, query))[0]
    change = {key: int(a) - int(b) for key, a, b in zip(header[1:], after[1:], before[1:], strict=True)}
    assert change == {"on_time": 1, "in_grace": 0, "late": 0, "not_submitted": -1, "expected": 0}


# ---------------------------------------------------------------------------- the page


def page(client, **query) -> str:
    response = client.get(reverse("reporting:compliance"), query)
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_shows_the_tables_the_charts_and_the_method(client):
    compliance_world()
    html = page(client, year_from="2016", year_to="2020")

    assert "Statuses count only the reports recorded in this platform." in html
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg"') == 4
    for key in CHART_TABLES:
        assert f'href="/reports/compliance/{key}.csv?year_from=2016&amp;year_to=2020"' in html
        assert f'aria-labelledby="chart-{key}-title"' in html
    # One bar per year in both yearly charts and in the initial reports chart, one per region + all.
    assert html.count('<g class="bar">') == 5 * 3 + len(
        chart_table(
            compliance_statistics(as_of=timezone.localdate()), ComplianceFilters(2016, 2020), "region-rates"
        ).rows
    )
    assert "Annual reports by year covered: on time, in the grace period, late, not submitted" in html
    assert "style=" not in html
    assert "<script" not in html
    # The State whose entry into force is not known is named, with the reason.
    assert "State XQE" in html
    assert "Ecuador" in html  # from the real registry: deposit date not known


def test_the_page_tables_agree_with_the_figures(client):
    stats = compliance_statistics(as_of=timezone.localdate())
    html = page(client, year_from="2017", year_to="2018", region="latin_american_caribbean")

    figures = stats.figures(ANNUAL, years=[2017, 2018], region="latin_american_caribbean")
    assert figures.expected > 0
    total_row = (
        f'<th scope="row">Total</th><td class="number">{figures.expected}</td>'
        f'<td class="number">{figures.submitted}</td>'
    )
    assert total_row in html
    assert "Latin American and Caribbean States" in html


def test_bad_filters_fall_back_to_the_defaults_and_say_so(client):
    html = page(client, year_from="abc", region="atlantis")

    assert "Some filters could not be used" in html
    assert 'class="errorlist"' in html
    last = compliance_statistics(as_of=timezone.localdate()).last_due_year
    assert f"Overview, 2015–{last}, All regions" in html


def test_a_single_bound_keeps_the_range_valid(client):
    this_year = timezone.localdate().year
    assert f"Overview, {this_year}–{this_year}, All regions" in page(client, year_from=str(this_year))
    assert "Overview, 2014–2014, All regions" in page(client, year_to="2014")


def test_the_region_filter_narrows_the_yearly_tables(client):
    html = page(client, year_from="2018", year_to="2018", region="eastern_european")
    assert "Overview, 2018–2018, Eastern European States" in html
    assert "timeliness (Eastern European States)" in html


def test_the_page_is_translated(client):
    response = client.get(reverse("reporting:compliance"), HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    assert '<html lang="fr"' in response.content.decode()


def test_the_page_makes_a_fixed_number_of_queries_and_is_quick(client, django_assert_max_num_queries):
    # Reports for twenty real States on every year: the query count must not follow them.
    officer = factories.UserFactory(email="bulk.officer@example.org")
    parties = [s for s in State.objects.all() if s.entry_into_force and s.entry_into_force.year <= 2016][:20]
    for state in parties:
        for year in (2017, 2018, 2019):
            record(state, "annual", year, dt.date(year + 1, 5, 1 + year % 20), officer, PARTLY)
    client.get(reverse("reporting:compliance"))  # warm the template cache

    with django_assert_max_num_queries(3):
        started = time.perf_counter()
        response = client.get(reverse("reporting:compliance"), {"year_from": "2015", "year_to": "2025"})
        elapsed = time.perf_counter() - started
    assert response.status_code == 200
    assert elapsed < 1.5, f"the compliance page took {elapsed:.2f} s"
    with django_assert_max_num_queries(3):
        client.get(reverse("reporting:compliance_csv", kwargs={"chart": "region-rates"}))


# ---------------------------------------------------------------------------- the dossier panel


def test_the_reporting_app_registers_the_history_panel():
    assert compliance_dossier_panel in selectors._dossier_panel_providers


def dossier(client, iso3: str) -> str:
    response = client.get(reverse("states:dossier", kwargs={"iso3": iso3}))
    assert response.status_code == 200
    return response.content.decode()


def test_the_reporting_history_of_a_state(world):
    history = reporting_history(state=world.african_early, as_of=AS_OF)

    assert [row.year for row in history.annual] == [2021, 2020, 2019, 2018, 2017, 2016, 2015]
    assert [row.outcome for row in history.annual] == [
        Outcome.NOT_YET_DUE,
        Outcome.ON_TIME,
        Outcome.ON_TIME,
        Outcome.NOT_SUBMITTED,
        Outcome.LATE,
        Outcome.IN_GRACE,
        Outcome.ON_TIME,
    ]
    y2019 = history.annual[2].received
    assert (y2019.versions, y2019.amendments, y2019.first_received_on) == (2, 1, dt.date(2020, 5, 1))
    assert history.annual[-1].received.is_nil
    assert history.initial.outcome == Outcome.ON_TIME
    assert history.grace_days == 7
    assert reporting_history(state=world.signatory, as_of=AS_OF) is None
    assert reporting_history(state=world.unknown_eif, as_of=AS_OF) is None


def test_the_dossier_panel_shows_the_history(client):
    ghana = State.objects.get(iso3="GHA")
    officer = factories.UserFactory(email="officer@example.org")
    record(ghana, "initial", None, dt.date(2017, 3, 1), officer)
    record(ghana, "annual", 2018, dt.date(2019, 6, 3), officer, NIL_PUBLIC)
    record(ghana, "annual", 2018, dt.date(2019, 9, 3), officer, NIL_PUBLIC, amendment_reason="Corrected")
    record(ghana, "annual", 2019, dt.date(2021, 1, 10), officer, {"exports": {"visibility": "restricted"}})

    html = dossier(client, "GHA")

    assert "Reporting history" in html
    years = list(range(2017, timezone.localdate().year + 1))
    assert html.count('<g class="cell cell-') == len(years)
    assert "Annual report on 2018: In the grace period" in html
    assert "Annual report on 2019: Late" in html
    assert "Annual report on 2017: Not submitted" in html
    assert '<time datetime="2019-06-03">' in html
    assert "Nil report; Public" in html
    assert "amended once" in html
    assert "Restricted" in html
    assert 'badge-compliance-on_time">On time' in html  # the initial report (due 20 Mar 2017)


def test_the_panel_costs_two_queries(client, django_assert_max_num_queries):
    # The dossier with the obligations panel costs 4 queries (tests/reporting/test_panel.py), the
    # contacts and control lists panels one each.
    with django_assert_max_num_queries(8):
        assert "Reporting history" in dossier(client, "AFG")


@pytest.mark.parametrize("iso3", ["AGO", "ECU"])
def test_no_history_panel_for_a_signatory_or_an_unknown_entry_into_force(client, iso3):
    assert "Reporting history" not in dossier(client, iso3)

"""The public transfer database: filters, sorting, keyset pagination, exact counts, the page and the
mirror view. Rows come from the demo generator or from reports published through the services;
the expected answers are computed here in Python from the table itself (the oracle)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from secretariat.reporting import transfers
from secretariat.reporting.demo import generate_transfers
from secretariat.reporting.models import Category, PublishedTransfer, TransferCount
from secretariat.reporting.transfers import (
    SORT_CHOICES,
    SORTS,
    BadCursor,
    TransferFilters,
    cursor_dumps,
    cursor_loads,
    transfer_count,
    transfer_page,
)
from tests.reporting import factories_transfers as f

pytestmark = pytest.mark.django_db

URL = "/reports/transfers/"


def expected(rows: list[dict[str, Any]], filters: TransferFilters, sort: str) -> list[int]:
    """The ids of the rows matching `filters`, in `sort` order (empty items/value count as -1)."""

    def matches(row: dict[str, Any]) -> bool:
        checks = [
            filters.year_from is None or row["year"] >= filters.year_from,
            filters.year_to is None or row["year"] <= filters.year_to,
            not filters.direction or row["direction"] == filters.direction,
            not filters.categories or row["category_id"] in filters.categories,
            filters.reporter is None or row["reporter_id"] == filters.reporter,
            filters.partner is None or row["partner_id"] == filters.partner,
            not filters.basis or row["basis"] == filters.basis,
        ]
        return all(checks)

    spec = SORTS[sort.lstrip("-")]
    chosen = [row for row in rows if matches(row)]
    chosen.sort(key=lambda row: (*spec.key_of(row), row["id"]), reverse=sort.startswith("-"))
    return [row["id"] for row in chosen]


def walk_forward(filters: TransferFilters, sort: str, size: int) -> tuple[list[int], list[Any]]:
    ids, pages = [], []
    page = transfer_page(filters=filters, sort=sort, size=size)
    while True:
        assert page.position == len(ids)
        ids += [row["id"] for row in page.rows]
        pages.append(page)
        if page.next is None:
            return ids, pages
        # Every cursor goes through its signed form, as it does in a page link.
        cursor = cursor_loads(cursor_dumps(page.next, filters, sort), filters, sort)
        page = transfer_page(filters=filters, sort=sort, cursor=cursor, size=size)


@pytest.fixture
def generated():
    generate_transfers(260, seed=7)
    return f.all_rows()


# ---------------------------------------------------------------------------- selectors


@pytest.mark.parametrize("sort", SORT_CHOICES)
def test_every_sort_pages_through_every_row_once_in_order(generated, sort):
    ids, pages = walk_forward(TransferFilters(), sort, size=23)

    assert ids == expected(generated, TransferFilters(), sort)
    assert len(ids) == len(set(ids)) == 260
    assert pages[0].is_first
    assert all(not page.is_first for page in pages[1:])


@pytest.mark.parametrize("sort", ["value", "-items", "reporter", "-partner", "category", "-year"])
@pytest.mark.parametrize("column", ["reporter", "partner"])
def test_one_states_rows_page_in_order_under_every_sort(generated, sort, column):
    """A reporter or partner filter under another sort (on PostgreSQL read through the State's
    index and sorted, see transfers._sorted_after_filtering) pages through the same rows."""
    counts: dict[int, int] = {}
    for row in generated:
        counts[row[f"{column}_id"]] = counts.get(row[f"{column}_id"], 0) + 1
    state = max(counts, key=counts.get)
    filters = TransferFilters(**{column: state})
    ids, _pages = walk_forward(filters, sort, size=3)

    assert ids == expected(generated, filters, sort)
    assert len(ids) == counts[state] > 3


def test_postgresql_sorts_one_states_rows_instead_of_walking_the_sort_index(generated):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's planner reads the State's index on its own")
    state = generated[0]["reporter_id"]
    for sort, sorted_key in (("-value", 'COALESCE("value", -1) + 0'), ("items", 'COALESCE("items", -1) + 0')):
        with CaptureQueriesContext(connection) as captured:
            transfer_page(filters=TransferFilters(reporter=state), sort=sort)
        assert sorted_key in captured.captured_queries[0]["sql"], sort
    with CaptureQueriesContext(connection) as captured:  # (reporter, year, id) serves both
        transfer_page(filters=TransferFilters(reporter=state), sort="-year")
    assert " + 0" not in captured.captured_queries[0]["sql"]


@pytest.mark.parametrize("sort", ["-year", "reporter", "-category", "value"])
def test_a_later_page_costs_one_query_per_key_column_it_crosses_at_most(generated, sort):
    """PostgreSQL seeks the whole key at once: one query. SQLite reads the parts of the key one
    after the other until the page (and the row after it) is found: one query when those rows
    share the boundary row's key, never more than the key's columns with the id (the last page
    asks every part, there being nothing after it)."""
    filters = TransferFilters()
    transfer_count(filters)  # the count is cached, as for every page after the filter's first
    spec, size = SORTS[sort.lstrip("-")], 7
    keys = {row["id"]: spec.key_of(row) for row in generated}
    order = expected(generated, filters, sort)
    page, costs = transfer_page(filters=filters, sort=sort, size=size), {}
    while page.next is not None:
        boundary = page.next
        with CaptureQueriesContext(connection) as captured:
            page = transfer_page(filters=filters, sort=sort, cursor=boundary, size=size)
        read = order[boundary.position : boundary.position + size + 1]
        within = len(read) == size + 1 and all(keys[pk] == list(boundary.key[:-1]) for pk in read)
        costs.setdefault(within, set()).add(len(captured.captured_queries))
    if connection.vendor == "postgresql":
        assert set().union(*costs.values()) == {1}
    else:
        assert costs.get(True, {1}) == {1}
        assert max(costs[False]) <= len(spec.columns) + 1
        assert max(costs[False]) > 1  # crossing a key value did take another query


@pytest.mark.parametrize("sort", ["-year", "value", "-items", "reporter", "-category"])
def test_previous_cursors_lead_back_through_the_same_pages(generated, sort):
    filters = TransferFilters(direction="exports")
    _ids, pages = walk_forward(filters, sort, size=9)

    page = pages[-1]
    for earlier in reversed(pages[:-1]):
        cursor = cursor_loads(cursor_dumps(page.previous, filters, sort), filters, sort)
        page = transfer_page(filters=filters, sort=sort, cursor=cursor, size=9)
        assert [row["id"] for row in page.rows] == [row["id"] for row in earlier.rows]
        assert page.position == earlier.position
    assert page.previous is None


def test_the_last_page_is_read_backwards_from_the_end(generated):
    filters = TransferFilters(basis="actual")
    ids = expected(generated, filters, "-year")
    count = transfer_count(filters)

    last = transfers.Cursor(key=(), position=0, last=True)
    page = transfer_page(filters=filters, sort="-year", cursor=last)

    assert count == len(ids)
    assert [row["id"] for row in page.rows] == ids[-len(page.rows) :]
    assert page.last_number == count
    assert page.next is None
    assert page.previous is not None


def test_filters_select_exactly_the_matching_rows(generated):
    reference = transfers.transfer_reference()
    some = generated[0]
    cases = [
        TransferFilters(year_from=some["year"], year_to=some["year"]),
        TransferFilters(year_from=2016, year_to=2019, direction="imports"),
        TransferFilters(reporter=some["reporter_id"]),
        TransferFilters(partner=some["partner_id"], basis="authorised"),
        TransferFilters(categories=reference.category_with_descendants(Category.objects.get(code="VIII").pk)),
        TransferFilters(categories=(Category.objects.get(code="I").pk,), direction="exports"),
    ]
    for filters in cases:
        for sort in ("-year", "value", "partner"):
            ids, _pages = walk_forward(filters, sort, size=11)
            assert ids == expected(generated, filters, sort), (filters, sort)
            assert transfer_count(filters) == len(ids)


def test_regions_filter_on_the_region_recorded_with_the_row(generated):
    region = generated[0]["id"] and PublishedTransfer.objects.values_list("partner_region", flat=True)[0]
    filters = TransferFilters(partner_region=region)

    ids, _pages = walk_forward(filters, "-year", size=17)

    assert ids
    assert set(ids) == set(PublishedTransfer.objects.filter(partner_region=region).values_list("id", flat=True))


def test_a_parent_category_includes_its_sub_categories():
    reference = transfers.transfer_reference()
    salw = reference.category_with_descendants(Category.objects.get(code="VIII").pk)
    small_arms = reference.category_with_descendants(Category.objects.get(code="VIII.SA").pk)

    codes = {reference.category_by_pk[pk]["code"] for pk in small_arms}
    assert codes == {"VIII.SA", *(f"VIII.SA.{n}" for n in range(1, 7))}
    assert len(salw) == 16
    assert set(small_arms) < set(salw)


def test_a_tampered_or_foreign_cursor_is_refused(generated):
    filters = TransferFilters(direction="exports")
    page = transfer_page(filters=filters, size=10)
    token = cursor_dumps(page.next, filters, "-year")

    with pytest.raises(BadCursor):
        cursor_loads(token[:-2] + ("AA" if not token.endswith("AA") else "BB"), filters, "-year")
    with pytest.raises(BadCursor):
        cursor_loads(token, TransferFilters(direction="imports"), "-year")
    with pytest.raises(BadCursor):
        cursor_loads(token, filters, "value")
    with pytest.raises(BadCursor):
        cursor_loads("not-a-cursor", filters, "-year")


# ---------------------------------------------------------------------------- counts


def test_counts_are_exact_after_publishing_and_amending():
    officer = f.officer()
    ghana = f.publish("GHA", 2020, officer, exports=f.form(f.row("I", "MEX"), f.row("II", "FRA")))
    everything = TransferFilters()
    ghana_filter = TransferFilters(reporter=f.state("GHA").pk)
    assert transfer_count(everything) == 2
    assert transfer_count(ghana_filter) == 2

    f.publish("MEX", 2020, officer, exports=f.form(f.row("I", "GHA"), f.row("I", "USA"), f.row("III", "CAN")))
    assert transfer_count(everything) == 5
    assert transfer_count(ghana_filter) == 2

    # An amendment replacing Ghana's two rows by three.
    amended = f.amend(ghana, officer, exports=f.form(f.row("I", "MEX"), f.row("I", "FRA"), f.row("IV", "DEU")))
    assert transfer_count(everything) == 6
    assert transfer_count(ghana_filter) == 3

    f.publish("FRA", 2020, officer, exports=f.form(f.row("I", "GHA")))  # now holds the highest row id
    assert transfer_count(everything) == 7
    assert transfer_count(ghana_filter) == 3  # cached now, for the current data

    # An amendment that makes Ghana's exports form restricted: its rows leave the public table and
    # no row is added, so only the generation (bumped by published_transfers_refresh) tells.
    f.amend(amended, officer, exports=f.form(f.row("I", "MEX"), visibility="restricted"))
    assert PublishedTransfer.objects.filter(reporter__iso3="GHA").count() == 0
    assert transfer_count(ghana_filter) == 0
    assert transfer_count(everything) == 4


def test_a_cached_count_costs_one_query_and_the_cache_stays_small(generated):
    filters = TransferFilters(direction="imports")
    first = transfer_count(filters)
    with CaptureQueriesContext(connection) as captured:
        second = transfer_count(filters)

    assert first == second == sum(1 for row in generated if row["direction"] == "imports")
    assert len(captured.captured_queries) == 1
    transfers.transfer_data_changed()
    transfer_count(TransferFilters(direction="exports"))
    assert TransferCount.objects.count() == 1  # the stale entries of the older generation are gone


# ---------------------------------------------------------------------------- the page


def _page_queries(client: Any, rows: int) -> int:
    generate_transfers(rows, seed=rows)
    url = f"{URL}?direction=exports&sort=-value"
    client.get(url)  # computes and stores the count, reads the States
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_number_of_queries_does_not_grow_with_the_data(client, django_assert_num_queries):
    # One query: the rows, with their links, the cached count and the stamp of the names (the
    # States and categories were read by the first request and have not changed since).
    assert _page_queries(client, 10) == _page_queries(client, 200) == 1
    with django_assert_num_queries(1):
        client.get(f"{URL}?direction=exports&sort=-value")


def test_the_page_lists_rows_with_names_links_and_the_count(client):
    officer = f.officer()
    version = f.publish(
        "GHA", 2020, officer, exports=f.form(f.row("I", "MEX", items=7, description="Main battle tanks"))
    )
    response = client.get(URL, {"reporter": "gha"}, HTTP_ACCEPT_LANGUAGE="fr")
    html = response.content.decode()

    assert response.status_code == 200
    assert "Mexique" in html  # the partner named in the page's language
    assert "Main battle tanks" in html
    assert f'href="{reverse("reporting:version_detail", args=[version.pk])}"' in html
    assert re.search(r"1–1 \w+ 1", html)
    assert "badge-synthetic" not in html


def test_names_held_by_the_process_are_read_again_when_a_state_changes(client):
    officer = f.officer()
    f.publish("GHA", 2020, officer, exports=f.form(f.row("I", "MEX")))
    assert "Mexico" in client.get(URL).content.decode()
    with CaptureQueriesContext(connection) as held:
        client.get(URL)

    mexico = f.state("MEX")
    mexico.name_en = "United Mexican States"
    mexico.save()  # recorded in the registry's history, which the page's stamp reads
    with CaptureQueriesContext(connection) as refreshed:
        html = client.get(URL).content.decode()

    assert "United Mexican States" in html
    assert len(refreshed.captured_queries) > len(held.captured_queries)  # the names were read again
    with CaptureQueriesContext(connection) as held_again:
        client.get(URL)
    assert len(held_again.captured_queries) == len(held.captured_queries)  # and are held again


def test_rows_without_their_version_still_link_to_it(client):
    officer = f.officer()
    version = f.publish("GHA", 2020, officer, exports=f.form(f.row("I", "MEX")))
    PublishedTransfer.objects.update(version=None)  # as rows written before the field existed

    html = client.get(URL).content.decode()

    assert f'href="{reverse("reporting:version_detail", args=[version.pk])}"' in html


def test_synthetic_rows_are_labelled(client):
    generate_transfers(3, seed=1)

    html = client.get(URL).content.decode()

    assert html.count('class="badge badge-synthetic"') == 3
    assert "synthetic demo data" in html


def test_the_page_follows_its_own_links_and_says_where_it_is(client, generated):
    response = client.get(URL, {"direction": "exports"})
    total = sum(1 for row in generated if row["direction"] == "exports")
    assert f"Rows 1–50 of {total}" in response.content.decode()

    next_link = re.search(r'href="(\?[^"]*after=[^"]*)" rel="next"', response.content.decode()).group(1)
    second = client.get(URL + next_link.replace("&amp;", "&"))

    assert total > 50
    assert f"Rows 51–{min(100, total)} of {total}" in second.content.decode()
    previous_link = re.search(r'href="(\?[^"]*before=[^"]*)" rel="prev"', second.content.decode()).group(1)
    back = client.get(URL + previous_link.replace("&amp;", "&"))
    assert f"Rows 1–50 of {total}" in back.content.decode()


def test_a_bad_cursor_shows_the_first_page_with_a_notice(client, generated):
    response = client.get(URL, {"direction": "exports", "after": "forged"})

    assert response.status_code == 200
    assert "That page link was not valid" in response.content.decode()
    assert "Rows 1–50 of" in response.content.decode()


def test_invalid_filters_are_named_and_ignored(client, generated):
    response = client.get(URL, {"reporter": "XXX", "year_from": "2019", "year_to": "2016"})
    html = response.content.decode()

    assert response.status_code == 200
    assert "Unknown State code: XXX." in html
    assert "The range ends before it starts." in html
    # The unknown reporter and the end of the range are left out; the start of the range is used.
    assert f"of {sum(1 for row in generated if row['year'] >= 2019)} " in html


# ---------------------------------------------------------------------------- restricted forms never appear


RESTRICTED_MARK = "RESTRICTED-ROW-MARK"


def test_rows_of_a_restricted_form_appear_nowhere(client):
    officer = f.officer()
    f.publish(
        "GHA",
        2020,
        officer,
        exports=f.form(f.row("I", "MEX", items=3, description="Public export row")),
        imports=f.form(
            f.row("II", "MEX", items=9, description=RESTRICTED_MARK, comments=RESTRICTED_MARK),
            visibility="restricted",
        ),
    )
    assert list(PublishedTransfer.objects.values_list("direction", flat=True)) == ["exports"]

    # (response, whether it should show the public row)
    answers = [
        (client.get(URL), True),
        (client.get(URL, {"reporter": "GHA", "direction": "imports"}), False),
        (client.get(URL, {"partner": "MEX", "year": "2020"}), True),
        (client.get("/reports/transfers/export.csv"), True),
        (client.get("/reports/transfers/export.json"), True),
        (client.get("/reports/transfers/export.xlsx"), True),
        (client.get("/api/v1/transfers/"), True),
        (client.get("/api/v1/transfers/", {"direction": "imports"}), False),
        (client.get("/reports/transfers/mirror/", {"year": "2020", "exporter": "MEX", "importer": "GHA"}), False),
    ]
    for response, shows_public_row in answers:
        assert response.status_code == 200
        body = f.body_text(response)
        assert RESTRICTED_MARK not in body
        assert ("Public export row" in body) is shows_public_row
    mirror = answers[-1][0].content.decode()
    assert "restricted to States Parties: not shown here." in mirror


# ---------------------------------------------------------------------------- the mirror view


def test_the_mirror_view_puts_both_sides_next_to_each_other(client):
    officer = f.officer()
    f.publish("GHA", 2020, officer, exports=f.form(f.row("I", "MEX", items=5), f.row("I", "MEX", items=2)))
    f.publish(
        "MEX",
        2020,
        officer,
        imports=f.form(
            f.row("I", "GHA", items=6, basis="authorised"),
            f.row("II", "GHA", items=None, value="1500.50", currency="USD"),
        ),
    )

    response = client.get("/reports/transfers/mirror/", {"year": "2020", "exporter": "gha", "importer": "MEX"})
    html = response.content.decode()
    table = html[html.index("<tbody>") : html.index("</tbody>")]

    assert response.status_code == 200
    assert "Read with care." in html
    first, second = table.split("</tr>")[:2]
    assert ">I<" in first
    assert ">7<" in first  # Ghana: 5 + 2 items
    assert ">6<" in first  # Mexico: 6 items
    assert "Actual" in first
    assert "Authorised" in first
    assert ">II<" in second
    assert "1500.50 USD" in second
    assert "nothing reported" in second  # Ghana reported no category II export to Mexico


def test_the_mirror_view_asks_for_a_pair_and_a_year(client):
    empty = client.get("/reports/transfers/mirror/")
    wrong = client.get("/reports/transfers/mirror/", {"year": "2020", "exporter": "GHA", "importer": "GHA"})

    assert empty.status_code == 200
    assert "Read with care." in empty.content.decode()
    assert "Choose two different States." in wrong.content.decode()

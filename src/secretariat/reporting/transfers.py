"""Reads of the public transfer database: filters, sorting, keyset pagination and exact counts.

Everything here reads `PublishedTransfer` only (plus State and Category for names, and the
report versions the rows link to). That table holds rows of *public* forms of the latest
published version of each report and nothing else, so no path through this module can show a
restricted form.

How a 50-row page stays as cheap with a million rows as with ten thousand (benchmarks in
benchmarks/bench_transfers.py):

- **Sorting and paging by keyset.** Each sort (SORTS) is a key of columns ending in `id`, with
  an index that starts with exactly that key (PublishedTransfer.Meta.indexes). The next page is
  "the 50 rows whose key comes after the last row's key", which the database finds by seeking
  in the index, so page 300 costs what page 1 costs (OFFSET would read and throw away 14,950
  rows). PostgreSQL is asked `(k1, id) > (v1, i)`; SQLite, which seeks a row-value comparison
  on its first column only, the exact seeks `k1 = v1 AND id > i`, then `k1 > v1` if the first
  did not fill the page (see `_fetch`). Page
  links carry an opaque cursor (`?after=` / `?before=`; `?last=1` reads backwards from the
  end), signed so that it cannot be forged, which holds the boundary key and the row position
  (for "rows 14,951-15,000 of N"). A cursor that does not verify, or that was made for other
  filters or another sort, is refused: the page shows the first page with a notice, the API
  answers 400. items and value may be empty: their keys are COALESCE(column, -1), the very
  expression the index is built on.
- **Filters** are plain column comparisons on the denormalised table. The indexes on
  (reporter, year, id), (partner, year, id) and (category, year, id) serve a filter on that
  column under the default year sort. Every index then carries the low-selectivity filter
  columns (direction, basis, the two regions; the year index also the category, reporter and
  partner), so a row is tested against those filters in the index, before it is read. A
  selective filter with another sort (one reporter sorted by value) reads the rows of that
  filter once per page: bounded by the filter's size, not by the table's (PostgreSQL is told
  so for a reporter or partner, see `_sorted_after_filtering`).
- **Exact counts without COUNT(*) per request.** `transfer_count` keeps the exact count of each
  normalised filter in `TransferCount`, valid for one generation of the data (the
  `TransferDataGeneration` number it was computed in). Every change of the public rows starts a
  new generation: `transfer_data_changed` is called in the same transaction by
  `services.published_transfers_refresh` and by the demo-data generator, the only writers of
  the table. The page query reads the cached count along with the rows. The first request for
  a filter in a generation pays one COUNT over the matching rows (and stores it). Pre-aggregated
  counts per (year, direction, category, reporter, partner, basis) were considered and
  rejected: with 196 partners such a table is nearly as large as the data, and a year range or
  a region would still sum thousands of its rows. The cache keeps at most MAX_CACHED_COUNTS
  filters; entries of older generations go when a new count is stored.
- **Names** of States and categories (196 and 23 rows; they also fill the filter form) are
  held by the process and checked on every page: the page query also returns the registry's
  stamp (the latest row of the States' history), and the names are read again, and the page
  with them, only when it changed (`transfer_reference_current`). Each row carries the id of
  its published version (`PublishedTransfer.version`, for the link), and the filter's cached
  count comes with the rows. Queries per page: one, whatever the size of the table (a count
  not yet cached adds its COUNT and the storing of it; changed names add their reading; rows
  without a `version` add one lookup; on SQLite, a page that crosses from one value of its sort
  key to the next adds one query per key column crossed).
- **SQL.** The page, count and name queries are written here as SQL from fixed column names,
  with every value passed as a parameter: the ORM took longer to build them than the database
  took to answer them (about 1 ms of Python per query against 0.1-0.5 ms of SQLite).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core import signing
from django.db import connection, models
from django.db.models import F, Sum
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language

from secretariat.states.models import State

from .models import (
    Basis,
    Category,
    Direction,
    PublishedTransfer,
    Report,
    ReportForm,
    ReportKind,
    ReportVersion,
    TransferCount,
    TransferDataGeneration,
    VersionStatus,
    Visibility,
)
from .selectors import latest_published_ids

PAGE_SIZE = 50
MAX_CACHED_COUNTS = 50_000
CURSOR_SALT = "secretariat.reporting.transfers.cursor"


# ---------------------------------------------------------------------------- sorts


@dataclass(frozen=True)
class SortSpec:
    """A sort: the SQL of its key (the id follows as the tie-breaker), and the row fields the key
    is made of. `nullable` keys are COALESCE(column, -1): exactly the expression the index is
    built on (PublishedTransfer.Meta.indexes), so both databases use the index."""

    sql: tuple[str, ...]
    columns: tuple[str, ...]
    nullable: bool = False
    decimal: bool = False

    def key_of(self, row: dict[str, Any]) -> list[Any]:
        values = [row[column] for column in self.columns]
        if self.nullable:
            values = [-1 if value is None else value for value in values]
        return values


SORTS: dict[str, SortSpec] = {
    "year": SortSpec(('"year"',), ("year",)),
    "reporter": SortSpec(('"reporter_id"', '"year"'), ("reporter_id", "year")),
    "partner": SortSpec(('"partner_id"', '"year"'), ("partner_id", "year")),
    "category": SortSpec(('"category_id"', '"year"'), ("category_id", "year")),
    "items": SortSpec(('COALESCE("items", -1)',), ("items",), nullable=True),
    "value": SortSpec(('COALESCE("value", -1)',), ("value",), nullable=True, decimal=True),
}
DEFAULT_SORT = "-year"
SORT_CHOICES = [name for key in SORTS for name in (key, f"-{key}")]

# What a page, an export and the API read of each row.
ROW_COLUMNS = (
    "id",
    "report_id",
    "version_id",
    "year",
    "direction",
    "reporter_id",
    "partner_id",
    "category_id",
    "origin_id",
    "intermediate_location",
    "items",
    "value",
    "currency",
    "basis",
    "description",
    "comments",
    "is_synthetic",
    "published_on",
)
SELECT_COLUMNS = ", ".join(f'"{column}"' for column in ROW_COLUMNS)
# On SQLite the date is read as text and parsed in `_converted`: Django's converter for a date
# column (a regular expression per value) cost more than the rest of the row.
SQLITE_SELECT_COLUMNS = SELECT_COLUMNS.replace('"published_on"', 'CAST("published_on" AS TEXT) AS "published_on"')


def _table() -> str:
    return connection.ops.quote_name(PublishedTransfer._meta.db_table)


# ---------------------------------------------------------------------------- filters


@dataclass(frozen=True)
class TransferFilters:
    """A normalised filter of the transfer database (ids, not codes; empty means "any")."""

    year_from: int | None = None
    year_to: int | None = None
    direction: str = ""
    categories: tuple[int, ...] = ()  # the chosen category and all its sub-categories
    reporter: int | None = None
    partner: int | None = None
    reporter_region: str = ""
    partner_region: str = ""
    basis: str = ""

    def where(self, *, year_from: bool = True, year_to: bool = True) -> tuple[list[str], list[Any]]:
        """The filter as SQL conditions on PublishedTransfer's columns, with their parameters.
        `year_from`/`year_to` False leave out a bound of the year range (for keyset parts that
        imply it, see `_fetch`)."""
        clauses: list[str] = []
        params: list[Any] = []

        def add(clause: str, *values: Any) -> None:
            clauses.append(clause)
            params.extend(values)

        if self.year_from is not None and self.year_from == self.year_to and year_from and year_to:
            add('"year" = %s', self.year_from)
        else:
            if self.year_from is not None and year_from:
                add('"year" >= %s', self.year_from)
            if self.year_to is not None and year_to:
                add('"year" <= %s', self.year_to)
        if self.direction:
            add('"direction" = %s', self.direction)
        if len(self.categories) == 1:
            add('"category_id" = %s', self.categories[0])
        elif self.categories:
            add(f'"category_id" IN ({", ".join(["%s"] * len(self.categories))})', *self.categories)
        if self.reporter is not None:
            add('"reporter_id" = %s', self.reporter)
        if self.partner is not None:
            add('"partner_id" = %s', self.partner)
        if self.reporter_region:
            add('"reporter_region" = %s', self.reporter_region)
        if self.partner_region:
            add('"partner_region" = %s', self.partner_region)
        if self.basis:
            add('"basis" = %s', self.basis)
        return clauses, params

    def key(self) -> str:
        """A stable name for this filter (the count cache's key; also binds cursors to it)."""
        data = [
            self.year_from,
            self.year_to,
            self.direction,
            sorted(self.categories),
            self.reporter,
            self.partner,
            self.reporter_region,
            self.partner_region,
            self.basis,
        ]
        return hashlib.sha256(json.dumps(data).encode()).hexdigest()

    @property
    def is_empty(self) -> bool:
        return self == TransferFilters()


# ---------------------------------------------------------------------------- names (one query each)


@dataclass
class Reference:
    """The States and categories a page names and offers as filters, in the current language."""

    states: list[dict[str, Any]]  # {"pk", "iso3", "name", "region"}, sorted by name
    categories: list[dict[str, Any]]  # {"pk", "code", "label", "parent_id"}, in treaty order
    stamp: tuple[Any, ...] | None = None  # what the names were read at (see `_stamp_sql`)
    state_by_pk: dict[int, dict[str, Any]] = field(default_factory=dict)
    state_by_iso3: dict[str, dict[str, Any]] = field(default_factory=dict)
    category_by_pk: dict[int, dict[str, Any]] = field(default_factory=dict)
    category_by_code: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.state_by_pk = {state["pk"]: state for state in self.states}
        self.state_by_iso3 = {state["iso3"]: state for state in self.states}
        self.category_by_pk = {category["pk"]: category for category in self.categories}
        self.category_by_code = {category["code"]: category for category in self.categories}

    def category_with_descendants(self, pk: int) -> tuple[int, ...]:
        """The category and every category below it ("VIII" -> VIII, VIII.SA, VIII.SA.1, ...)."""
        children: dict[int | None, list[int]] = {}
        for category in self.categories:
            children.setdefault(category["parent_id"], []).append(category["pk"])
        found, todo = [], [pk]
        while todo:
            current = todo.pop()
            found.append(current)
            todo.extend(children.get(current, []))
        return tuple(sorted(found))


NAME_FIELDS = {"en": "name_en", "fr": "name_fr", "es": "name_es", "zh": "name_zh"}
# The names read last, by language: used while the stamp read with each page is the same.
_REFERENCE_READ: dict[str, Reference] = {}


@functools.cache
def _state_history_table() -> str:
    # Reading State.history builds a manager class each time: ask once.
    return State.history.model._meta.db_table


def _stamp_sql() -> list[str]:
    """A scalar subquery telling whether the names changed: the id and the time of the latest
    row of the States' history (every change of a State is saved with simple_history; the time
    tells a reused id apart). The categories are reference data, loaded by migrations and read
    only in the admin: they are read again with the States, and when the process starts."""
    quote = connection.ops.quote_name
    history = quote(_state_history_table())
    return [
        f"(SELECT CAST({quote('history_id')} AS VARCHAR(20)) || '@' || CAST({quote('history_date')} AS VARCHAR(40)) "  # noqa: S608
        f"FROM {history} ORDER BY {quote('history_id')} DESC LIMIT 1)"
    ]


def _language_field() -> str:
    return NAME_FIELDS.get((get_language() or "en").split("-")[0], "name_en")


def transfer_reference(*, fresh: bool = False) -> Reference:
    """All States (names in the current language, English where missing) and all categories.

    The names this process read last, unless `fresh` or never read: the pages check them with
    the stamp read along with their rows (`transfer_reference_current`), so the usual page costs
    no query for names. Reading them costs two queries (categories with the stamp; States).
    """
    name = _language_field()
    cached = _REFERENCE_READ.get(name)
    if cached is not None and not fresh:
        return cached
    quote = connection.ops.quote_name
    columns = ", ".join(quote(column) for column in ("id", "code", "label_en", "parent_id"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns}, {', '.join(_stamp_sql())} FROM {quote(Category._meta.db_table)} "  # noqa: S608
            f"ORDER BY {quote('position')}, {quote('id')}"
        )
        found = cursor.fetchall()
        if found:
            stamp = tuple(found[0][4:])  # the same for every row
        else:
            cursor.execute(f"SELECT {', '.join(_stamp_sql())}")  # noqa: S608
            stamp = tuple(cursor.fetchone())
        categories = [
            {"pk": pk, "code": code, "label": label, "parent_id": parent_id}
            for pk, code, label, parent_id, *_stamp in found
        ]
        columns = ", ".join(quote(column) for column in ("id", "iso3", name, "name_en", "region"))
        cursor.execute(f"SELECT {columns} FROM {quote(State._meta.db_table)}")  # noqa: S608
        states = sorted(
            (
                {"pk": pk, "iso3": iso3, "name": local or english, "region": region}
                for pk, iso3, local, english, region in cursor.fetchall()
            ),
            key=lambda state: state["name"],
        )
    reference = Reference(states=states, categories=categories, stamp=stamp)
    _REFERENCE_READ[name] = reference
    return reference


def transfer_reference_current(reference: Reference, stamp: tuple[Any, ...] | None) -> Reference:
    """`reference` if the names did not change since it was read (`stamp` was read with a page;
    None: no row came back to carry it, so it is read now), else the names read afresh."""
    if stamp is None:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {', '.join(_stamp_sql())}")  # noqa: S608
            stamp = tuple(cursor.fetchone())
    if reference.stamp is not None and stamp == reference.stamp:
        return reference
    return transfer_reference(fresh=True)


# ---------------------------------------------------------------------------- cursors


class BadCursor(ValueError):
    """The cursor did not verify, or belongs to another filter or sort."""


@dataclass(frozen=True)
class Cursor:
    """Where a page starts: after (or before) the row with `key`; `position` is the number of
    matching rows before the page's first row."""

    key: tuple[Any, ...]  # the sort key of the boundary row, then its id
    position: int
    before: bool = False
    last: bool = False  # "the last page": no key; read backwards from the end


def _filter_tag(filters: TransferFilters, sort: str) -> str:
    return hashlib.sha256(f"{filters.key()}|{sort}".encode()).hexdigest()[:16]


def cursor_dumps(cursor: Cursor, filters: TransferFilters, sort: str) -> str:
    key = [str(value) if isinstance(value, Decimal) else value for value in cursor.key]
    payload = [_filter_tag(filters, sort), key, cursor.position, int(cursor.before)]
    return signing.dumps(payload, salt=CURSOR_SALT, compress=False)


def cursor_loads(token: str, filters: TransferFilters, sort: str) -> Cursor:
    """The cursor of a page link; BadCursor if it was altered or made for other filters."""
    try:
        tag, key, position, before = signing.loads(token, salt=CURSOR_SALT)
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise BadCursor("This page link is not valid.") from error
    spec, _descending = _sort_parts(sort)
    if tag != _filter_tag(filters, sort) or not isinstance(key, list) or not isinstance(position, int):
        raise BadCursor("This page link belongs to other filters or another order.")
    if len(key) != len(spec.columns) + 1:
        raise BadCursor("This page link is not valid.")
    if spec.decimal:
        try:
            key = [Decimal(str(key[0])), *key[1:]]
        except InvalidOperation as error:
            raise BadCursor("This page link is not valid.") from error
    return Cursor(key=tuple(key), position=max(position, 0), before=bool(before))


# ---------------------------------------------------------------------------- pages


@dataclass
class TransferPage:
    rows: list[dict[str, Any]]  # ROW_COLUMNS of each row, its version_id
    position: int  # matching rows before the first row of the page
    count: int  # every row matching the filters
    stamp: tuple[Any, ...] | None  # of the names, read with the rows (None without rows)
    next: Cursor | None
    previous: Cursor | None
    is_first: bool

    @property
    def first_number(self) -> int:
        return self.position + 1 if self.rows else 0

    @property
    def last_number(self) -> int:
        return self.position + len(self.rows)


def _sort_parts(sort: str) -> tuple[SortSpec, bool]:
    if sort not in SORT_CHOICES:
        sort = DEFAULT_SORT
    return SORTS[sort.lstrip("-")], sort.startswith("-")


def _key_param(spec: SortSpec, value: Any) -> Any:
    """A boundary key value as a plain parameter (a CAST would stop SQLite from seeking the
    index). SQLite stores decimals as floating-point numbers, so it is given a float."""
    if spec.decimal and isinstance(value, Decimal) and connection.vendor == "sqlite":
        return float(value)
    return value


CENT = Decimal("0.01")


FETCHED_COLUMNS = (*ROW_COLUMNS, "cached_count", "stamp")


def _converted(found: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """Rows as read with a cursor, typed as the ORM would: SQLite returns decimals as floats,
    booleans as 0/1 and (as asked, SQLITE_SELECT_COLUMNS) dates as text; PostgreSQL's are typed
    already."""
    rows = [dict(zip(FETCHED_COLUMNS, values, strict=True)) for values in found]
    if connection.vendor == "sqlite":
        for row in rows:
            value = row["value"]
            if value is not None:
                row["value"] = Decimal(repr(value)).quantize(CENT)
            row["is_synthetic"] = bool(row["is_synthetic"])
            row["published_on"] = dt.date.fromisoformat(row["published_on"])
    return rows


def _with_count_and_stamp(sql: str, order: str, limit: int) -> str:
    """`sql` (rows of PublishedTransfer) in `order`, plus the filter's cached count and the stamp
    of the names (uncorrelated subqueries: computed once; the count's parameter comes first)."""
    return (
        f"SELECT found.*, {_cached_count_sql()}, {', '.join(_stamp_sql())} "  # noqa: S608 - fixed names
        f"FROM ({sql}) AS found ORDER BY {order} LIMIT {int(limit)}"
    )


def _latest_versions(report_ids: set[int]) -> dict[int, int]:
    """The latest published version of each report (one query): for rows written before
    PublishedTransfer had its `version`."""
    quote = connection.ops.quote_name
    marks = ", ".join(["%s"] * len(report_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote('report_id')}, {quote('id')} FROM {quote(ReportVersion._meta.db_table)} "  # noqa: S608
            f"WHERE {quote('status')} = %s AND {quote('report_id')} IN ({marks}) "
            f"ORDER BY {quote('report_id')}, {quote('number')}",
            [VersionStatus.PUBLISHED.value, *sorted(report_ids)],
        )
        return dict(cursor.fetchall())  # the last pair of each report wins: its highest number


def _select(clauses: list[str], order: list[str], limit: int) -> str:
    where = " AND ".join(clauses) or "1 = 1"
    ordering = ", ".join(order)
    columns = SQLITE_SELECT_COLUMNS if connection.vendor == "sqlite" else SELECT_COLUMNS
    return f"SELECT {columns} FROM {_table()} WHERE {where} ORDER BY {ordering} LIMIT {int(limit)}"  # noqa: S608


def _sorted_after_filtering(filters: TransferFilters, spec: SortSpec) -> bool:
    """Whether PostgreSQL is to read the rows of a reporter or partner filter through that
    column's index and sort them, rather than walk the sort's own index looking for them (the
    sort key then is `key + 0`, which no index provides).

    Its planner walks the sort's index whenever it expects the filter's rows to turn up early:
    for a State that reported a few rows, or none, that walk reads most of the table (measured
    on a million rows, one reporter sorted by value: 0.1-1.6 s; read and sorted: 1-7 ms, the
    cost of the State's own rows). A year sort is served by the (reporter, year, id) and
    (partner, year, id) indexes themselves; SQLite chooses the filter's index on its own."""
    if connection.vendor != "postgresql":
        return False
    chosen = {"reporter_id": filters.reporter, "partner_id": filters.partner}
    filtered = {column for column, value in chosen.items() if value is not None}
    return bool(filtered) and spec.columns[0] not in filtered and spec.columns[0] != "year"


def _fetch(
    filters: TransferFilters, spec: SortSpec, *, descending: bool, after: tuple[Any, ...] | None, limit: int
) -> tuple[list[dict[str, Any]], int | None, tuple[Any, ...] | None]:
    """The first `limit` rows matching `filters` in the order of the sort key and id (descending
    or not), after the boundary key `after` in that order; the filter's cached count, if there
    is one, and the stamp of the names (`_stamp_sql`), both None when no row was found. One
    query on PostgreSQL, usually one on SQLite (below); one more if some rows lack their
    `version`.

    On SQLite, `(k1, k2, id) < (v1, v2, i)` is read as the exact index seeks
    `k1 = v1 AND k2 = v2 AND id < i`, then `k1 = v1 AND k2 < v2`, then `k1 < v1`, each ordered and
    limited, one after the other until `limit` rows are found: their rows follow each other in
    the sort order, and the first part usually fills the page (one query; at most one per key
    column). SQLite seeks a row-value comparison on its first column only, so the plain form
    would read every row of the boundary's group (a year holds 100,000 rows) before reaching the
    page; a UNION ALL of the parts would read every part in full. A bound of the filter's year
    range that a part implies (the year is fixed, or compared with the boundary's year) is left
    out of that part: SQLite seeks by the first bound it finds, and the filter's would be the
    wrong one. Keys fixed by equality are left out of a part's ORDER BY (SQLite would sort by an
    indexed expression).

    The SQL is written here rather than by the ORM: only fixed column names and the filter's
    conditions go into it, every value is a parameter, and building it costs a few microseconds
    where the ORM's compiler took longer than the database.
    """
    keys = [*spec.sql, '"id"']
    order = " DESC" if descending else " ASC"
    ordered_by = [f"{keys[0]} + 0", *keys[1:]] if _sorted_after_filtering(filters, spec) else keys
    parts: list[tuple[list[str], list[Any], list[str]]] = []  # (conditions, parameters, ORDER BY keys)
    if after is None:
        clauses, params = filters.where()
        parts.append((clauses, params, ordered_by))
    elif connection.vendor == "postgresql":
        # PostgreSQL seeks a row-value comparison on the whole index key: one part.
        clauses, params = filters.where()
        beyond = "<" if descending else ">"
        clauses = [*clauses, f"({', '.join(keys)}) {beyond} ({', '.join(['%s'] * len(keys))})"]
        parts.append((clauses, params + [_key_param(spec, value) for value in after], ordered_by))
    else:
        beyond = " < %s" if descending else " > %s"
        for depth in range(len(keys) - 1, -1, -1):
            fixed = spec.columns[:depth]
            compared = spec.columns[depth] if depth < len(spec.columns) else "id"
            keep_from = "year" not in fixed and not (compared == "year" and not descending)
            keep_to = "year" not in fixed and not (compared == "year" and descending)
            clauses, params = filters.where(year_from=keep_from, year_to=keep_to)
            clauses = clauses + [f"{keys[n]} = %s" for n in range(depth)] + [keys[depth] + beyond]
            params = params + [_key_param(spec, value) for value in after[: depth + 1]]
            parts.append((clauses, params, keys[depth:]))
    outer = [f'COALESCE(found."{column}", -1)' if spec.nullable else f'found."{column}"' for column in spec.columns]
    ordering = ", ".join(f"{key}{order}" for key in [*outer, 'found."id"'])
    rows: list[dict[str, Any]] = []
    with connection.cursor() as cursor:
        for clauses, params, part_keys in parts:
            wanted = limit - len(rows)
            sql = _select(clauses, [key + order for key in part_keys], wanted)
            # Every part carries the count and the stamp: the first row found brings them.
            cursor.execute(_with_count_and_stamp(sql, ordering, wanted), [filters.key(), *params])
            rows += _converted(cursor.fetchall())
            if len(rows) >= limit:
                break
    missing = {row["report_id"] for row in rows if row["version_id"] is None}
    if missing:
        versions = _latest_versions(missing)
        for row in rows:
            if row["version_id"] is None:
                row["version_id"] = versions.get(row["report_id"])
    if not rows:
        return [], None, None
    first = rows[0]
    return rows, first["cached_count"], (first["stamp"],)


def transfer_page(
    *,
    filters: TransferFilters,
    sort: str = DEFAULT_SORT,
    cursor: Cursor | None = None,
    size: int = PAGE_SIZE,
) -> TransferPage:
    """One page of the rows matching `filters`, in `sort` order, starting at `cursor` (the first
    page without one), with the exact count of the matching rows and the stamp of the names.
    One query when the count is cached (see `transfer_count`)."""
    spec, descending = _sort_parts(sort)
    backwards = cursor is not None and (cursor.before or cursor.last)
    boundary = None if cursor is None or cursor.last else cursor.key
    rows, count, stamp = _fetch(filters, spec, descending=descending != backwards, after=boundary, limit=size + 1)
    if count is None:
        # Nothing found from the start: nothing matches; else the count is not cached yet.
        count = 0 if not rows and cursor is None else transfer_count(filters)
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
        if cursor.last:
            position = max(count - len(rows), 0)
        elif more:
            position = max(cursor.position, 0)
        else:
            position = 0
        has_previous, has_next = more, not cursor.last
    else:
        position = cursor.position if cursor is not None else 0
        has_previous, has_next = position > 0, more
    next_cursor = previous_cursor = None
    if rows and has_next:
        next_cursor = Cursor(key=(*spec.key_of(rows[-1]), rows[-1]["id"]), position=position + len(rows))
    if rows and has_previous:
        previous_cursor = Cursor(
            key=(*spec.key_of(rows[0]), rows[0]["id"]), position=max(position - size, 0), before=True
        )
    return TransferPage(
        rows=rows,
        position=position,
        count=count,
        stamp=stamp,
        next=next_cursor,
        previous=previous_cursor,
        is_first=not has_previous,
    )


def transfer_rows_iter(
    *, filters: TransferFilters, sort: str = DEFAULT_SORT, chunk: int = 2000
) -> Iterator[dict[str, Any]]:
    """Every row matching `filters`, in `sort` order, read `chunk` rows at a time by keyset (for
    the streamed exports: memory holds one chunk whatever the number of rows)."""
    spec, descending = _sort_parts(sort)
    boundary: tuple[Any, ...] | None = None
    while True:
        rows, _count, _stamp = _fetch(filters, spec, descending=descending, after=boundary, limit=chunk)
        yield from rows
        if len(rows) < chunk:
            return
        boundary = (*spec.key_of(rows[-1]), rows[-1]["id"])


def version_url_pattern() -> str:
    """The address of a report version with "{pk}" in place of its id (one reverse per page)."""
    try:
        url = reverse("reporting:version_detail", args=[999999999])
    except NoReverseMatch:
        url = "/reports/versions/999999999/"
    return url.replace("999999999", "{pk}")


# ---------------------------------------------------------------------------- counts


def transfer_data_changed() -> None:
    """Start a new generation of the public transfer data: every cached count is now stale.
    Call it in the transaction that changes PublishedTransfer rows."""
    updated = TransferDataGeneration.objects.filter(pk=1).update(number=F("number") + 1)
    if not updated:
        TransferDataGeneration.objects.get_or_create(pk=1, defaults={"number": 1})


def _cached_count_sql() -> str:
    """A scalar subquery: the cached count of the filter whose key is its one parameter, if it
    was computed in the current generation of the data (else NULL)."""
    quote = connection.ops.quote_name
    table = quote(TransferCount._meta.db_table)
    generation = quote(TransferDataGeneration._meta.db_table)
    return (
        f"(SELECT {quote('count')} FROM {table} WHERE {quote('key')} = %s "  # noqa: S608 - fixed names
        f"AND {quote('generation')} = (SELECT {quote('number')} FROM {generation} WHERE {quote('id')} = 1))"
    )


def _cached_count(key: str) -> int | None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {_cached_count_sql()}", [key])  # noqa: S608
        return cursor.fetchone()[0]


def transfer_count(filters: TransferFilters) -> int:
    """The exact number of rows matching `filters`: one indexed query when the count of this
    filter is cached for the current data, else a COUNT (stored for the next requests)."""
    key = filters.key()
    cached = _cached_count(key)
    if cached is not None:
        return cached
    current, _created = TransferDataGeneration.objects.get_or_create(pk=1, defaults={"number": 0})
    clauses, params = filters.where()
    with connection.cursor() as cursor:
        where = " AND ".join(clauses) or "1 = 1"
        cursor.execute(f"SELECT COUNT(*) FROM {_table()} WHERE {where}", params)  # noqa: S608
        count = cursor.fetchone()[0]
    TransferCount.objects.exclude(generation=current.number).delete()
    TransferCount.objects.bulk_create(
        [TransferCount(key=key, generation=current.number, count=count)],
        update_conflicts=True,
        unique_fields=["key"],
        update_fields=["generation", "count"],
    )
    oldest_kept = TransferCount.objects.order_by("-pk").values_list("pk", flat=True)[MAX_CACHED_COUNTS:][:1]
    if oldest_kept:
        TransferCount.objects.filter(pk__lte=oldest_kept[0]).delete()
    return count


# ---------------------------------------------------------------------------- display


def direction_labels() -> dict[str, str]:
    return {value: str(label) for value, label in Direction.choices}


def basis_labels() -> dict[str, str]:
    return {value: str(label) for value, label in Basis.choices}


def display_rows(rows: list[dict[str, Any]], reference: Reference) -> list[dict]:
    """The page's rows with names in the current language and the link to their version."""
    directions = direction_labels()
    bases = basis_labels()
    pattern = version_url_pattern()
    states = reference.state_by_pk
    categories = reference.category_by_pk
    shown = []
    for row in rows:
        reporter = states.get(row["reporter_id"]) or {}
        partner = states.get(row["partner_id"]) or {}
        origin = states.get(row["origin_id"]) or {}
        category = categories.get(row["category_id"]) or {}
        version_id = row["version_id"]
        shown.append(
            {
                **row,
                "direction_label": directions.get(row["direction"], row["direction"]),
                "basis_label": bases.get(row["basis"], row["basis"]),
                "reporter_name": reporter.get("name", ""),
                "reporter_iso3": reporter.get("iso3", ""),
                "partner_name": partner.get("name", ""),
                "partner_iso3": partner.get("iso3", ""),
                "origin_name": origin.get("name", ""),
                "category_code": category.get("code", ""),
                "category_label": category.get("label", ""),
                "version_url": pattern.format(pk=version_id) if version_id else "",
            }
        )
    return shown


# ---------------------------------------------------------------------------- the mirror view


@dataclass
class MirrorSide:
    """What one State reported on one form for the pair and year."""

    state: dict[str, Any]
    direction: str
    form_status: str  # "rows" | "nil" | "restricted" | "no_rows" | "no_report"
    by_category: dict[int, dict[str, Any]] = field(default_factory=dict)


@dataclass
class MirrorLine:
    category: dict[str, Any]
    exporter: dict[str, Any] | None
    importer: dict[str, Any] | None

    @property
    def sides(self) -> list[dict[str, Any] | None]:
        return [self.exporter, self.importer]


def _form_status(state_id: int, year: int, direction: str) -> str:
    """How the State's latest published report on `year` shows its `direction` form publicly."""
    form = (
        ReportForm.objects.filter(
            version__in=latest_published_ids(),
            version__report__state_id=state_id,
            version__report__kind=ReportKind.ANNUAL,
            version__report__year=year,
            direction=direction,
        )
        .values("is_nil", "visibility")
        .first()
    )
    if form is None:
        published = Report.objects.filter(
            state_id=state_id, kind=ReportKind.ANNUAL, year=year, versions__in=latest_published_ids()
        ).exists()
        return "no_rows" if published else "no_report"
    if form["visibility"] != Visibility.PUBLIC:
        return "restricted"
    if form["is_nil"]:
        return "nil"
    return "rows"


def _mirror_side(state: dict[str, Any], partner: dict[str, Any], year: int, direction: str) -> MirrorSide:
    side = MirrorSide(state=state, direction=direction, form_status=_form_status(state["pk"], year, direction))
    totals = (
        PublishedTransfer.objects.filter(year=year, direction=direction, reporter_id=state["pk"])
        .filter(partner_id=partner["pk"])
        .values("category_id", "basis", "currency")
        .annotate(items=Sum("items"), value=Sum("value"), rows=models.Count("id"))
        .order_by("category_id", "basis", "currency")
    )
    for total in totals:
        entry = side.by_category.setdefault(
            total["category_id"], {"items": None, "values": {}, "bases": set(), "rows": 0}
        )
        if total["items"] is not None:
            entry["items"] = (entry["items"] or 0) + total["items"]
        if total["value"] is not None and total["currency"]:
            value = Decimal(repr(total["value"])) if isinstance(total["value"], float) else Decimal(total["value"])
            entry["values"][total["currency"]] = (entry["values"].get(total["currency"], 0) + value).quantize(CENT)
        entry["bases"].add(total["basis"])
        entry["rows"] += total["rows"]
    if side.form_status == "rows" and not side.by_category:
        side.form_status = "no_rows"
    return side


def mirror(*, year: int, exporter: dict[str, Any], importer: dict[str, Any], reference: Reference) -> dict:
    """Side by side per category: the exporter's exports to the importer and the importer's
    imports from the exporter, on `year` (public forms only, like every page here)."""
    exports = _mirror_side(exporter, importer, year, Direction.EXPORTS)
    imports = _mirror_side(importer, exporter, year, Direction.IMPORTS)
    bases = basis_labels()
    lines = []
    for category in reference.categories:
        left = exports.by_category.get(category["pk"])
        right = imports.by_category.get(category["pk"])
        if left is None and right is None:
            continue
        for side in (left, right):
            if side is not None:
                side["basis_labels"] = sorted(bases.get(basis, basis) for basis in side["bases"])
                side["value_list"] = sorted(side["values"].items())
        lines.append(MirrorLine(category=category, exporter=left, importer=right))
    return {"exports": exports, "imports": imports, "sides": [exports, imports], "lines": lines}

"""Public pages of the transfer database: the filtered list, its exports and the mirror view.

The views are thin: filters are validated by transfer_forms, rows, counts and names come from
the selectors in transfers.py, files are written by transfer_exports.py. All of them only read
(GET and HEAD; anything else is answered 405).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from secretariat.core.access import public
from secretariat.states.models import Region

from . import transfer_exports
from .models import Basis, Direction
from .transfer_forms import SORT_LABELS, MirrorForm, TransferFilterForm, sort_label
from .transfers import (
    DEFAULT_SORT,
    PAGE_SIZE,
    BadCursor,
    Cursor,
    Reference,
    TransferFilters,
    TransferPage,
    cursor_dumps,
    cursor_loads,
    display_rows,
    mirror,
    transfer_page,
    transfer_reference,
    transfer_reference_current,
)

CURSOR_PARAMETERS = ("after", "before", "last")


@dataclass
class PageRead:
    """A page of the transfer database as asked for by a query string."""

    reference: Reference
    form: TransferFilterForm
    filters: TransferFilters
    sort: str
    page: TransferPage | None  # None when `strict` and the filters are invalid
    bad_cursor: bool


def read_page(query: QueryDict, *, strict: bool = False) -> PageRead:
    """Validate the filters and read the page, with current names.

    The names this process read last are used, and checked by the stamp read with the rows
    (one query in all); if they changed, the page is read again once with fresh names (the
    filters might then resolve differently). `strict` (the API): invalid filters read nothing
    (checked against fresh names first, in case a code is new).
    """
    reference = transfer_reference()
    for _attempt in range(2):
        form = TransferFilterForm(query, reference=reference)
        if strict and not form.is_valid():
            current = transfer_reference_current(reference, None)
            if current is not reference:
                reference = current
                continue
            return PageRead(reference, form, TransferFilters(), DEFAULT_SORT, None, False)
        filters, sort = form.filters(), form.sort_order()
        bad_cursor = False
        try:
            cursor = page_cursor(query, filters, sort)
        except BadCursor:
            cursor, bad_cursor = None, True
        page = transfer_page(filters=filters, sort=sort, cursor=cursor)
        current = transfer_reference_current(reference, page.stamp)
        if current is reference:
            break
        reference = current
    return PageRead(reference, form, filters, sort, page, bad_cursor)


def page_cursor(query: QueryDict, filters: TransferFilters, sort: str) -> Cursor | None:
    """The cursor of `?after=`, `?before=` or `?last=1` (None for the first page); raises
    BadCursor when it does not verify or was made for other filters."""
    if query.get("last"):
        return Cursor(key=(), position=0, before=True, last=True)
    for name in ("after", "before"):
        token = query.get(name)
        if token:
            cursor = cursor_loads(token, filters, sort)
            if cursor.before != (name == "before") or cursor.last:
                raise BadCursor("This page link is not valid.")
            return cursor
    return None


def _options(choices: list[tuple[str, str]], selected: str) -> SafeString:
    """<option> elements, built once in Python (a template loop over 196 States costs more)."""
    parts = []
    for value, label in choices:
        mark = " selected" if value == selected else ""
        parts.append(f'<option value="{html.escape(value)}"{mark}>{html.escape(label)}</option>')
    return mark_safe("".join(parts))  # noqa: S308 - every piece is escaped above


def _query(base: QueryDict, **changes: str) -> str:
    query = base.copy()
    for name, value in changes.items():
        if value:
            query[name] = value
        else:
            query.pop(name, None)
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


def list_context(
    request: HttpRequest,
    *,
    reference: Reference,
    form: TransferFilterForm,
    filters: TransferFilters,
    sort: str,
    page: TransferPage,
    rows: list[dict[str, Any]],
    notice: str = "",
) -> dict[str, Any]:
    """What reporting/transfers/list.html needs (the benchmark's in-memory view builds the same)."""
    base = request.GET.copy()
    for name in CURSOR_PARAMETERS:
        base.pop(name, None)
    raw = {name: (base.get(name) or "").strip() for name in ("reporter", "partner", "category")}
    states = [(state["iso3"], state["name"]) for state in reference.states]
    categories = [(category["code"], f"{category['code']} {category['label']}") for category in reference.categories]
    any_state = [("", str(_("Any State")))]
    sort_links = {}
    for name in SORT_LABELS:
        target = f"-{name}" if sort == name else name
        sort_links[name] = {
            "url": _query(base, sort=target),
            "current": sort.lstrip("-") == name,
            "descending": sort.startswith("-"),
        }
    return {
        "form": form,
        "rows": rows,
        "count": page.count,
        "page": page,
        "page_size": PAGE_SIZE,
        "first_number": page.first_number,
        "last_number": page.last_number,
        "next_url": _query(base, after=cursor_dumps(page.next, filters, sort)) if page.next else "",
        "previous_url": _query(base, before=cursor_dumps(page.previous, filters, sort)) if page.previous else "",
        "first_url": _query(base) if not page.is_first else "",
        "last_url": _query(base, last="1") if page.next else "",
        "export_query": _query(base, sort=sort),
        "is_filtered": not filters.is_empty,
        "sort": sort,
        "sort_label": sort_label(sort),
        "sort_links": sort_links,
        "has_synthetic": any(row["is_synthetic"] for row in rows),
        "notice": notice,
        "values": {name: (base.get(name) or "").strip() for name in ("year", "year_from", "year_to")},
        "reporter_options": _options(any_state + states, raw["reporter"].upper()),
        "partner_options": _options(any_state + states, raw["partner"].upper()),
        "category_options": _options([("", str(_("Any category")))] + categories, raw["category"].upper()),
        "direction_options": _options(
            [("", str(_("Exports and imports")))] + [(v, str(label)) for v, label in Direction.choices],
            base.get("direction", ""),
        ),
        "basis_options": _options(
            [("", str(_("Authorised and actual")))] + [(v, str(label)) for v, label in Basis.choices],
            base.get("basis", ""),
        ),
        "reporter_region_options": _options(
            [("", str(_("Any region")))] + [(v, str(label)) for v, label in Region.choices],
            base.get("reporter_region", ""),
        ),
        "partner_region_options": _options(
            [("", str(_("Any region")))] + [(v, str(label)) for v, label in Region.choices],
            base.get("partner_region", ""),
        ),
    }


@public
@require_safe
def transfer_list(request: HttpRequest) -> HttpResponse:
    """The public transfer database: 50 rows a page, filtered and sorted, with the exact count."""
    read = read_page(request.GET)
    notice = ""
    if read.bad_cursor:
        notice = str(_("That page link was not valid (or was made for other filters): here is the first page."))
    context = list_context(
        request,
        reference=read.reference,
        form=read.form,
        filters=read.filters,
        sort=read.sort,
        page=read.page,
        rows=display_rows(read.page.rows, read.reference),
        notice=notice,
    )
    return render(request, "reporting/transfers/list.html", context)


def _export(request: HttpRequest, kind: str) -> HttpResponse:
    reference = transfer_reference_current(transfer_reference(), None)
    form = TransferFilterForm(request.GET, reference=reference)
    if not form.is_valid():
        return HttpResponseBadRequest(form.error_text(), content_type="text/plain; charset=utf-8")
    writer = {
        "csv": transfer_exports.csv_response,
        "json": transfer_exports.json_response,
        "xlsx": transfer_exports.xlsx_response,
    }[kind]
    return writer(filters=form.filters(), sort=form.sort_order(), reference=reference)


@public
@require_safe
def transfer_csv(request: HttpRequest) -> HttpResponse:
    """The filtered rows as CSV (UTF-8 with a byte order mark), streamed."""
    return _export(request, "csv")


@public
@require_safe
def transfer_json(request: HttpRequest) -> HttpResponse:
    """The filtered rows as a JSON array, streamed."""
    return _export(request, "json")


@public
@require_safe
def transfer_xlsx(request: HttpRequest) -> HttpResponse:
    """The filtered rows as an Excel workbook (written to a temporary file, then streamed)."""
    return _export(request, "xlsx")


@public
@require_safe
def transfer_mirror(request: HttpRequest) -> HttpResponse:
    """What the exporter reported exporting to the importer, and what the importer reported
    importing from the exporter, in one year, side by side per category."""
    reference = transfer_reference_current(transfer_reference(), None)
    form = MirrorForm(request.GET or None, reference=reference)
    comparison = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        comparison = mirror(
            year=data["year"], exporter=data["exporter"], importer=data["importer"], reference=reference
        )
    raw = {name: (request.GET.get(name) or "").strip().upper() for name in ("exporter", "importer")}
    states = [("", str(_("Choose a State")))] + [(state["iso3"], state["name"]) for state in reference.states]
    context = {
        "form": form,
        "comparison": comparison,
        "exporter_options": _options(states, raw["exporter"]),
        "importer_options": _options(states, raw["importer"]),
        "year_value": (request.GET.get("year") or "").strip(),
        "list_url": reverse("reporting:transfers"),
    }
    if comparison is not None:
        data = form.cleaned_data
        rows_query = QueryDict(mutable=True)
        rows_query.update({"year": str(data["year"]), "reporter": data["exporter"]["iso3"]})
        rows_query.update({"partner": data["importer"]["iso3"], "direction": "exports"})
        context["exports_rows_url"] = f"{context['list_url']}?{rows_query.urlencode()}"
        rows_query = QueryDict(mutable=True)
        rows_query.update({"year": str(data["year"]), "reporter": data["importer"]["iso3"]})
        rows_query.update({"partner": data["exporter"]["iso3"], "direction": "imports"})
        context["imports_rows_url"] = f"{context['list_url']}?{rows_query.urlencode()}"
    return render(request, "reporting/transfers/mirror.html", context)

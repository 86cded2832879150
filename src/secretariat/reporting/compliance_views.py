"""The public compliance analytics page and the CSV of each of its charts (issue 3, item 6).

Thin views: the figures come from `compliance.compliance_statistics` (three queries whatever the
number of States), the numbers of each chart from `compliance.chart_table` (the same function
feeds the chart, its data table and its CSV, so the three always agree), the drawing from `charts`.
"""

from __future__ import annotations

import csv
import datetime as dt
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from secretariat.core.access import public
from secretariat.core.exports import spreadsheet_safe

from .charts import Series, horizontal_bars, stacked_bars
from .compliance import (
    ALL_REGIONS,
    CHART_TABLES,
    FIRST_YEAR,
    ChartTable,
    ComplianceFilters,
    ComplianceStatistics,
    chart_table,
    compliance_statistics,
    region_choices,
    region_key,
    region_label,
)
from .obligations import ObligationKind

DEFAULT_FIRST_YEAR = 2015  # the first year covered by annual reports (EIF 24 Dec 2014)


class ComplianceFilterForm(forms.Form):
    year_from = forms.IntegerField(label=_("From year"), required=False)
    year_to = forms.IntegerField(label=_("To year"), required=False)
    region = forms.ChoiceField(label=_("UN regional group"), required=False)
    chart_year = forms.IntegerField(
        label=_("Year compared across regions"),
        required=False,
        help_text=_("For the chart of submission rates by region; the last year of the range if empty."),
    )

    def __init__(self, data: Any, *, as_of: dt.date, last_due_year: int) -> None:
        super().__init__(data)
        self.as_of = as_of
        self.last_due_year = last_due_year
        self.fields["region"].choices = [("", _("All regions")), *region_choices()]
        for name in ("year_from", "year_to", "chart_year"):
            self.fields[name].widget.attrs.update(min=FIRST_YEAR, max=as_of.year)
        self.fields["year_from"].widget.attrs["placeholder"] = str(DEFAULT_FIRST_YEAR)
        self.fields["year_to"].widget.attrs["placeholder"] = str(last_due_year)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name in ("year_from", "year_to", "chart_year"):
            value = data.get(name)
            if value is not None and not FIRST_YEAR <= value <= self.as_of.year:
                self.add_error(
                    name,
                    _("Give a year from %(first)s to %(last)s.") % {"first": FIRST_YEAR, "last": self.as_of.year},
                )
        year_from, year_to = data.get("year_from"), data.get("year_to")
        if year_from is not None and year_to is not None and year_from > year_to:
            self.add_error("year_to", _("The last year cannot be before the first."))
        return data

    def filters(self) -> ComplianceFilters:
        """The filters asked for; with any error, the defaults (the page says so)."""
        data = self.cleaned_data if self.is_valid() else {}
        year_to = data.get("year_to") or max(self.last_due_year, DEFAULT_FIRST_YEAR, data.get("year_from") or 0)
        year_from = data.get("year_from") or min(DEFAULT_FIRST_YEAR, year_to)
        return ComplianceFilters(
            year_from=year_from,
            year_to=year_to,
            region=data.get("region") or ALL_REGIONS,
            chart_year=data.get("chart_year"),
        )


def _request_filters(request: HttpRequest, stats: ComplianceStatistics) -> ComplianceFilterForm:
    return ComplianceFilterForm(request.GET, as_of=stats.as_of, last_due_year=stats.last_due_year)


def draw(table: ChartTable) -> SafeString:
    """The SVG of one chart, from exactly the numbers of its table."""
    svg_id = f"chart-{table.key}"
    if table.key == "region-rates":
        texts = []
        for _label, submitted, expected, rate in table.rows:
            if rate is None:
                texts.append(str(_("no report expected")))
            else:
                texts.append(f"{number_format(rate, 1)} % ({submitted}/{expected})")
        return horizontal_bars(
            svg_id=svg_id,
            title=table.title,
            description=table.description,
            labels=table.column_values("region"),
            values=table.column_values("rate"),
            value_texts=texts,
        )
    return stacked_bars(
        svg_id=svg_id,
        title=table.title,
        description=table.description,
        categories=[str(year) for year in table.column_values("year")],
        series=[Series(column.key, column.label, table.column_values(column.key)) for column in table.series],
    )


@public
def compliance(request: HttpRequest) -> HttpResponse:
    stats = compliance_statistics(as_of=timezone.localdate())
    form = _request_filters(request, stats)
    filters = form.filters()
    years = filters.years
    annual_total = stats.figures(ObligationKind.ANNUAL, years=years, region=filters.region)
    initial_total = stats.figures(ObligationKind.INITIAL, years=years, region=filters.region)
    charts = []
    for key in CHART_TABLES:
        table = chart_table(stats, filters, key)
        charts.append({"table": table, "svg": draw(table)})
    not_computable = [
        (state, reason) for state, reason in stats.not_computable if filters.region in (ALL_REGIONS, region_key(state))
    ]
    context = {
        "form": form,
        "filters": filters,
        "stats": stats,
        "region_label": region_label(filters.region),
        "annual_rows": stats.by_year(ObligationKind.ANNUAL, years=years, region=filters.region),
        "annual_total": annual_total,
        "annual_regions": stats.by_region(ObligationKind.ANNUAL, years=years),
        "initial_rows": stats.by_year(ObligationKind.INITIAL, years=years, region=filters.region),
        "initial_total": initial_total,
        "initial_regions": stats.by_region(ObligationKind.INITIAL, years=years),
        "charts": charts,
        "not_computable": not_computable,
        "query_string": request.GET.urlencode(),
    }
    return render(request, "reporting/compliance/page.html", context)


@public
def compliance_csv(request: HttpRequest, chart: str) -> HttpResponse:
    if chart not in CHART_TABLES:
        raise Http404
    stats = compliance_statistics(as_of=timezone.localdate())
    form = _request_filters(request, stats)
    if not form.is_valid():
        errors = "; ".join(f"{name}: {' '.join(problems)}" for name, problems in form.errors.items())
        return HttpResponseBadRequest(errors, content_type="text/plain; charset=utf-8")
    table = chart_table(stats, form.filters(), chart)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="att-compliance-{chart}-{stats.as_of.isoformat()}.csv"'
    response.write("\ufeff")  # the byte order mark makes Excel read the file as UTF-8
    writer = csv.writer(response)
    writer.writerow(column.key for column in table.columns)
    for row in table.rows:
        writer.writerow(spreadsheet_safe(value) for value in row)
    return response

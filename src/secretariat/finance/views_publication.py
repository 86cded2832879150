"""The published status of contributions (public), its archive, files and summary ledger; the
publishing page (finance and admin staff); the payment-pattern report (public).

Thin views: the public pages show only what a publication froze (never the live ledger); the
payment-pattern report reads the books on a published date (finance overseers may choose any
date). Figures come from the selectors, the publication from the service.
"""

from __future__ import annotations

import csv
import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from secretariat.core.access import (
    FINANCE_MANAGERS,
    can_manage_finance,
    can_oversee_finance,
    principal_for,
    public,
    staff_only,
)
from secretariat.core.exports import spreadsheet_safe
from secretariat.core.files import download_response
from secretariat.reporting.charts import Series, horizontal_bars, stacked_bars
from secretariat.reporting.compliance import ALL_REGIONS, ChartTable

from .forms_publication import PatternFilterForm, PublishForm, StatusFilterForm
from .models import ContributionStatus, FundCode
from .selectors import contributions as selectors
from .selectors import payment_pattern as pattern_selectors
from .services.publication import file_name, last_complete_quarter_end, status_publish

# ---------------------------------------------------------------------------- the status of contributions


def _status_page(request: HttpRequest, status: ContributionStatus | None) -> HttpResponse:
    context: dict[str, Any] = {"status": status, "may_publish": can_manage_finance(principal_for(request.user))}
    if status is not None:
        figures = selectors.published_figures(status)
        form = StatusFilterForm(request.GET or None, years=figures.financial_years)
        year = form.chosen_year() if form.is_bound else None
        context.update(
            figures=figures,
            shown=figures.for_year(year),
            year=year,
            form=form,
            is_latest=status == selectors.latest_publication(),
        )
    return render(request, "finance/publication/status.html", context)


@public
def status_latest(request: HttpRequest) -> HttpResponse:
    """The latest published status of contributions."""
    return _status_page(request, selectors.latest_publication())


@public
def status_on(request: HttpRequest, as_of: dt.date) -> HttpResponse:
    """An earlier quarter's status (the archive)."""
    return _status_page(request, selectors.publication_on(as_of))


@public
def status_archive(request: HttpRequest) -> HttpResponse:
    return render(request, "finance/publication/archive.html", {"statuses": selectors.publications()})


def _download(as_of: dt.date, kind: str) -> Any:
    status = selectors.publication_on(as_of)
    stored = status.pdf if kind == "pdf" else status.xlsx
    if not stored:
        raise Http404(_("This publication has no such file."))
    return download_response(
        stored, filename=file_name(as_of, kind), missing=str(_("The file of this publication is missing."))
    )


@public
def status_pdf(request: HttpRequest, as_of: dt.date) -> Any:
    return _download(as_of, "pdf")


@public
def status_xlsx(request: HttpRequest, as_of: dt.date) -> Any:
    return _download(as_of, "xlsx")


@public
def summary_ledger(request: HttpRequest, as_of: dt.date) -> HttpResponse:
    """The published summary ledger: per fund and financial year, the totals frozen with the status."""
    status = selectors.publication_on(as_of)
    summary = status.figures.get("summary_ledger") or {"funds": []}
    fund_names = dict(FundCode.choices)
    funds = [
        {
            "name": fund_names.get(fund["fund"], fund["fund"]),
            "currency": fund["currency"],
            "periods": fund["periods"],
            "rows": [
                (label, kind, [period[key] for period in fund["periods"]])
                for key, label, kind in selectors.SUMMARY_ITEMS
            ],
        }
        for fund in summary["funds"]
    ]
    return render(request, "finance/publication/ledger.html", {"status": status, "funds": funds})


@staff_only(*FINANCE_MANAGERS)
def publish(request: HttpRequest) -> HttpResponse:
    """Publish the status of contributions as of a date (finance and admin staff)."""
    today = timezone.localdate()
    if request.method == "POST":
        form = PublishForm(request.POST)
        if form.is_valid():
            try:
                status = status_publish(user=request.user, as_of=form.cleaned_data["as_of"])
            except ValidationError as error:
                for message in error.messages:
                    form.add_error("as_of", message)
            else:
                messages.success(
                    request,
                    _("The status of contributions as of %(day)s is published.") % {"day": status.as_of.isoformat()},
                )
                return redirect("finance:status_on", as_of=status.as_of)
    else:
        form = PublishForm(initial={"as_of": last_complete_quarter_end(today)})
    preview_day = last_complete_quarter_end(today)
    if form.is_bound and form.is_valid():
        preview_day = form.cleaned_data["as_of"]
    preview = selectors.contribution_status(as_of=min(preview_day, today))
    context = {
        "form": form,
        "preview": preview,
        "preview_years": preview.by_year(),
        "statuses": selectors.publications()[:8],
    }
    return render(request, "finance/publication/publish.html", context, status=400 if form.errors else 200)


# ---------------------------------------------------------------------------- the payment pattern


def _pattern_request(request: HttpRequest) -> tuple[PatternFilterForm, dt.date | None, str, int | None]:
    """The form, and the date, region and comparison year it gives (the date is None when the
    public ask and nothing is published)."""
    today = timezone.localdate()
    published = selectors.published_dates()
    any_date = can_oversee_finance(principal_for(request.user))
    form = PatternFilterForm(request.GET or None, published=published, any_date=any_date, today=today)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    as_of = data.get("as_of") or (published[0] if published else (today if any_date else None))
    return form, as_of, data.get("region") or ALL_REGIONS, data.get("year")


def draw(table: ChartTable) -> SafeString:
    """The SVG of one chart, from exactly the numbers of its table."""
    svg_id = f"chart-{table.key}"
    if table.key == "on-time-by-region":
        texts = []
        for _label, on_time, due, rate in table.rows:
            texts.append(str(_("nothing due")) if rate is None else f"{number_format(rate, 1)} % ({on_time}/{due})")
        return horizontal_bars(
            svg_id=svg_id,
            title=table.title,
            description=table.description,
            labels=table.column_values("region"),
            values=table.column_values("on_time_rate"),
            value_texts=texts,
        )
    # The fills of reporting/charts.py, by meaning: on time, late, partly (mid blue), unpaid and
    # outstanding (hatched red), not yet due (hatched grey).
    fills = {
        "on_time": "on_time",
        "received_by_due_date": "on_time",
        "late": "late",
        "received_after_due_date": "late",
        "partly_paid": "in_grace",
        "unpaid": "not_submitted",
        "outstanding": "not_submitted",
        "not_yet_due": "not_yet_due",
    }
    return stacked_bars(
        svg_id=svg_id,
        title=table.title,
        description=table.description,
        categories=[str(year) for year in table.column_values("year")],
        series=[Series(fills[column.key], column.label, table.column_values(column.key)) for column in table.series],
    )


@public
def payment_pattern(request: HttpRequest) -> HttpResponse:
    form, as_of, region, year = _pattern_request(request)
    context: dict[str, Any] = {"form": form, "as_of": as_of, "query_string": request.GET.urlencode()}
    if as_of is not None:
        pattern = pattern_selectors.payment_pattern(as_of=as_of)
        year = year or pattern.latest_due_year
        charts = []
        for key in pattern_selectors.CHART_TABLES:
            table = pattern_selectors.chart_table(pattern, key, region=region, year=year)
            charts.append({"table": table, "svg": draw(table)})
        context.update(
            pattern=pattern,
            region=region,
            region_label=pattern_selectors.region_label(region),
            year=year,
            by_year=pattern.by_year(region=region),
            total=pattern.figures(region=region),
            by_region=pattern.by_region(year=year),
            outcomes=pattern_selectors.OUTCOMES,
            charts=charts,
        )
    return render(request, "finance/publication/pattern.html", context)


@public
def payment_pattern_csv(request: HttpRequest, chart: str) -> HttpResponse:
    if chart not in pattern_selectors.CHART_TABLES:
        raise Http404
    form, as_of, region, year = _pattern_request(request)
    if form.is_bound and not form.is_valid():
        errors = "; ".join(f"{name}: {' '.join(problems)}" for name, problems in form.errors.items())
        return HttpResponseBadRequest(errors, content_type="text/plain; charset=utf-8")
    if as_of is None:
        raise Http404(_("No status of contributions has been published yet."))
    pattern = pattern_selectors.payment_pattern(as_of=as_of)
    table = pattern_selectors.chart_table(pattern, chart, region=region, year=year or pattern.latest_due_year)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="att-payment-pattern-{chart}-{as_of.isoformat()}.csv"'
    response.write("\ufeff")  # the byte order mark makes Excel read the file as UTF-8
    writer = csv.writer(response)
    writer.writerow(column.key for column in table.columns)
    for row in table.rows:
        writer.writerow(spreadsheet_safe(value) for value in row)
    return response

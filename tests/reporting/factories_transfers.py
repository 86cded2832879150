"""Reports for the transfer database tests, published through the services as in real life."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from openpyxl import load_workbook

from secretariat.reporting import services
from secretariat.reporting.contents import AnnualReportContents, FormContents, RowContents
from secretariat.reporting.models import Category, PublishedTransfer, ReportVersion
from secretariat.reporting.transfers import ROW_COLUMNS
from secretariat.states.models import State
from tests import factories


def state(iso3: str) -> State:
    return State.objects.get(iso3=iso3)


def officer() -> Any:
    return factories.UserFactory(email="transfers.officer@example.org")


def row(
    category: str,
    partner: str,
    *,
    items: int | None = 5,
    value: str | None = None,
    currency: str = "",
    basis: str = "actual",
    description: str = "",
    comments: str = "",
    intermediate_location: str = "",
) -> RowContents:
    return RowContents(
        category=Category.objects.get(code=category),
        partner=state(partner),
        basis=basis,
        items=items,
        value=Decimal(value) if value is not None else None,
        currency=currency if value is not None else "",
        description=description,
        comments=comments,
        intermediate_location=intermediate_location,
    )


def form(*rows: RowContents, visibility: str = "public", nil: bool = False) -> FormContents:
    return FormContents(is_nil=nil, visibility=visibility, rows=list(rows))


def contents(*, exports: FormContents | None = None, imports: FormContents | None = None) -> AnnualReportContents:
    """Both forms; one not given is a nil report."""
    forms = {
        "exports": exports or FormContents(is_nil=True, visibility="public"),
        "imports": imports or FormContents(is_nil=True, visibility="public"),
    }
    return AnnualReportContents(authority="Ministry of Defence", contact="Reporting officer", forms=forms)


def _through_to_publication(version: ReportVersion, by: Any) -> ReportVersion:
    version = services.draft_submit(version=version, submitted_by=by)
    version = services.version_review(version=version, reviewed_by=by)
    return services.version_publish(version=version, published_by=by)


def publish(iso3: str, year: int, by: Any, **forms: FormContents) -> ReportVersion:
    """Draft, fill, submit, review and publish an annual report of `iso3` on `year`."""
    draft = services.draft_start(state=state(iso3), kind="annual", year=year, started_by=by)
    services.draft_save_contents(version=draft, contents=contents(**forms), saved_by=by)
    return _through_to_publication(draft, by)


def amend(version: ReportVersion, by: Any, **forms: FormContents) -> ReportVersion:
    """Publish an amendment of `version`'s report with new contents."""
    report = version.report
    draft = services.draft_start(
        state=report.state, kind="annual", year=report.year, started_by=by, amendment_reason="Corrected figures"
    )
    services.draft_save_contents(version=draft, contents=contents(**forms), saved_by=by)
    return _through_to_publication(draft, by)


def all_rows() -> list[dict[str, Any]]:
    """Every public row as the selectors return them (the oracle of the tests)."""
    return list(PublishedTransfer.objects.values(*ROW_COLUMNS))


def xlsx_cells(content: bytes) -> list[list[Any]]:
    """Every row of the first sheet of a workbook, as values."""
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    return [list(values) for values in workbook.worksheets[0].iter_rows(values_only=True)]


def body_text(response: Any) -> str:
    """What a response says, whatever its kind (streamed, a file, a workbook)."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if response["Content-Type"].startswith("application/vnd.openxmlformats"):
        return "\n".join(" ".join("" if cell is None else str(cell) for cell in row) for row in xlsx_cells(content))
    return content.decode("utf-8")

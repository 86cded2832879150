"""Publishing the quarterly status of contributions.

`status_publish` freezes the status of contributions to the General Budget "as of" a date (by
default the end of the last complete quarter): the figures (selectors/contributions.py) and the
summary ledger of every fund are stored as JSON in `ContributionStatus.figures`, with a PDF
(WeasyPrint) and an XLSX (openpyxl) of the status. The row and its two files are written together:
if anything fails, the row is rolled back and the files already written to the storage are deleted.
A date is published once. Later payments, credit notes or reversals never change a publication:
the public pages read its frozen figures, never the live ledger.

The files are made in the Secretariat's publishing language (settings.LANGUAGE_CODE); the pages
show the same frozen figures in the reader's language.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from ..models import ContributionStatus, Fund
from ..selectors.contributions import ContributionFigures, contribution_status, summary_ledger


def last_complete_quarter_end(today: dt.date) -> dt.date:
    """The last day of the last calendar quarter that has ended before `today`."""
    quarter_start = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    return quarter_start - dt.timedelta(days=1)


def file_name(as_of: dt.date, extension: str) -> str:
    return f"att-status-of-contributions-{as_of.isoformat()}.{extension}"


def status_publish(*, user: Any, as_of: dt.date | None = None) -> ContributionStatus:
    """Publish the status of contributions as of `as_of` (default: the end of the last complete
    quarter). Refused with a clear message, nothing written: a date in the future, a date already
    published, a date on which nothing had been assessed."""
    today = timezone.localdate()
    as_of = as_of or last_complete_quarter_end(today)
    if as_of > today:
        raise ValidationError(
            _("The status cannot be published as of a date in the future (%(day)s).") % {"day": as_of.isoformat()}
        )
    fund = Fund.general()
    _refuse_if_published(fund, as_of)
    with transaction.atomic():  # one consistent reading of the ledger (SQLite: one snapshot)
        figures = contribution_status(as_of=as_of, fund=fund)
        ledger = summary_ledger(as_of=as_of)
    if not figures.states:
        raise ValidationError(
            _("Nothing had been assessed by %(day)s: there is no status of contributions to publish.")
            % {"day": as_of.isoformat()}
        )
    # The files are made before the transaction: rendering a PDF takes a while.
    with translation.override(settings.LANGUAGE_CODE):
        pdf = status_pdf(figures)
        xlsx = status_xlsx(figures)
    status = ContributionStatus(
        fund=fund, as_of=as_of, figures={**figures.to_json(), "summary_ledger": ledger}, published_by=user
    )
    try:
        with transaction.atomic():
            _refuse_if_published(fund, as_of)
            status.pdf.save(file_name(as_of, "pdf"), ContentFile(pdf), save=False)
            status.xlsx.save(file_name(as_of, "xlsx"), ContentFile(xlsx), save=False)
            status.save()
    except BaseException as error:
        _delete_files(status)
        if isinstance(error, IntegrityError) and ContributionStatus.objects.filter(fund=fund, as_of=as_of).exists():
            raise _already_published(as_of) from error  # a simultaneous publication of the same date
        raise
    return status


def _already_published(as_of: dt.date) -> ValidationError:
    return ValidationError(
        _("The status of contributions as of %(day)s has already been published.") % {"day": as_of.isoformat()}
    )


def _refuse_if_published(fund: Fund, as_of: dt.date) -> None:
    if ContributionStatus.objects.filter(fund=fund, as_of=as_of).exists():
        raise _already_published(as_of)


def _delete_files(status: ContributionStatus) -> None:
    """Remove from the storage the files of a publication that was not saved."""
    for stored in (status.pdf, status.xlsx):
        if stored.name:
            stored.storage.delete(stored.name)


# ---------------------------------------------------------------------------- the files


def status_pdf(figures: ContributionFigures) -> bytes:
    """The status of contributions as a PDF (A4; the template carries its own CSS and loads nothing)."""
    from weasyprint import HTML  # imported here: loading WeasyPrint (pango) is slow

    html = render_to_string("finance/publication/status_pdf.html", {"figures": figures, "years": figures.by_year()})
    return HTML(string=html, base_url=None, url_fetcher=_no_fetch).write_pdf()


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict:
    raise ValueError(f"The status of contributions PDF loads no resource ({url}).")


AMOUNT_FORMAT = "#,##0.00"


def _text(sheet: Any, value: str, *, bold: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"  # text, even if it starts with "=" (never a formula)
    if bold:
        cell.font = Font(bold=True)
    return cell


def _amount(sheet: Any, value: Any, *, bold: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = AMOUNT_FORMAT
    if bold:
        cell.font = Font(bold=True)
    return cell


def status_xlsx(figures: ContributionFigures) -> bytes:
    """The status of contributions as a workbook: one row per State and financial year, then the
    totals per State and per financial year, each sheet headed by its as-of date and currency."""
    workbook = Workbook(write_only=True)
    title = _("Status of contributions to the General Budget as of %(day)s (%(currency)s)") % {
        "day": figures.as_of.isoformat(),
        "currency": figures.currency,
    }
    amount_headers = [_("Assessed"), _("Credit notes"), _("Received"), _("Outstanding")]

    def sheet_with_headers(name: str, headers: list[str]) -> Any:
        sheet = workbook.create_sheet(name)
        sheet.append([_text(sheet, title, bold=True)])
        sheet.append([])
        sheet.append([_text(sheet, header, bold=True) for header in headers])
        return sheet

    def amounts_cells(sheet: Any, amounts: Any, *, bold: bool = False) -> list[WriteOnlyCell]:
        values = (amounts.assessed, amounts.credited, amounts.received, amounts.outstanding)
        return [_amount(sheet, value, bold=bold) for value in values]

    rows = sheet_with_headers(
        _("By State and year"), [_("State"), _("ISO3"), _("UN regional group"), _("Financial year"), *amount_headers]
    )
    for state in figures.states:
        for year, amounts in state.years:
            rows.append(
                [_text(rows, state.names["en"]), _text(rows, state.iso3), _text(rows, state.region_label), year]
                + amounts_cells(rows, amounts)
            )
    rows.append([_text(rows, _("Total"), bold=True), None, None, None, *amounts_cells(rows, figures.total, bold=True)])

    per_state = sheet_with_headers(
        _("By State"),
        [_("State"), _("ISO3"), _("UN regional group"), *amount_headers, _("Credit held (payments not yet allocated)")],
    )
    for state in figures.states:
        per_state.append(
            [_text(per_state, state.names["en"]), _text(per_state, state.iso3), _text(per_state, state.region_label)]
            + amounts_cells(per_state, state.total)
            + [_amount(per_state, state.credit_held)]
        )
    per_state.append(
        [_text(per_state, _("Total"), bold=True), None, None]
        + amounts_cells(per_state, figures.total, bold=True)
        + [_amount(per_state, figures.credit_held, bold=True)]
    )

    per_year = sheet_with_headers(_("By financial year"), [_("Financial year"), *amount_headers])
    for year, amounts in figures.by_year():
        per_year.append([year, *amounts_cells(per_year, amounts)])
    per_year.append([_text(per_year, _("Total"), bold=True), *amounts_cells(per_year, figures.total, bold=True)])

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

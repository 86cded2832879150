"""The confirmed spreadsheet import: rows written a batch at a time as the file is read, and
nothing at all when the file turns out to have an error, even after batches were written."""

import pytest

from secretariat.reporting.models import Channel, Report, ReportVersion, TransferRow, VersionStatus
from secretariat.reporting.services_spreadsheets import ImportRefused, draft_import_workbook
from secretariat.reporting.spreadsheets import SINK_BATCH, parse_workbook
from tests import factories
from tests.reporting.factories_spreadsheets import EXPORT_ROW, IMPORT_ROW, filled_template

pytestmark = pytest.mark.django_db

YEAR = 2022
MANY = SINK_BATCH * 2 + 7  # three batches


def export_rows(count, partner="Mexico"):
    return [(*EXPORT_ROW[:1], partner, *EXPORT_ROW[2:8], f"Lot {index}", "") for index in range(count)]


def test_a_row_sink_gets_every_valid_row_in_batches_and_the_result_keeps_none(ghana):
    batches = []
    data = filled_template(ghana, YEAR, exports=export_rows(MANY), public={"exports": "Yes"})

    result = parse_workbook(
        data, state=ghana, year=YEAR, row_sink=lambda direction, rows: batches.append((direction, list(rows)))
    )

    assert not result.has_errors
    assert [(direction, len(rows)) for direction, rows in batches] == [
        ("exports", SINK_BATCH),
        ("exports", SINK_BATCH),
        ("exports", 7),
        ("imports", 1),
    ]
    assert [row.description for _direction, rows in batches[:3] for row in rows] == [f"Lot {i}" for i in range(MANY)]
    assert all(not form.rows for form in result.contents.forms.values())
    assert result.contents.forms["exports"].visibility == "public"


def test_the_import_writes_every_row_and_the_answers_of_each_form(ghana):
    rep = factories.UserFactory()
    data = filled_template(ghana, YEAR, exports=export_rows(MANY), public={"exports": "Yes", "imports": "No"})

    draft, result = draft_import_workbook(state=ghana, year=YEAR, data=data, imported_by=rep)

    assert draft.status == VersionStatus.DRAFT
    assert draft.channel == Channel.SPREADSHEET
    assert draft.authority == "Ministry of Defence"
    forms = {form.direction: form for form in draft.forms.all()}
    assert (forms["exports"].visibility, forms["exports"].rows.count()) == ("public", MANY)
    assert (forms["imports"].visibility, forms["imports"].rows.count()) == ("restricted", 1)
    assert sum(form.rows for form in result.forms) == MANY + 1


def test_an_error_after_written_batches_leaves_nothing(ghana):
    rep = factories.UserFactory()
    rows = [*export_rows(MANY), (*EXPORT_ROW[:1], "Mexco", *EXPORT_ROW[2:])]
    data = filled_template(ghana, YEAR, exports=rows)

    with pytest.raises(ImportRefused) as refused:
        draft_import_workbook(state=ghana, year=YEAR, data=data, imported_by=rep)

    (error,) = refused.value.result.errors
    assert "Mexco" in error.message
    assert not Report.objects.filter(state=ghana).exists()
    assert not TransferRow.objects.exists()


def test_a_refused_file_leaves_the_open_draft_as_it_was(ghana, mexico):
    rep = factories.UserFactory()
    draft = factories.annual_draft(state=ghana, year=YEAR, by=rep, partner=mexico)
    before = list(TransferRow.objects.filter(form__version=draft).values_list("pk", "description"))
    data = filled_template(ghana, YEAR, exports=[*export_rows(MANY), (*EXPORT_ROW[:1], "Mexco", *EXPORT_ROW[2:])])

    with pytest.raises(ImportRefused):
        draft_import_workbook(state=ghana, year=YEAR, data=data, imported_by=rep)

    assert list(TransferRow.objects.filter(form__version=draft).values_list("pk", "description")) == before
    assert ReportVersion.objects.filter(report__state=ghana).count() == 1


def test_duplicates_are_found_without_keeping_the_rows(ghana):
    rows = [*export_rows(3), export_rows(1)[0]]  # the last row repeats the first
    data = filled_template(ghana, YEAR, exports=rows, imports=[IMPORT_ROW])

    result = parse_workbook(data, state=ghana, year=YEAR, row_sink=lambda direction, rows: None)

    (warning,) = result.warnings
    assert "repeats row 7" in warning.message
    assert warning.row == 10

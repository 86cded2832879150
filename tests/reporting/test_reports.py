"""Reports received by the Secretariat: versions, constraints, and what they do to the obligations."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from secretariat.reporting.models import (
    Category,
    Report,
    ReportForm,
    ReportVersion,
    TransferRow,
    VersionStatus,
)
from secretariat.reporting.obligations import ObligationStatus
from secretariat.reporting.selectors import state_obligations, submissions_for
from secretariat.reporting.services import report_record_received
from secretariat.states.models import State
from tests import factories

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture
def afghanistan():
    return State.objects.get(iso3="AFG")


@pytest.fixture
def officer(db):
    return factories.UserFactory(email="reporting.officer@example.org")


def record(state, officer, **kwargs):
    defaults = {"kind": "annual", "year": 2021, "received_on": dt.date(2022, 5, 20)}
    return report_record_received(state=state, recorded_by=officer, **{**defaults, **kwargs})


def annual_2021_status(state, day=dt.date(2023, 1, 1)):
    rows = state_obligations(state=state, day=day).rows(day)
    return next(row.status for row in rows if row.obligation.kind == "annual" and row.obligation.year == 2021)


def test_the_article_2_categories_are_loaded():
    assert Category.objects.count() == 23
    assert Category.objects.get(code="VIII.SA.4").label_en == "Assault rifles"
    assert Category.objects.get(code="VIII.SA.4").parent.code == "VIII.SA"
    assert Category.objects.filter(parent__isnull=True).count() == 8  # Art. 2(1)(a)-(h)


@pytest.mark.parametrize(
    ("received_on", "expected"),
    [
        (dt.date(2022, 5, 31), ObligationStatus.SUBMITTED_ON_TIME),
        (dt.date(2022, 6, 7), ObligationStatus.SUBMITTED_IN_GRACE),
        (dt.date(2022, 6, 8), ObligationStatus.SUBMITTED_LATE),
    ],
)
def test_a_recorded_report_sets_the_obligation_status(afghanistan, officer, received_on, expected):
    assert annual_2021_status(afghanistan) == ObligationStatus.OVERDUE
    record(afghanistan, officer, received_on=received_on)
    assert annual_2021_status(afghanistan) == expected


def test_a_report_counts_only_from_the_day_it_was_received(afghanistan, officer):
    record(afghanistan, officer, received_on=dt.date(2022, 6, 20))
    assert annual_2021_status(afghanistan, dt.date(2022, 6, 10)) == ObligationStatus.OVERDUE
    assert annual_2021_status(afghanistan, dt.date(2022, 6, 20)) == ObligationStatus.SUBMITTED_LATE


def test_an_amendment_needs_a_reason_and_keeps_the_first_receipt(afghanistan, officer):
    first = record(afghanistan, officer, received_on=dt.date(2022, 5, 30))
    with pytest.raises(ValidationError, match="say why"):
        record(afghanistan, officer, received_on=dt.date(2022, 9, 1))
    assert ReportVersion.objects.filter(report=first.report).count() == 1
    second = record(afghanistan, officer, received_on=dt.date(2022, 9, 1), amendment_reason="Corrected imports")
    assert (first.number, second.number) == (1, 2)
    assert submissions_for(state=afghanistan) == {("annual", 2021): dt.date(2022, 5, 30)}
    assert annual_2021_status(afghanistan) == ObligationStatus.SUBMITTED_ON_TIME


def test_the_initial_report_is_recorded_without_a_year(afghanistan, officer):
    record(afghanistan, officer, kind="initial", year=None, received_on=dt.date(2021, 10, 1))
    rows = state_obligations(state=afghanistan, day=dt.date(2023, 1, 1)).rows(dt.date(2023, 1, 1))
    initial = next(row for row in rows if row.obligation.kind == "initial")
    assert initial.status == ObligationStatus.SUBMITTED_ON_TIME


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "initial", "year": 2021}, "covers no calendar year"),
        ({"year": None}, "Give the calendar year"),
        ({"received_on": dt.date(2099, 1, 1)}, "cannot be in the future"),
        ({"year": 2023, "received_on": dt.date(2022, 5, 1)}, "a year that has begun"),
        ({"kind": "bogus"}, "Unknown kind"),
        ({"forms": {"transit": {}}}, "Unknown form"),
        ({"kind": "initial", "year": None, "forms": {"exports": {}}}, "no exports or imports forms"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(afghanistan, officer, kwargs, message):
    with pytest.raises(ValidationError, match=message):
        record(afghanistan, officer, **kwargs)
    assert not Report.objects.exists()
    assert not ReportVersion.objects.exists()


def test_a_state_that_never_joined_has_no_report_to_make(officer):
    with pytest.raises(ValidationError, match="no instrument on record"):
        record(State.objects.get(iso3="IND"), officer)


def test_the_file_is_kept_with_the_version_under_a_name_we_choose(afghanistan, officer, settings):
    upload = SimpleUploadedFile("../../etc/Rapport annuel 2021.PDF", PDF, content_type="application/pdf")
    version = record(afghanistan, officer, upload=upload)
    assert version.original_file.name == "reports/AFG/annual-2021-v1.pdf"
    with version.original_file.open("rb") as stored:
        assert stored.read() == PDF


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.pdf", b"PK\x03\x04 not a pdf", "not a .pdf file"),
        ("report.exe", b"MZ\x90\x00", "Attach the report as"),
        ("report", PDF, "Attach the report as"),
    ],
)
def test_a_file_that_is_not_what_it_says_is_refused(afghanistan, officer, name, content, message):
    with pytest.raises(ValidationError, match=message):
        record(afghanistan, officer, upload=SimpleUploadedFile(name, content))
    assert not ReportVersion.objects.exists()


def test_a_huge_file_is_refused(afghanistan, officer, monkeypatch):
    monkeypatch.setattr("secretariat.reporting.services.MAX_FILE_BYTES", 10)
    with pytest.raises(ValidationError, match="the limit is"):
        record(afghanistan, officer, upload=SimpleUploadedFile("r.pdf", PDF))
    assert not ReportVersion.objects.exists()


def test_the_forms_of_an_annual_report_are_recorded(afghanistan, officer):
    version = record(
        afghanistan,
        officer,
        forms={"exports": {"is_nil": True, "visibility": "public"}, "imports": {"visibility": "restricted"}},
    )
    forms = {form.direction: (form.is_nil, form.visibility) for form in version.forms.all()}
    assert forms == {"exports": (True, "public"), "imports": (False, "restricted")}


def test_the_database_keeps_one_report_per_obligation(afghanistan):
    Report.objects.create(state=afghanistan, kind="initial")
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.create(state=afghanistan, kind="initial")
    Report.objects.create(state=afghanistan, kind="annual", year=2021)
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.create(state=afghanistan, kind="annual", year=2021)
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.create(state=afghanistan, kind="annual", year=None)


def test_the_database_refuses_a_second_version_one_and_an_amendment_without_reason(afghanistan, officer):
    version = record(afghanistan, officer)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportVersion.objects.create(
            report=version.report, number=1, status="submitted", channel="email", received_on=dt.date(2022, 5, 1)
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportVersion.objects.create(
            report=version.report, number=2, status="submitted", channel="email", received_on=dt.date(2022, 5, 1)
        )


def test_a_transfer_row_needs_items_or_a_value_with_its_currency(afghanistan, officer):
    version = record(afghanistan, officer, forms={"exports": {}})
    form = ReportForm.objects.get(version=version)
    base = {"form": form, "category": Category.objects.get(code="I"), "partner": State.objects.get(iso3="GHA")}
    TransferRow.objects.create(**base, items=3, basis="actual")
    TransferRow.objects.create(**base, value=Decimal("1000.00"), currency="USD", basis="authorised")
    for bad in (
        {"basis": "actual"},  # neither items nor value
        {"value": Decimal("5"), "basis": "actual"},  # value without currency
        {"items": 1, "currency": "USD", "basis": "actual"},  # currency without value
        {"value": Decimal("-1"), "currency": "USD", "basis": "actual"},
        {"items": 1, "basis": "maybe"},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            TransferRow.objects.create(**base, **bad)
    assert TransferRow.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_recordings_get_versions_one_and_two(article2_categories):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself; the row lock matters on PostgreSQL")
    call_command("load_reference_data", verbosity=0)
    state = State.objects.get(iso3="AFG")
    officer = factories.UserFactory(email="concurrent@example.org")
    barrier = threading.Barrier(2)
    errors = []

    def worker(reason):
        try:
            barrier.wait()
            record(state, officer, amendment_reason=reason)
        except ValidationError as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(f"reason {n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(ReportVersion.objects.values_list("number", flat=True)) == [1, 2]
    assert VersionStatus.SUBMITTED in set(ReportVersion.objects.values_list("status", flat=True))

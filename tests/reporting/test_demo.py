"""Synthetic reports: the demo loader of `make run` and the large-data generator."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from secretariat.reporting.demo import demo_reports_load, generate_transfers
from secretariat.reporting.models import (
    PublishedTransfer,
    Report,
    ReportForm,
    ReportVersion,
    TransferRow,
    VersionStatus,
    Visibility,
)
from secretariat.reporting.selectors import latest_published_ids
from secretariat.reporting.transfers import TransferFilters, transfer_count
from tests.reporting import factories_transfers as f

pytestmark = pytest.mark.django_db


def _snapshot() -> tuple:
    return (
        list(Report.objects.order_by("pk").values_list("pk", flat=True)),
        list(ReportVersion.objects.order_by("pk").values_list("pk", "status")),
        ReportForm.objects.count(),
        TransferRow.objects.count(),
        PublishedTransfer.objects.count(),
    )


def test_the_demo_loader_makes_a_varied_synthetic_set_once():
    created = demo_reports_load()
    before = _snapshot()

    assert demo_reports_load() == 0
    assert _snapshot() == before
    reports = Report.objects.all()
    assert 60 <= created == reports.count()
    assert all(report.is_synthetic for report in reports)
    assert 30 <= reports.values("state").distinct().count() <= 40
    today = timezone.localdate()
    assert set(reports.values_list("year", flat=True)) <= set(range(today.year - 4, today.year))
    versions = ReportVersion.objects.all()
    statuses = set(versions.values_list("status", flat=True))
    assert {VersionStatus.PUBLISHED, VersionStatus.SUBMITTED} <= statuses
    assert versions.filter(number=2).exclude(amendment_reason="").exists()  # some amendments
    assert versions.filter(withheld_commercial=True).exists()
    assert versions.filter(withheld_security=True).exists()
    forms = ReportForm.objects.all()
    assert forms.filter(is_nil=True).exists()
    assert forms.filter(visibility=Visibility.RESTRICTED, is_nil=False).exists()
    # On time, in the grace period and late: the first version's day received against 31 May.
    delays = {
        (version.received_on - dt.date(version.report.year + 1, 5, 31)).days
        for version in versions.filter(number=1).select_related("report")
    }
    assert any(delay <= 0 for delay in delays)
    assert any(1 <= delay <= 7 for delay in delays)
    assert any(delay > 7 for delay in delays)


def test_demo_rows_are_public_rows_of_the_latest_published_versions_only():
    demo_reports_load()

    expected = TransferRow.objects.filter(
        form__version__in=latest_published_ids(), form__visibility=Visibility.PUBLIC, form__is_nil=False
    )
    published = PublishedTransfer.objects.all()

    assert set(published.values_list("row_id", flat=True)) == set(expected.values_list("pk", flat=True))
    assert published.exists()
    assert not published.filter(is_synthetic=False).exists()
    assert transfer_count(TransferFilters()) == published.count()


def test_the_generator_makes_exactly_n_rows_and_replaces_the_previous_ones():
    officer = f.officer()
    real = f.publish("GHA", 2020, officer, exports=f.form(f.row("I", "MEX")))
    demo_reports_load()

    assert generate_transfers(500, seed=1) == 500
    assert PublishedTransfer.objects.filter(is_synthetic=True).count() == 500
    assert generate_transfers(120, seed=2) == 120

    assert PublishedTransfer.objects.filter(is_synthetic=True).count() == 120
    assert PublishedTransfer.objects.filter(is_synthetic=False).count() == 1  # the real report is untouched
    assert Report.objects.get(pk=real.report_id).is_synthetic is False
    synthetic = PublishedTransfer.objects.filter(is_synthetic=True)
    assert not synthetic.filter(report__state_id=real.report.state_id, year=2020).exists()
    assert transfer_count(TransferFilters()) == 121
    # Restricted forms hold rows too, which never reach the public table.
    restricted_rows = TransferRow.objects.filter(form__visibility=Visibility.RESTRICTED)
    assert restricted_rows.exists()
    assert not PublishedTransfer.objects.filter(row__in=restricted_rows).exists()
    # Same seed, same data.
    first = list(synthetic.order_by("id").values_list("year", "reporter_id", "partner_id", "items", "value"))
    generate_transfers(120, seed=2)
    again = PublishedTransfer.objects.filter(is_synthetic=True).order_by("id")
    assert list(again.values_list("year", "reporter_id", "partner_id", "items", "value")) == first


def test_the_command_reports_what_it_made():
    out = io.StringIO()
    call_command("generate_demo_reports", "--transfers", "40", "--seed", "5", stdout=out)

    assert "40 synthetic transfer rows written" in out.getvalue()
    assert PublishedTransfer.objects.count() == 40
    with pytest.raises(CommandError):
        call_command("generate_demo_reports", "--transfers", "-1", stdout=io.StringIO())

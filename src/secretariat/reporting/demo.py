"""Synthetic reports: demo data for `make run`, and large data sets for the benchmarks.

Everything made here is marked `Report.is_synthetic` (and `PublishedTransfer.is_synthetic`), and
the pages label it "synthetic demo data". It is seed data, so the versions are written with the
ORM directly (with realistic past dates, which the services would not allow); the public transfer
rows are then built by `services.published_transfers_refresh`, exactly as for a real report,
except in `generate_transfers`, which writes a million rows in bulk and must stay fast.

- `demo_reports_load()`: about forty States Parties, annual reports on the last four ended years:
  on time, in the grace period, late or missing; nil forms; public and restricted forms;
  withheld-information flags; a few amendments. Idempotent: does nothing once synthetic reports
  exist.
- `generate_transfers(n, seed)`: deletes every synthetic report, then makes `n` synthetic public
  transfer rows (and the reports, versions, forms and transfer rows behind them).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from secretariat.states.models import State, TreatyStatus

from . import services
from .models import (
    Basis,
    Category,
    Channel,
    Direction,
    PublishedTransfer,
    Report,
    ReportForm,
    ReportKind,
    ReportVersion,
    TransferRow,
    VersionStatus,
    Visibility,
)
from .transfers import transfer_data_changed

DEMO_STATES = 40
DEMO_YEARS = 4
SYNTHETIC_AUTHORITY = "Synthetic demo data (not a State's report)"
DESCRIPTIONS = [
    "Main battle tanks",
    "Armoured personnel carriers",
    "Self-propelled howitzers",
    "Multi-role combat aircraft",
    "Attack helicopters",
    "Patrol vessels",
    "Surface-to-air missiles",
    "Pistols",
    "Assault rifles",
    "Machine guns",
    "Mortars",
    "",
]
CURRENCIES = ["USD", "EUR", "GBP", "CHF", "JPY"]
INTERMEDIATE = ["", "", "", "", "Rotterdam (NLD)", "Antwerp (BEL)", "Dubai (ARE)"]


def _today() -> dt.date:
    return timezone.localdate()


def _aware(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _parties(day: dt.date) -> list[State]:
    """States Parties on `day` with a known entry into force, in registry order."""
    return [
        state
        for state in State.objects.order_by("pk")
        if state.status_on(day).status == TreatyStatus.PARTY and state.entry_into_force is not None
    ]


def synthetic_reports_delete() -> int:
    """Delete every synthetic report and everything behind it. Returns the number of reports."""
    reports = Report.objects.filter(is_synthetic=True)
    with transaction.atomic():
        PublishedTransfer.objects.filter(report__in=reports).delete()
        TransferRow.objects.filter(form__version__report__in=reports).delete()
        ReportForm.objects.filter(version__report__in=reports).delete()
        ReportVersion.objects.filter(report__in=reports).delete()
        deleted, _by_model = reports.delete()
        transfer_data_changed()
    return deleted


# ---------------------------------------------------------------------------- large data sets


@dataclass
class _Plan:
    report: Report
    version: ReportVersion
    published_on: dt.date
    forms: dict[str, ReportForm]


def _row_values(rng: random.Random, states: list[int], categories: list[int], reporter_id: int) -> tuple:
    """(category, partner, origin, intermediate, items, value, currency, basis, description)."""
    partner = rng.choice(states)
    while partner == reporter_id:
        partner = rng.choice(states)
    shape = rng.random()
    items = rng.randint(1, 5000) if shape < 0.85 else None
    value = Decimal(rng.randint(1_000, 500_000_000)) / 100 if (items is None or shape < 0.4) else None
    currency = rng.choice(CURRENCIES) if value is not None else ""
    origin = None if rng.random() < 0.8 else rng.choice(states)
    return (
        rng.choice(categories),
        partner,
        origin,
        rng.choice(INTERMEDIATE),
        items,
        value,
        currency,
        Basis.ACTUAL if rng.random() < 0.6 else Basis.AUTHORISED,
        rng.choice(DESCRIPTIONS),
    )


def _insert(table: str, columns: list[str], rows: list[tuple]) -> None:
    if not rows:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            names = ", ".join(columns)
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:  # noqa: S608 - our names
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)  # noqa: S608


def generate_transfers(n: int, seed: int = 1, *, batch: int = 10_000, progress: Any = None) -> int:
    """Replace all synthetic reports by new ones holding exactly `n` public transfer rows.

    The reports are annual reports of States Parties (one per State and year, on years with no
    real report), each with one published version and two forms; about one imports form in five
    is restricted (a few rows, never in the public table). Rows are written in batches with
    explicit ids (COPY on PostgreSQL), not through the ORM: a million rows take about a minute.
    Returns the number of public rows written.
    """
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    synthetic_reports_delete()
    today = _today()
    states = list(State.objects.order_by("pk").values_list("pk", flat=True))
    categories = list(Category.objects.order_by("position").values_list("pk", flat=True))
    taken = set(Report.objects.filter(kind=ReportKind.ANNUAL).values_list("state_id", "year"))
    pairs = []
    for state in _parties(today):
        first = state.entry_into_force.year + 1
        for year in range(max(first, 2015), today.year):
            if (state.pk, year) not in taken:
                pairs.append((state.pk, year))
    rng.shuffle(pairs)
    wanted = min(len(pairs), max(1, math.ceil(n / 100)))
    pairs = sorted(pairs[:wanted], key=lambda pair: (pair[1], pair[0]))
    if n and not pairs:
        raise ValueError("No State Party is left without a report to attach synthetic rows to.")

    with transaction.atomic():
        plans = _make_reports(rng, pairs, today)
        # Split the n public rows among the public forms (every exports form is public).
        public_forms = [
            (plan, form) for plan in plans for form in plan.forms.values() if form.visibility == Visibility.PUBLIC
        ]
        weights = [rng.random() + 0.2 for _form in public_forms]
        total = sum(weights)
        shares = [int(n * weight / total) for weight in weights]
        for index in range(n - sum(shares)):
            shares[index % len(shares)] += 1
        restricted = [(plan, form) for plan in plans for form in plan.forms.values() if form not in public_forms]
        rebuild = n >= REBUILD_INDEXES_FROM
        if rebuild:  # building an index once is much faster than updating it a million times
            _transfer_indexes("drop")
        written = _write_rows(rng, public_forms, shares, restricted, states, categories, batch, progress)
        if rebuild:
            _transfer_indexes("create")
        transfer_data_changed()
    _analyse()
    return written


def _make_reports(rng: random.Random, pairs: list[tuple[int, int]], today: dt.date) -> list[_Plan]:
    reports = Report.objects.bulk_create(
        [Report(state_id=state_id, kind=ReportKind.ANNUAL, year=year, is_synthetic=True) for state_id, year in pairs]
    )
    versions = []
    for report in reports:
        received = min(dt.date(report.year + 1, 5, 31) + dt.timedelta(days=rng.randint(-60, 40)), today)
        published = min(received + dt.timedelta(days=rng.randint(20, 90)), today)
        versions.append(
            ReportVersion(
                report=report,
                number=1,
                status=VersionStatus.PUBLISHED,
                channel=Channel.ONLINE,
                received_on=received,
                submitted_at=_aware(received),
                reviewed_at=_aware(published, 9),
                published_at=_aware(published),
                authority=SYNTHETIC_AUTHORITY,
                report_date=received,
            )
        )
    versions = ReportVersion.objects.bulk_create(versions)
    forms = []
    for index, version in enumerate(versions):
        forms.append(ReportForm(version=version, direction=Direction.EXPORTS, visibility=Visibility.PUBLIC))
        # One imports form in five is restricted to States Parties (the first one always).
        imports_visibility = Visibility.RESTRICTED if index % 5 == 0 else Visibility.PUBLIC
        forms.append(ReportForm(version=version, direction=Direction.IMPORTS, visibility=imports_visibility))
    forms = ReportForm.objects.bulk_create(forms)
    plans = []
    for index, version in enumerate(versions):
        exports, imports = forms[2 * index], forms[2 * index + 1]
        plans.append(
            _Plan(
                report=version.report,
                version=version,
                published_on=timezone.localdate(version.published_at),
                forms={Direction.EXPORTS: exports, Direction.IMPORTS: imports},
            )
        )
    return plans


ROW_COLUMNS = [
    "id",
    "form_id",
    "category_id",
    "partner_id",
    "origin_id",
    "intermediate_location",
    "items",
    "value",
    "currency",
    "basis",
    "description",
    "comments",
]
PUBLISHED_COLUMNS = [
    "id",
    "row_id",
    "report_id",
    "version_id",
    "year",
    "direction",
    "reporter_id",
    "reporter_region",
    "partner_id",
    "partner_region",
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
]


def _write_rows(
    rng: random.Random,
    public_forms: list[tuple[_Plan, ReportForm]],
    shares: list[int],
    restricted: list[tuple[_Plan, ReportForm]],
    states: list[int],
    categories: list[int],
    batch: int,
    progress: Any,
) -> int:
    regions = dict(State.objects.values_list("pk", "region"))
    next_row = (TransferRow.objects.aggregate(last=Max("id"))["last"] or 0) + 1
    next_published = (PublishedTransfer.objects.aggregate(last=Max("id"))["last"] or 0) + 1
    row_table = TransferRow._meta.db_table
    published_table = PublishedTransfer._meta.db_table
    written = 0

    def flush(rows: list[tuple], published: list[tuple]) -> None:
        _insert(row_table, ROW_COLUMNS, rows)
        _insert(published_table, PUBLISHED_COLUMNS, published)
        rows.clear()
        published.clear()

    rows: list[tuple] = []
    published: list[tuple] = []
    for (plan, form), share in zip(public_forms, shares, strict=True):
        report = plan.report
        for _n in range(share):
            values = _row_values(rng, states, categories, report.state_id)
            category, partner, origin, intermediate, items, value, currency, basis, description = values
            rows.append((next_row, form.pk, *values, ""))
            published.append(
                (
                    next_published,
                    next_row,
                    report.pk,
                    plan.version.pk,
                    report.year,
                    form.direction,
                    report.state_id,
                    regions[report.state_id],
                    partner,
                    regions[partner],
                    category,
                    origin,
                    intermediate,
                    items,
                    value,
                    currency,
                    basis,
                    description,
                    "",
                    True,
                    plan.published_on,
                )
            )
            next_row += 1
            next_published += 1
            written += 1
            if len(rows) >= batch:
                flush(rows, published)
                if progress:
                    progress(written)
    for _plan, form in restricted:
        for _n in range(rng.randint(1, 4)):
            rows.append((next_row, form.pk, *_row_values(rng, states, categories, _plan.report.state_id), ""))
            next_row += 1
    flush(rows, published)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [TransferRow, PublishedTransfer]):
                cursor.execute(sql)
    return written


REBUILD_INDEXES_FROM = 100_000


def _transfer_indexes(action: str) -> None:
    """Drop or create the indexes of PublishedTransfer's Meta (inside the caller's transaction)."""
    editor = connection.schema_editor()
    with connection.cursor() as cursor:
        if action == "create" and connection.vendor == "postgresql":
            # Check the deferred foreign keys of the rows just written now: PostgreSQL builds no
            # index on a table with pending checks.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for index in PublishedTransfer._meta.indexes:
            if action == "drop":
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(index.name)}")
            else:
                cursor.execute(str(index.create_sql(PublishedTransfer, editor)))


def _analyse() -> None:
    """Refresh the planner's statistics after a bulk load (both databases plan with them)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {PublishedTransfer._meta.db_table}")  # noqa: S608
            cursor.execute(f"ANALYZE {TransferRow._meta.db_table}")  # noqa: S608
        else:
            cursor.execute("ANALYZE")


# ---------------------------------------------------------------------------- demo reports for `make run`

DEMO_SEED = 2014
OUTCOMES = [("missing", 15), ("on_time", 50), ("in_grace", 15), ("late", 20)]


def _pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([name for name, _weight in weighted], weights=[weight for _name, weight in weighted])[0]


def _demo_rows(rng: random.Random, form: ReportForm, reporter: State, states: list[State], categories: list) -> list:
    rows = []
    for _n in range(rng.randint(1, 8)):
        partner = rng.choice(states)
        while partner.pk == reporter.pk:
            partner = rng.choice(states)
        has_value = rng.random() < 0.35
        rows.append(
            TransferRow(
                form=form,
                category=rng.choice(categories),
                partner=partner,
                origin=partner if form.direction == Direction.IMPORTS and rng.random() < 0.3 else None,
                items=rng.randint(1, 500) if (not has_value or rng.random() < 0.7) else None,
                value=Decimal(rng.randint(10_000, 50_000_000)) if has_value else None,
                currency="USD" if has_value else "",
                basis=Basis.ACTUAL if rng.random() < 0.6 else Basis.AUTHORISED,
                description=rng.choice(DESCRIPTIONS),
            )
        )
    return rows


def _demo_version(
    rng: random.Random,
    report: Report,
    *,
    number: int,
    received: dt.date,
    status: str,
    today: dt.date,
    reason: str = "",
) -> ReportVersion:
    reviewed = min(received + dt.timedelta(days=rng.randint(5, 40)), today)
    published = min(reviewed + dt.timedelta(days=rng.randint(1, 20)), today)
    return ReportVersion.objects.create(
        report=report,
        number=number,
        status=status,
        channel=rng.choice([Channel.ONLINE, Channel.ONLINE, Channel.SPREADSHEET, Channel.EMAIL]),
        received_on=received,
        submitted_at=_aware(received),
        reviewed_at=_aware(reviewed, 9) if status in (VersionStatus.REVIEWED, VersionStatus.PUBLISHED) else None,
        published_at=_aware(published) if status == VersionStatus.PUBLISHED else None,
        amendment_reason=reason,
        authority=SYNTHETIC_AUTHORITY,
        contact="Synthetic contact point",
        report_date=received,
        withheld_commercial=rng.random() < 0.15,
        withheld_security=rng.random() < 0.15,
    )


def demo_reports_load() -> int:
    """Synthetic annual reports of about forty States Parties on the last four ended years, for
    `make run`. Does nothing once any synthetic report exists (so it is idempotent, and leaves a
    large set made by `generate_demo_reports` alone). Returns the number of reports created."""
    if Report.objects.filter(is_synthetic=True).exists():
        return 0
    rng = random.Random(DEMO_SEED)  # noqa: S311 - synthetic data, not security
    today = _today()
    parties = _parties(today)
    chosen = sorted(rng.sample(parties, min(DEMO_STATES, len(parties))), key=lambda state: state.pk)
    states = list(State.objects.order_by("pk"))
    categories = list(Category.objects.order_by("position"))
    taken = set(Report.objects.filter(kind=ReportKind.ANNUAL).values_list("state_id", "year"))
    created = 0
    with transaction.atomic():
        for state in chosen:
            for year in range(today.year - DEMO_YEARS, today.year):
                if year <= state.entry_into_force.year or (state.pk, year) in taken:
                    continue  # not yet obligated on that year, or a real report exists
                outcome = _pick(rng, OUTCOMES)
                if outcome == "missing":
                    continue
                due = dt.date(year + 1, 5, 31)
                offset = {
                    "on_time": -rng.randint(1, 60),
                    "in_grace": rng.randint(1, 7),
                    "late": rng.randint(8, 200),
                }[outcome]
                received = min(due + dt.timedelta(days=offset), today)
                report = Report.objects.create(state=state, kind=ReportKind.ANNUAL, year=year, is_synthetic=True)
                status = _pick(
                    rng,
                    [(VersionStatus.PUBLISHED, 80), (VersionStatus.REVIEWED, 8), (VersionStatus.SUBMITTED, 12)],
                )
                version = _demo_version(rng, report, number=1, received=received, status=status, today=today)
                _demo_forms(rng, version, state, states, categories)
                if status == VersionStatus.PUBLISHED and rng.random() < 0.12 and received < today:
                    amended = min(received + dt.timedelta(days=rng.randint(30, 120)), today)
                    amendment = _demo_version(
                        rng,
                        report,
                        number=2,
                        received=amended,
                        status=VersionStatus.PUBLISHED,
                        today=today,
                        reason="Corrected quantities (synthetic demo data).",
                    )
                    _demo_forms(rng, amendment, state, states, categories)
                services.published_transfers_refresh(report)
                created += 1
        transfer_data_changed()
    return created


def _demo_forms(
    rng: random.Random, version: ReportVersion, state: State, states: list[State], categories: list
) -> None:
    rows = []
    for direction in (Direction.EXPORTS, Direction.IMPORTS):
        form = ReportForm.objects.create(
            version=version,
            direction=direction,
            is_nil=rng.random() < 0.2,
            visibility=Visibility.PUBLIC if rng.random() < 0.7 else Visibility.RESTRICTED,
        )
        if not form.is_nil:
            rows += _demo_rows(rng, form, state, states, categories)
    TransferRow.objects.bulk_create(rows)

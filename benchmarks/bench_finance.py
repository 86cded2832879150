"""Finance benchmarks (issue 5, "Speed"), printed as figures measured in the same run.

1. Issuing invoices: a run of every State of the registry (196) against a run of 10 States. The
   number of SQL queries of `invoices_issue` is printed for both (they must be equal: the number
   does not grow with the States), with the median time of each over interleaved rounds.
2. The status of contributions: the figures through the ORM (`contribution_status`) against the
   same figures from one hand-written SQL statement (`contribution_status_sql`), on 196 States ×
   10 financial years of invoices, payments (on time, late, partial, over, none), allocations,
   credit notes and reversed allocations. Prints the ratio of the medians over interleaved rounds
   (target <= 1.5x) and whether the two results are identical.

Everything is written inside a transaction that is rolled back, so the database is left as found.
Backends: SQLite in-process (the database benchmarks/run.py prepared), then PostgreSQL in a child
process when BENCH_PG_URL (or DATABASE_URL) names one or a server listens on 127.0.0.1:5432 (as
bench_transfers chooses): a database "<name>_finance" next to it, created and migrated on first use.
`python benchmarks/bench_finance.py` runs it alone.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import uuid
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ROUNDS = int(os.environ.get("BENCH_FINANCE_ROUNDS", "9"))
REPEAT = int(os.environ.get("BENCH_FINANCE_REPEAT", "5"))
FIRST_YEAR, YEARS = 2017, 10
AS_OF = dt.date(2026, 11, 30)
ANALYZED_TABLES = (
    "finance_journalline",
    "finance_journalentry",
    "finance_account",
    "finance_invoice",
    "finance_creditnote",
    "finance_payment",
    "finance_allocation",
    "states_state",
)


class Rollback(Exception):
    """Raised to leave the benchmark's transaction without committing anything."""


# ---------------------------------------------------------------------------- the data


def analyze() -> None:
    """Fresh planner statistics on the tables written here, as a database in use keeps them.
    PostgreSQL's autovacuum cannot see rows this transaction has not committed; without this the
    ledger triggers' queries and the status query are planned for empty tables."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ANALYZED_TABLES:
            cursor.execute(f"ANALYZE {table}")  # noqa: S608 - our own table names


def build_history(*, iso3s: list[str], years: list[int], seed: int = 1, user: Any = None) -> dict[str, int]:
    """Invoices for every State in `iso3s` and every year (issued through the service, one run per
    year, on 15 October of the year before), then payments, allocations, credit notes and reversed
    allocations, written in bulk through the ledger service. Returns counts of what was written."""
    from django.utils import timezone

    from secretariat.finance import ledger
    from secretariat.finance.ledger import EntrySpec, Line
    from secretariat.finance.models import AccountCode, Allocation, EntryKind, Payment
    from secretariat.finance.services.invoices import credit_note_issue, invoices_issue
    from secretariat.finance.services.payments import allocation_reverse
    from tests.factories import UserFactory
    from tests.finance.factories import approved_run, fund

    rng = random.Random(seed)
    user = user or UserFactory()
    general = fund()
    today = timezone.localdate()
    invoices = []
    for year in years:
        amounts = {iso3: f"{rng.randint(100, 2_000_000) / 100:.2f}" for iso3 in iso3s}
        invoices += invoices_issue(run=approved_run(amounts, year=year), user=user, issued_on=dt.date(year - 1, 10, 15))
    analyze()
    credit_notes = 0
    for invoice in rng.sample(invoices, max(1, len(invoices) // 40)):
        credit_note_issue(
            invoice=invoice,
            amount=(invoice.amount / 10).quantize(Decimal("0.01")),
            reason="Scale corrected",
            user=user,
            issued_on=invoice.issued_on + dt.timedelta(days=20),
        )
        credit_notes += 1
    # One payment per invoice for most States and years: on time, late, in part, more than due.
    payments, plan = [], []
    for invoice in invoices:
        kind = rng.random()
        if kind < 0.12:
            continue  # unpaid
        share = Decimal("1") if kind < 0.8 else Decimal(rng.choice(["0.5", "0.25", "1.1"]))
        days = rng.randint(-60, 30) if kind < 0.6 else rng.randint(31, 500)
        received_on = min(invoice.due_on + dt.timedelta(days=days), today)
        amount = (invoice.amount * share).quantize(Decimal("0.01"))
        if amount <= 0:
            continue
        payment = Payment(
            fund=general,
            state_id=invoice.state_id,
            received_on=received_on,
            amount=amount,
            entry_id=uuid.uuid4(),
            recorded_by=user,
        )
        payments.append(payment)
        plan.append((payment, invoice))
    Payment.objects.bulk_create(payments)
    ledger.post(
        general,
        [
            EntrySpec(
                date=payment.received_on,
                kind=EntryKind.PAYMENT,
                memo=f"Payment {payment.pk}",
                lines=[
                    Line(AccountCode.BANK, debit=payment.amount, state_id=payment.state_id),
                    Line(
                        AccountCode.STATE_CREDITS,
                        credit=payment.amount,
                        payment_id=payment.pk,
                        state_id=payment.state_id,
                    ),
                ],
                entry_id=payment.entry_id,
            )
            for payment in payments
        ],
        user=user,
    )
    open_balances = ledger.invoice_balances(invoice.pk for _payment, invoice in plan)
    allocations, specs = [], []
    for payment, invoice in plan:
        amount = min(payment.amount, open_balances.get(invoice.pk, Decimal(0)))
        if amount <= 0:
            continue
        entry_id = uuid.uuid4()
        allocations.append(
            Allocation(payment=payment, invoice=invoice, amount=amount, entry_id=entry_id, allocated_by=user)
        )
        specs.append(
            EntrySpec(
                date=max(payment.received_on, invoice.issued_on),
                kind=EntryKind.ALLOCATION,
                memo=f"Payment {payment.pk} to invoice {invoice.number}",
                lines=[
                    Line(AccountCode.STATE_CREDITS, debit=amount, payment_id=payment.pk, state_id=payment.state_id),
                    Line(AccountCode.RECEIVABLE, credit=amount, invoice_id=invoice.pk, state_id=invoice.state_id),
                ],
                entry_id=entry_id,
            )
        )
    analyze()
    Allocation.objects.bulk_create(allocations)
    ledger.post(general, specs, user=user)
    analyze()
    reversed_count = 0
    for allocation in rng.sample(allocations, max(1, len(allocations) // 50)):
        day = min(allocation.payment.received_on + dt.timedelta(days=rng.randint(1, 90)), today)
        allocation_reverse(allocation=allocation, user=user, on=max(day, allocation.invoice.issued_on))
        reversed_count += 1
    return {
        "invoices": len(invoices),
        "credit_notes": credit_notes,
        "payments": len(payments),
        "allocations": len(allocations),
        "reversed": reversed_count,
    }


# ---------------------------------------------------------------------------- measuring


def _median_pair(first: Callable[[], Any], second: Callable[[], Any], repeat: int) -> tuple[list[float], list[float]]:
    """Interleaved rounds: the mean time of `repeat` calls of each, per round."""
    first()
    second()  # warm up both
    times_first, times_second = [], []
    for _ in range(ROUNDS):
        for function, times in ((first, times_first), (second, times_second)):
            start = time.perf_counter()
            for _ in range(repeat):
                function()
            times.append((time.perf_counter() - start) / repeat)
    return times_first, times_second


def _issuing(say: Callable[[str], None], label: str) -> None:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from secretariat.finance.services.invoices import invoices_issue
    from secretariat.states.models import State
    from tests.factories import UserFactory
    from tests.finance.factories import approved_run

    user = UserFactory()
    iso3s = list(State.objects.order_by("iso3").values_list("iso3", flat=True))
    invoices_issue(run=approved_run({iso3s[0]: "1.00"}, year=2001), user=user, issued_on=dt.date(2000, 10, 1))
    counts: dict[int, int] = {}
    times: dict[int, list[float]] = {len(iso3s): [], 10: []}
    for round_number in range(ROUNDS):
        for size in times:
            year = 2002 + round_number  # each round in its own savepoint, rolled back
            try:
                with transaction.atomic():
                    run = approved_run(dict.fromkeys(iso3s[:size], "1000.00"), year=year)
                    with CaptureQueriesContext(connection) as queries:
                        start = time.perf_counter()
                        issued = invoices_issue(run=run, user=user, issued_on=dt.date(year - 1, 10, 1))
                        times[size].append(time.perf_counter() - start)
                    if len(issued) != size:
                        raise SystemExit(f"issued {len(issued)} invoices, expected {size}")
                    counts.setdefault(size, len(queries))
                    if counts[size] != len(queries):
                        raise SystemExit(
                            f"the query count of a {size}-State run varies: {counts[size]}, {len(queries)}"
                        )
                    raise Rollback
            except Rollback:
                pass
    big, small = len(iso3s), 10
    say(
        f"  {label}: issuing invoices, {big} / {small} States: SQL queries {counts[big]} / {counts[small]}"
        f" ({'equal' if counts[big] == counts[small] else 'NOT EQUAL'}); time "
        f"{statistics.median(times[big]) * 1000:.0f} ms / {statistics.median(times[small]) * 1000:.0f} ms"
    )


def _status(say: Callable[[str], None], label: str) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from secretariat.finance.selectors.contributions import contribution_status, contribution_status_sql
    from secretariat.states.models import State

    iso3s = list(State.objects.order_by("iso3").values_list("iso3", flat=True))
    started = time.perf_counter()
    written = build_history(iso3s=iso3s, years=list(range(FIRST_YEAR, FIRST_YEAR + YEARS)))
    built = time.perf_counter() - started
    orm = contribution_status(as_of=AS_OF)
    sql = contribution_status_sql(as_of=AS_OF)
    identical = orm == sql
    with CaptureQueriesContext(connection) as queries:
        contribution_status(as_of=AS_OF)
    orm_times, sql_times = _median_pair(
        lambda: contribution_status(as_of=AS_OF), lambda: contribution_status_sql(as_of=AS_OF), REPEAT
    )
    ratios = [o / s for o, s in zip(orm_times, sql_times, strict=True)]
    ratio = statistics.median(orm_times) / statistics.median(sql_times)
    say(
        f"  {label}: data: {len(iso3s)} States x {YEARS} years: {written['invoices']} invoices, "
        f"{written['payments']} payments, {written['allocations']} allocations ({written['reversed']} reversed), "
        f"{written['credit_notes']} credit notes (built in {built:.1f} s)"
    )
    say(
        f"  {label}: status of contributions, ORM / hand-written SQL: {ratio:.2f}x "
        f"(per-round range {min(ratios):.2f}-{max(ratios):.2f}; {statistics.median(orm_times) * 1000:.1f} ms vs "
        f"{statistics.median(sql_times) * 1000:.1f} ms; ORM {len(queries)} queries, SQL 1; target <= 1.5x); "
        f"results identical: {'yes' if identical else 'NO'} "
        f"({len(orm.states)} States, outstanding {orm.total.outstanding:,.2f})"
    )


def measure(say: Callable[[str], None], label: str) -> None:
    """Both benchmarks on the configured database, in one transaction rolled back at the end."""
    from django.db import transaction

    try:
        with transaction.atomic():
            _issuing(say, label)
            _status(say, label)
            raise Rollback
    except Rollback:
        pass


# ---------------------------------------------------------------------------- backends


def _pg_url() -> str:
    for name in ("BENCH_PG_URL", "DATABASE_URL"):
        url = os.environ.get(name, "")
        if url.startswith("postgres"):
            return url
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=1).close()
    except OSError:
        return ""
    return "postgres://app:app@127.0.0.1:5432/app"


def _pg_database(base_url: str) -> str:
    """A database next to `base_url`'s for this benchmark (created if missing)."""
    import psycopg

    parts = urllib.parse.urlsplit(base_url)
    name = f"{parts.path.lstrip('/') or 'app'}_finance"
    with psycopg.connect(base_url, autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def _child(database_url: str, say: Callable[[str], None], label: str) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "secretariat.settings",
        "DEBUG": "False",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-" + "z" * 50),
        "ALLOWED_HOSTS": "testserver",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
    }
    result = subprocess.run(  # noqa: S603 - this very module, as the worker
        [sys.executable, "-m", "benchmarks.bench_finance", "--worker", label],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    for line in result.stdout.splitlines():
        say(line)
    if result.returncode != 0:
        say(f"  {label}: FAILED: {result.stderr[-2000:]}")


def run(echo: Callable[[str], None] = print) -> list[str]:
    """The report's lines (`echo` is called with each as soon as it is known). Needs Django set up
    on a migrated database holding the registry (benchmarks/run.py does that)."""
    lines: list[str] = []

    def say(line: str) -> None:
        lines.append(line)
        echo(line)

    say(f"Finance ({ROUNDS} rounds; status timed {REPEAT} times per round)")
    measure(say, "SQLite")
    pg_url = _pg_url()
    if pg_url:
        try:
            _child(_pg_database(pg_url), say, "PostgreSQL")
        except Exception as error:  # noqa: BLE001 - report the failure, keep the SQLite figures
            say(f"  PostgreSQL: FAILED: {type(error).__name__}: {error}")
    else:
        say("  (PostgreSQL skipped: set BENCH_PG_URL, e.g. postgres://app:app@127.0.0.1/app)")
    return lines


def _worker(label: str) -> None:
    """In the child process: migrate the database named by DATABASE_URL, load the registry, measure."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_reference_data", verbosity=0)
    measure(lambda line: print(line, flush=True), label)


if __name__ == "__main__":
    sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
    if sys.argv[1:2] == ["--worker"]:
        _worker(sys.argv[2])
    else:
        from django.core.management import call_command

        import benchmarks.run  # noqa: F401 - configures Django on a fresh SQLite database, as `make bench` does

        call_command("migrate", verbosity=0)
        call_command("load_reference_data", verbosity=0)
        run()

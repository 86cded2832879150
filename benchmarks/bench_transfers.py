"""Benchmarks of the public transfer database (issue 3, "Speed and memory").

`run()` returns the report lines (benchmarks/run.py prints them); `python benchmarks/bench_transfers.py`
runs it alone. What it does:

1. Builds SQLite databases with 1,000,000 and 10,000 synthetic transfer rows
   (`generate_demo_reports`), and the same on PostgreSQL when BENCH_PG_URL is set (two databases
   named after it, created if missing). BENCH_TRANSFER_ROWS shrinks the big one (the small one is
   then a tenth of it, at most 10,000) so that `make bench` stays quick; BENCH_TRANSFER_DIR keeps
   the SQLite files between runs (a million rows take about two minutes to generate).
2. Serves each database with gunicorn (one sync worker, the platform's settings with DEBUG off and
   persistent connections, CONN_MAX_AGE=600) and this module as the URLconf: the platform's URLs
   plus bench-only views that render the SAME template (and the same API response) from the same
   50 rows held in memory, and a bare `HttpResponse("ok")`.
3. Times over HTTP (urllib, a new connection per request), the median of: the filtered page 1,
   page 300 of the same filter (reached by following 299 cursors), the API page 1 and page 300,
   their in-memory twins and the bare view. Every URL of both servers is asked once per pass, in
   a new seeded order each pass (see `_medians`). Prints page/in-memory, page/bare and 1M/10k
   ratios.
4. Counts the SQL queries of each page in-process (CaptureQueriesContext) on both sizes, and the
   growth of the gunicorn worker's peak memory (VmHWM) while it streams every row as CSV.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
FILTER = "direction=exports&year_from=2016&year_to=2023&reporter_region=african"
DEEP_PAGE = 300
ROUNDS = int(os.environ.get("BENCH_TRANSFER_ROUNDS", "9"))
PER_ROUND = int(os.environ.get("BENCH_TRANSFER_REPEAT", "6"))
SECRET = "bench-only-" + "y" * 50


# ---------------------------------------------------------------------------- bench-only views (URLconf)


def __getattr__(name: str) -> Any:
    """`urlpatterns`, built when Django asks for it (this module is the gunicorn worker's
    ROOT_URLCONF; importing it must not need Django when run() is called)."""
    if name == "urlpatterns":
        return _urlpatterns()
    raise AttributeError(name)


_MEMORY: dict[str, Any] = {}


def _urlpatterns() -> list:
    from django.http import HttpResponse
    from django.urls import path

    from secretariat.urls import urlpatterns as platform

    def bare(request):
        return HttpResponse("ok")

    def one_query(request):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return HttpResponse("ok")

    return [
        path("__bench__/bare/", bare),
        path("__bench__/one-query/", one_query),
        path("__bench__/transfers/memory/", _memory_page),
        path("__bench__/api/transfers/memory/", _memory_api),
        *platform,
    ]


def _held(request: Any) -> dict[str, Any]:
    """The page's data read once from the database, then held in memory (keyed by the query)."""
    from secretariat.reporting import transfer_views as views
    from secretariat.reporting import transfers
    from secretariat.reporting.transfer_forms import TransferFilterForm

    key = request.GET.urlencode()
    if key not in _MEMORY:
        reference = transfers.transfer_reference()
        form = TransferFilterForm(request.GET, reference=reference)
        filters, sort = form.filters(), form.sort_order()
        cursor = views.page_cursor(request.GET, filters, sort)
        page = transfers.transfer_page(filters=filters, sort=sort, cursor=cursor)
        _MEMORY[key] = {"reference": reference, "page": page}
    return _MEMORY[key]


def _memory_page(request: Any) -> Any:
    """reporting/transfers/list.html from the 50 rows (and names, count) held in memory: the
    view does everything the real one does except asking the database."""
    from django.shortcuts import render

    from secretariat.reporting import transfer_views as views
    from secretariat.reporting import transfers
    from secretariat.reporting.transfer_forms import TransferFilterForm

    held = _held(request)
    reference = held["reference"]
    form = TransferFilterForm(request.GET, reference=reference)
    filters, sort = form.filters(), form.sort_order()
    views.page_cursor(request.GET, filters, sort)
    page = held["page"]
    rows = transfers.display_rows(page.rows, reference)
    context = views.list_context(
        request,
        reference=reference,
        form=form,
        filters=filters,
        sort=sort,
        page=page,
        rows=rows,
    )
    return render(request, "reporting/transfers/list.html", context)


def _memory_api_view() -> Any:
    from rest_framework.response import Response

    from secretariat.reporting import api_transfers, transfers
    from secretariat.reporting.transfer_forms import TransferFilterForm

    class MemoryTransferApi(api_transfers.TransferListApi):
        def get(self, request):
            held = _held(request._request)
            reference = held["reference"]
            form = TransferFilterForm(request.query_params, reference=reference)
            form.is_valid()
            filters, sort = form.filters(), form.sort_order()
            page = held["page"]
            pattern = request.build_absolute_uri("/").rstrip("/") + transfers.version_url_pattern()
            results = [api_transfers.transfer_record(row, reference, pattern) for row in page.rows]

            def link(name, target):
                if target is None:
                    return None
                query = request.query_params.copy()
                for parameter in ("after", "before", "last"):
                    query.pop(parameter, None)
                query[name] = transfers.cursor_dumps(target, filters, sort)
                return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

            payload = {
                "count": page.count,
                "next": link("after", page.next),
                "previous": link("before", page.previous),
                "results": results,
            }
            return Response(payload)

    return MemoryTransferApi.as_view()


def _memory_api(request: Any) -> Any:
    if "api" not in _MEMORY:
        _MEMORY["api"] = _memory_api_view()
    return _MEMORY["api"](request)


_HANDLER: Any = None


def application(environ: dict, start_response: Any) -> Any:
    """The WSGI application gunicorn serves: the platform with this module as URLconf and plain
    static files storage (no collectstatic in a temporary directory)."""
    global _HANDLER
    if _HANDLER is None:
        import django
        from django.conf import settings

        django.setup()
        settings.ROOT_URLCONF = "benchmarks.bench_transfers"
        settings.STORAGES = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        from django.core.handlers.wsgi import WSGIHandler

        _HANDLER = WSGIHandler()
    return _HANDLER(environ, start_response)


# ---------------------------------------------------------------------------- building the databases


def _env(database_url: str, workdir: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "secretariat.settings",
        "DEBUG": "False",
        "SECRET_KEY": SECRET,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_COOKIES": "False",
        "CONN_MAX_AGE": "600",
        "LOG_LEVEL": "WARNING",
        "STATIC_ROOT": str(workdir / "static"),
        "VAR_DIR": str(workdir),
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
    }
    (workdir / "static").mkdir(parents=True, exist_ok=True)
    return env


def _manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(  # noqa: S603 - our own manage.py
        [PYTHON, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def _pg_database(base_url: str, rows: int) -> str:
    """A database next to BENCH_PG_URL's, one per size (created if missing)."""
    import psycopg

    parts = urllib.parse.urlsplit(base_url)
    name = f"{parts.path.lstrip('/')}_transfers_{rows}"
    with psycopg.connect(base_url, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def _prepare(database_url: str, rows: int, workdir: Path, lines: list[str], label: str) -> dict[str, str]:
    """Migrate, load the registry and generate `rows` rows unless the database already has them."""
    env = _env(database_url, workdir)
    _manage(env, "migrate", "--verbosity", "0")
    _manage(env, "load_reference_data", "--verbosity", "0")
    have = _manage(
        env,
        "shell",
        "-c",
        "from secretariat.reporting.models import PublishedTransfer as P; "
        "print(P.objects.filter(is_synthetic=True).count())",
    )
    if int(have.strip().splitlines()[-1]) != rows:
        started = time.perf_counter()
        _manage(env, "generate_demo_reports", "--transfers", str(rows), "--seed", "1")
        lines.append(f"  {label}: generated {rows:,} rows in {time.perf_counter() - started:.0f} s")
    return env


# ---------------------------------------------------------------------------- serving and timing


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    def __init__(self, env: dict[str, str]) -> None:
        self.port = _free_port()
        self.process = subprocess.Popen(  # noqa: S603 - gunicorn from our virtualenv
            [
                PYTHON,
                "-m",
                "gunicorn",
                "--workers",
                "1",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--chdir",
                str(ROOT),
                "--timeout",
                "900",
                "--log-level",
                "warning",
                "benchmarks.bench_transfers:application",
            ],
            env=env,
            cwd=ROOT,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                self.get("/__bench__/bare/")
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not start")

    def get(self, path: str) -> bytes:
        with urllib.request.urlopen(self.base + path, timeout=600) as response:  # noqa: S310 - our server
            if response.status != 200:
                raise RuntimeError(f"{path}: {response.status}")
            return response.read()

    def timed(self, path: str) -> float:
        started = time.perf_counter()
        self.get(path)
        return time.perf_counter() - started

    def worker_pid(self) -> int:
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                    return int(entry.name)
        raise RuntimeError("no gunicorn worker")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _deep_cursor(server: Server, query: str, pages: int) -> str:
    """The `after` cursor of page `pages`, reached by following the API's next links."""
    path = f"/api/v1/transfers/?{query}"
    for _n in range(pages - 1):
        payload = json.loads(server.get(path))
        if not payload["next"]:
            return ""
        path = payload["next"].split(server.base, 1)[1]
    return urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)["after"][0]


def _medians(targets: dict[str, tuple[Server, str]]) -> dict[str, float]:
    """Median latency of each (server, path). The requests alternate between all of them, so
    that a slow moment of the machine falls on each alike, in a new (seeded) order on every
    pass: in a fixed order the same URL would always be the first request after the other
    server's (its worker and database process woken from idle) or the one after a heavy page,
    and that URL alone would pay for it (measured here: up to a millisecond)."""
    samples: dict[str, list[float]] = {name: [] for name in targets}
    for server, path in targets.values():
        server.get(path)
        server.get(path)
    order = list(targets)
    shuffler = random.Random(ROUNDS * PER_ROUND)
    for _round in range(ROUNDS):
        for _n in range(PER_ROUND):
            shuffler.shuffle(order)
            for name in order:
                server, path = targets[name]
                samples[name].append(server.timed(path))
    return {name: statistics.median(values) for name, values in samples.items()}


def _measure(env_big: dict[str, str], env_small: dict[str, str]) -> dict[str, Any]:
    """Both databases served at once, every URL timed in the same interleaved rounds."""
    big, small = Server(env_big), Server(env_small)
    try:
        page1 = f"/reports/transfers/?{FILTER}"
        result: dict[str, Any] = {}
        for name, server in (("cold", big), ("small_cold", small)):
            started = time.perf_counter()
            server.get(page1)  # the first request of this filter computes and stores its count
            result[name] = time.perf_counter() - started
        targets = {
            "bare": (big, "/__bench__/bare/"),
            "page": (big, page1),
            "memory": (big, f"/__bench__/transfers/memory/?{FILTER}"),
            "api": (big, f"/api/v1/transfers/?{FILTER}"),
            "api_memory": (big, f"/__bench__/api/transfers/memory/?{FILTER}"),
            "small_bare": (small, "/__bench__/bare/"),
            "small_page": (small, page1),
            "small_memory": (small, f"/__bench__/transfers/memory/?{FILTER}"),
            "small_api": (small, f"/api/v1/transfers/?{FILTER}"),
            "small_api_memory": (small, f"/__bench__/api/transfers/memory/?{FILTER}"),
        }
        after = _deep_cursor(big, FILTER, DEEP_PAGE)
        if after:
            quoted = urllib.parse.quote(after)
            targets["deep"] = (big, f"{page1}&after={quoted}")
            targets["deep_memory"] = (big, f"/__bench__/transfers/memory/?{FILTER}&after={quoted}")
            targets["api_deep"] = (big, f"/api/v1/transfers/?{FILTER}&after={quoted}")
            targets["api_deep_memory"] = (big, f"/__bench__/api/transfers/memory/?{FILTER}&after={quoted}")
            shown = re.search(r"Rows ([\d,]+)–([\d,]+) of ([\d,]+)", big.get(targets["deep"][1]).decode())
            result["note"] = shown.group(0) if shown else "?"
            result["after"] = after
        result.update(_medians(targets))
        return result
    finally:
        big.stop()
        small.stop()


def _queries(env: dict[str, str], deep_after: str = "") -> str:
    script = f"""
import django, json
django.setup()
from django.conf import settings
plain = "django.contrib.staticfiles.storage.StaticFilesStorage"
settings.STORAGES = {{**settings.STORAGES, "staticfiles": {{"BACKEND": plain}}}}
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
client = Client()
counts = {{}}
for name, path in [("page", "/reports/transfers/?{FILTER}"), ("api", "/api/v1/transfers/?{FILTER}"),
                   ("deep", "/reports/transfers/?{FILTER}&after={deep_after}")]:
    if name == "deep" and not {bool(deep_after)!r}:
        continue
    client.get(path, HTTP_HOST="127.0.0.1")
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, HTTP_HOST="127.0.0.1")
    assert response.status_code == 200, (path, response.status_code)
    counts[name] = len(captured.captured_queries)
print(json.dumps(counts))
"""
    result = subprocess.run(  # noqa: S603
        [PYTHON, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    return result.stdout.strip().splitlines()[-1]


def _export_memory(env: dict[str, str]) -> tuple[float, float, int]:
    """(peak RSS growth in MB, seconds, bytes) of the gunicorn worker streaming every row as CSV."""
    server = Server(env)
    try:
        server.get("/reports/transfers/export.csv?year=2014")  # warm up the export code path
        pid = server.worker_pid()
        status = Path(f"/proc/{pid}/status")

        def peak() -> int:
            return int(re.search(r"VmHWM:\s+(\d+)", status.read_text()).group(1))

        Path(f"/proc/{pid}/clear_refs").write_text("5")  # reset the peak to the current size
        before = peak()
        started = time.perf_counter()
        size = len(server.get("/reports/transfers/export.csv"))
        elapsed = time.perf_counter() - started
        return (peak() - before) / 1024, elapsed, size
    finally:
        server.stop()


# ---------------------------------------------------------------------------- the report


def _ratio(a: float, b: float) -> str:
    return f"{a / b:5.2f}x"


def _backend_lines(label: str, m: dict, queries_big: str, queries_small: str) -> list[str]:
    def ms(seconds: float) -> str:
        return f"{seconds * 1000:6.1f} ms"

    lines = [
        f"{label}: medians of {ROUNDS} x {PER_ROUND} requests per URL, all URLs interleaved "
        "(gunicorn, 1 sync worker per database)",
        f"  filter: ?{FILTER}",
        f"  page 1                {ms(m['page'])}   in-memory {ms(m['memory'])}   bare {ms(m['bare'])}"
        f"   page/in-memory {_ratio(m['page'], m['memory'])}   page/bare {_ratio(m['page'], m['bare'])}",
    ]
    if "deep" in m:
        lines += [
            f"  page {DEEP_PAGE} ({m['note']})",
            f"                        {ms(m['deep'])}   in-memory {ms(m['deep_memory'])}"
            f"   page/in-memory {_ratio(m['deep'], m['deep_memory'])}   page/bare {_ratio(m['deep'], m['bare'])}",
            f"  API page {DEEP_PAGE}          {ms(m['api_deep'])}   in-memory {ms(m['api_deep_memory'])}"
            f"   API/in-memory {_ratio(m['api_deep'], m['api_deep_memory'])}",
        ]
    lines += [
        f"  API page 1            {ms(m['api'])}   in-memory {ms(m['api_memory'])}"
        f"   API/in-memory {_ratio(m['api'], m['api_memory'])}   API/bare {_ratio(m['api'], m['bare'])}",
        f"  small database: page 1 {ms(m['small_page'])} (in-memory {ms(m['small_memory'])}, "
        f"{_ratio(m['small_page'], m['small_memory'])}), API page 1 {ms(m['small_api'])} "
        f"(in-memory {ms(m['small_api_memory'])}, {_ratio(m['small_api'], m['small_api_memory'])})",
        f"  big/small: page 1 {_ratio(m['page'], m['small_page'])}   API page 1 {_ratio(m['api'], m['small_api'])}"
        f"   (in-memory page {_ratio(m['memory'], m['small_memory'])}, bare {_ratio(m['bare'], m['small_bare'])})",
        f"  first request of the filter (computes and stores the count): big {ms(m['cold'])}, "
        f"small {ms(m['small_cold'])}",
        f"  SQL queries per request (after the first): big {queries_big}, small {queries_small}",
    ]
    return lines


def _pg_default() -> str:
    """The CI database (scripts/ci-services.sh) when a PostgreSQL server listens locally."""
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=1).close()
    except OSError:
        return ""
    return "postgres://app:app@127.0.0.1:5432/app"


def run(echo: Any = None) -> list[str]:
    """The report's lines (`echo`, if given, is called with each line as soon as it is known)."""
    lines: list[str] = []

    def say(line: str) -> None:
        lines.append(line)
        if echo is not None:
            echo(line)

    big_rows = int(os.environ.get("BENCH_TRANSFER_ROWS", "1000000"))
    small_rows = min(10_000, max(big_rows // 10, 100))
    keep = os.environ.get("BENCH_TRANSFER_DIR")
    workdir = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="att-bench-transfers-"))
    workdir.mkdir(parents=True, exist_ok=True)
    say(f"Transfer database ({big_rows:,} vs {small_rows:,} rows)")
    backends = [("SQLite", lambda rows: f"sqlite:///{workdir / f'transfers-{rows}.sqlite3'}")]
    pg_url = os.environ.get("BENCH_PG_URL") or _pg_default()
    if pg_url:
        backends.append(("PostgreSQL", lambda rows: _pg_database(pg_url, rows)))
    else:
        say(
            "  (PostgreSQL skipped: nothing listens on 127.0.0.1:5432; run `bash scripts/ci-services.sh`"
            " or set BENCH_PG_URL, e.g. postgres://app:app@127.0.0.1/app)"
        )
    for label, url_for in backends:
        try:
            notes: list[str] = []
            env_big = _prepare(url_for(big_rows), big_rows, workdir, notes, f"{label} big")
            env_small = _prepare(url_for(small_rows), small_rows, workdir, notes, f"{label} small")
            for note in notes:
                say(note)
            measured = _measure(env_big, env_small)
            queries_big = _queries(env_big, measured.get("after", ""))
            queries_small = _queries(env_small)
            for line in _backend_lines(label, measured, queries_big, queries_small):
                say(line)
            growth, seconds, size = _export_memory(env_big)
            say(
                f"  CSV export of all {big_rows:,} rows: peak memory +{growth:.1f} MB "
                f"({size / 1e6:.0f} MB in {seconds:.1f} s)"
            )
        except Exception as error:  # noqa: BLE001 - report the failure, go on with the next database
            say(f"  {label}: FAILED: {type(error).__name__}: {str(error)[-2000:]}")
    return lines


if __name__ == "__main__":
    run(echo=lambda line: print(line, flush=True))

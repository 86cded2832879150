"""The PostgreSQL settings and backend (core/postgresql).

- A reused connection whose socket is quiet is taken as it is at the start of a request (no
  `SELECT 1` round trip); one the server closed is still noticed and replaced before the
  request's first query.
- A query run again on a connection is prepared and planned once (a generic plan).
- Settings: options given in DATABASE_URL are kept; DATABASE_PLAN_CACHE_MODE is checked.

The backend tests need PostgreSQL (`DATABASE_URL=postgres://...`, as in the second pass of
`.ci/run`); the settings tests run everywhere.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.db import connection, connections

from secretariat.reporting import transfers

ROOT = Path(__file__).resolve().parents[2]


def _needs_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL backend is tested on PostgreSQL (second pass of .ci/run)")


@pytest.fixture
def persistent(monkeypatch):
    """The test's connection behaves as a persistent one with health checks (CONN_MAX_AGE > 0),
    and every `SELECT 1` check Django makes is counted."""
    _needs_postgresql()
    wrapper = connections["default"]
    wrapper.ensure_connection()
    monkeypatch.setattr(wrapper, "close_at", None)
    monkeypatch.setattr(wrapper, "health_check_enabled", True)
    asked: list[int] = []
    real = type(wrapper).is_usable

    def counted(self):
        asked.append(1)
        return real(self)

    monkeypatch.setattr(type(wrapper), "is_usable", counted)
    return asked


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_a_quiet_reused_connection_is_used_without_a_round_trip(persistent):
    pid = _backend_pid()
    connection.close_if_unusable_or_obsolete()  # what Django does when the next request starts
    assert _backend_pid() == pid
    assert persistent == []


@pytest.mark.django_db(transaction=True)
def test_a_connection_the_server_closed_is_replaced_before_the_next_query(persistent):
    pid = _backend_pid()
    params = connection.get_connection_params()
    with psycopg.connect(
        **{key: params[key] for key in ("dbname", "user", "password", "host", "port") if params.get(key)},
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    # The server tells the client before it closes the socket.
    readable, _w, _x = select.select([connection.connection.pgconn.socket], [], [], 10)
    assert readable
    connection.close_if_unusable_or_obsolete()
    assert _backend_pid() != pid  # the request's first query worked, on a new connection
    assert persistent == [1]


@pytest.mark.django_db
def test_a_page_read_again_is_planned_once():
    _needs_postgresql()
    filters = transfers.TransferFilters(year_from=2016, year_to=2023, direction="exports", reporter_region="african")
    for _n in range(10):
        transfers.transfer_page(filters=filters)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements "
            "WHERE statement LIKE %s AND statement LIKE %s",
            ["%reporting_publishedtransfer%", "%reporter_region%"],
        )
        plans = cursor.fetchall()
    assert len(plans) == 1
    generic, custom = plans[0]
    assert generic >= 1
    assert custom == 0


# ---------------------------------------------------------------------------- settings


def _database_settings(**env: str) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_"))}
    return subprocess.run(  # noqa: S603 - our own settings module
        [
            sys.executable,
            "-c",
            "import json; from secretariat import settings; "
            "print(json.dumps(settings.DATABASES['default'], default=str))",
        ],
        env={**clean, "PYTHONPATH": str(ROOT / "src"), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_postgresql_settings_keep_the_options_of_the_url_and_plan_prepared_queries_once():
    result = _database_settings(DATABASE_URL="postgres://app:app@db.example.org:5432/att?sslmode=verify-full")
    assert result.returncode == 0, result.stderr
    database = json.loads(result.stdout)
    assert database["ENGINE"] == "secretariat.core.postgresql"
    options = database["OPTIONS"]
    assert options["sslmode"] == "verify-full"
    assert options["keepalives"] == 1
    assert options["server_side_binding"] is True
    assert options["prepare_threshold"] == 5
    assert options["options"] == "-c plan_cache_mode=force_generic_plan"


def test_postgresql_plan_cache_mode_can_be_given_back_to_the_server_or_refused():
    url = "postgres://app:app@db.example.org:5432/att"
    auto = _database_settings(DATABASE_URL=url, DATABASE_PLAN_CACHE_MODE="auto")
    assert json.loads(auto.stdout)["OPTIONS"]["options"] == "-c plan_cache_mode=auto"
    unprepared = _database_settings(DATABASE_URL=url, DATABASE_PREPARED_STATEMENTS="false")
    options = json.loads(unprepared.stdout)["OPTIONS"]
    assert "server_side_binding" not in options
    assert "options" not in options
    wrong = _database_settings(DATABASE_URL=url, DATABASE_PLAN_CACHE_MODE="generic")
    assert wrong.returncode != 0
    assert "DATABASE_PLAN_CACHE_MODE must be auto, force_generic_plan or force_custom_plan" in wrong.stderr

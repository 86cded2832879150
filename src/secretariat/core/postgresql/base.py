"""Django's PostgreSQL backend with a health check that asks the server only when needed.

With persistent connections (`CONN_MAX_AGE`) and `CONN_HEALTH_CHECKS`, Django checks a reused
connection at the start of every request by sending `SELECT 1` and waiting for the answer: one
more round trip to the server on each request, which on the public transfer database costs about
as much as the page's own query (benchmarks/bench_transfers.py).

A connection the server has closed (restart, `pg_terminate_backend`, `idle_session_timeout`) is
known without asking: the server sends its error and closes the socket, so the socket has data
to read while the connection is idle. Here the check looks at the socket first (a `select` with
no wait) and sends `SELECT 1` only when the socket is readable, the connection is not idle, or
libpq reports a bad state; a quiet, idle socket is a live connection as far as anything can
tell without a round trip. A peer that vanishes without closing the connection is noticed by
TCP keepalives (settings.py turns them on), which make the socket readable too.
"""

from __future__ import annotations

import select

import psycopg
from django.db.backends.postgresql import base
from psycopg import pq


def _quiet(connection) -> bool:
    """True when `connection` (a psycopg connection) is open and idle, and the server has sent
    nothing since its last answer."""
    if connection.closed or connection.broken:
        return False
    pgconn = connection.pgconn
    if pgconn.status != pq.ConnStatus.OK or pgconn.transaction_status != pq.TransactionStatus.IDLE:
        return False
    try:
        socket = pgconn.socket
        readable, _writable, failed = select.select([socket], [], [socket], 0)
    except (OSError, ValueError, psycopg.Error):  # in doubt, ask the server
        return False
    return not readable and not failed


class DatabaseWrapper(base.DatabaseWrapper):
    def close_if_health_check_failed(self) -> None:
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and not self.pool
            and _quiet(self.connection)
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

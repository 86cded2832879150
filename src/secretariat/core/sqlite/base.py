"""Django's SQLite backend, told how many query parameters this SQLite library really accepts.

Django 5.2 assumes SQLite's old compile-time default of 999 variables per statement, so a
`bulk_create` of a few hundred rows is cut into many INSERTs. SQLite 3.32 and later default to
32,766 (Python's bundled library reports 250,000); Django 6.0 reads the limit from the library the
same way. With the real limit, issuing invoices for every State is a fixed number of statements.
"""

from __future__ import annotations

import sqlite3
from functools import cached_property

from django.db.backends.sqlite3 import base, features


def _variable_limit() -> int:
    connection = sqlite3.connect(":memory:")
    try:
        return connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    finally:
        connection.close()


class DatabaseFeatures(features.DatabaseFeatures):
    @cached_property
    def max_query_params(self) -> int:  # type: ignore[override]
        return _variable_limit()


class DatabaseWrapper(base.DatabaseWrapper):
    features_class = DatabaseFeatures

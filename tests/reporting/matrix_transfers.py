"""Access-matrix entries of the reporting transfers pages (merged by tests/test_access_matrix.py).

PAGES: route (as Django prints the pattern) -> (url builder taking the matrix Targets, expected
status per persona); WRITES: name -> Write(...). Import the helpers from tests.reporting.matrix_common.

The transfer database, its exports, the mirror view and the two APIs are public and read only:
everyone reads them (restricted forms never reach them; test_transfers.py proves it), and every
write is refused with 405 (pages) or 403/405 (API), changing nothing.
"""

from tests.reporting.matrix_common import DENIED, EVERYONE, NOT_ALLOWED, Write

PAGES: dict = {
    "reports/transfers/": (lambda t: "/reports/transfers/?reporter=GHA&partner=MEX", EVERYONE),
    "reports/transfers/export.csv": (lambda t: "/reports/transfers/export.csv?year=2020", EVERYONE),
    "reports/transfers/export.xlsx": (lambda t: "/reports/transfers/export.xlsx?reporter=GHA", EVERYONE),
    "reports/transfers/export.json": (lambda t: "/reports/transfers/export.json?direction=exports", EVERYONE),
    "reports/transfers/mirror/": (
        lambda t: "/reports/transfers/mirror/?year=2020&exporter=GHA&importer=MEX",
        EVERYONE,
    ),
    "api/v1/transfers/": (lambda t: "/api/v1/transfers/?category=I", EVERYONE),
    "api/v1/reports/": (lambda t: "/api/v1/reports/", EVERYONE),
}

READ_ONLY = (NOT_ALLOWED,)
API_READ_ONLY = (DENIED, NOT_ALLOWED)

WRITES: dict = {
    "post to the transfer database": Write("post", lambda t: "/reports/transfers/", lambda t: {}, [], READ_ONLY),
    "post to the transfer CSV export": Write(
        "post", lambda t: "/reports/transfers/export.csv", lambda t: {}, [], READ_ONLY
    ),
    "post to the mirror view": Write(
        "post", lambda t: "/reports/transfers/mirror/", lambda t: {"year": "2020"}, [], READ_ONLY
    ),
    "create a transfer through the API": Write(
        "post", lambda t: "/api/v1/transfers/", lambda t: {"year": 2020}, [], API_READ_ONLY
    ),
    "delete transfers through the API": Write(
        "delete", lambda t: "/api/v1/transfers/", lambda t: {}, [], API_READ_ONLY
    ),
    "create a report through the API": Write(
        "post", lambda t: "/api/v1/reports/", lambda t: {"iso3": "GHA"}, [], API_READ_ONLY
    ),
}

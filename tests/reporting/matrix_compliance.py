"""Access-matrix entries of the reporting compliance pages (merged by tests/test_access_matrix.py).

PAGES: route (as Django prints the pattern) -> (url builder taking the matrix Targets, expected
status per persona); WRITES: name -> Write(...). Import the helpers from tests.reporting.matrix_common.

The compliance figures are public (the Secretariat publishes compliance rates): every persona gets
the page and every chart's CSV. An unknown chart name is a 404 for everyone
(tests/reporting/test_compliance.py). There is nothing to write.
"""

from tests.reporting.matrix_common import *  # noqa: F403
from tests.reporting.matrix_common import EVERYONE

PAGES: dict = {
    "reports/compliance/": (lambda t: "/reports/compliance/?year_from=2019&year_to=2021&region=african", EVERYONE),
    "reports/compliance/<slug:chart>.csv": (
        lambda t: "/reports/compliance/annual-timeliness.csv?year_from=2019&year_to=2021&region=african",
        EVERYONE,
    ),
}
WRITES: dict = {}

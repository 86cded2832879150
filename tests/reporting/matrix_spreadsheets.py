"""Access-matrix entries of the reporting spreadsheets pages (merged by tests/test_access_matrix.py).

PAGES: route (as Django prints the pattern) -> (url builder taking the matrix Targets, expected
status per persona); WRITES: name -> Write(...). Import the helpers from tests.reporting.matrix_common.

The template, the upload and its confirmation are for State A's representatives and the reporting
staff. The upload itself never writes to the database (it checks the file and stages it outside
the database, until the uploader confirms); the confirmation needs a token staged in the same
session, so the matrix proves that a confirmation without one writes nothing for anybody, and
tests/reporting/test_spreadsheets_views.py tests the real confirmation.
"""

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.reporting.factories_spreadsheets import filled_template
from tests.reporting.matrix_common import *  # noqa: F403
from tests.reporting.matrix_common import DENIED, LOGIN, NOT_ALLOWED, OK, REDIRECT, STATE_A_OR_REGISTRY, Write

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
YEAR = 2022  # a year with no report of State A among the matrix targets

# The confirmation is POST only: a GET is refused after the access check.
POST_ONLY = {persona: NOT_ALLOWED if status == OK else status for persona, status in STATE_A_OR_REGISTRY.items()}

PAGES: dict = {
    "reports/template/<iso3:iso3>/<int:year>.xlsx": (
        lambda t: f"/reports/template/{t.state.iso3}/{YEAR}.xlsx?lang=fr",
        STATE_A_OR_REGISTRY,
    ),
    "reports/upload/<iso3:iso3>/<int:year>/": (
        lambda t: f"/reports/upload/{t.state.iso3}/{YEAR}/",
        STATE_A_OR_REGISTRY,
    ),
    "reports/upload/<iso3:iso3>/<int:year>/confirm/": (
        lambda t: f"/reports/upload/{t.state.iso3}/{YEAR}/confirm/",
        POST_ONLY,
    ),
}

WRITES: dict = {
    # Allowed personas get the validation report (200) and nothing is written: allowed=[] on purpose.
    "upload a spreadsheet (checked and staged, never saved)": Write(
        "post",
        lambda t: f"/reports/upload/{t.state.iso3}/{YEAR}/",
        lambda t: {"file": SimpleUploadedFile("report.xlsx", filled_template(t.state, YEAR), content_type=XLSX)},
        [],
        (LOGIN, DENIED, OK),
    ),
    "confirm a spreadsheet import without a staged upload": Write(
        "post",
        lambda t: f"/reports/upload/{t.state.iso3}/{YEAR}/confirm/",
        lambda t: {"token": "no-such-token"},
        [],
        (LOGIN, DENIED, REDIRECT),
    ),
}

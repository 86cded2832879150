"""Access-matrix entries of the reporting compliance pages (merged by tests/test_access_matrix.py).

PAGES: route (as Django prints the pattern) -> (url builder taking the matrix Targets, expected
status per persona); WRITES: name -> Write(...). Import the helpers from tests.reporting.matrix_common.
"""

from tests.reporting.matrix_common import *  # noqa: F403

PAGES: dict = {}
WRITES: dict = {}

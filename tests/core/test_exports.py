import datetime as dt

import pytest

from secretariat.core.exports import spreadsheet_safe


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("Côte d'Ivoire", "Côte d'Ivoire"),
        (dt.date(2014, 12, 24), "2014-12-24"),
        (None, ""),
        (118, "118"),
    ],
)
def test_cells_that_a_spreadsheet_would_run_become_text(value, expected):
    assert spreadsheet_safe(value) == expected

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from secretariat.core.templatetags.platform import partial_date, rate
from secretariat.states.models import PartialDate


@pytest.mark.parametrize(
    ("language", "value", "expected"),
    [
        ("en", Decimal("20.00400"), "20.004"),
        ("fr", Decimal("20.00400"), "20,004"),
        ("en", Decimal("0.00150"), "0.0015"),
        ("en", Decimal("100"), "100.000"),
        ("en", None, ""),
    ],
)
def test_rates_lose_trailing_zeros_but_keep_three_places(language, value, expected):
    with translation.override(language):
        assert rate(value) == expected


@pytest.mark.parametrize(
    ("language", "value", "expected"),
    [
        ("en", dt.date(2016, 3, 21), "21 March 2016"),
        ("fr", dt.date(2016, 3, 21), "21 mars 2016"),
        ("es", PartialDate(dt.date(2016, 3, 21)), "21 de marzo de 2016"),
        ("fr", PartialDate(None, "2014-08"), "août 2014"),
        ("en", PartialDate(None, "2014"), "2014"),
        ("en", PartialDate(None, ""), ""),
        ("en", None, ""),
    ],
)
def test_dates_are_written_in_the_readers_language_and_partial_dates_stay_partial(language, value, expected):
    with translation.override(language):
        assert partial_date(value) == expected

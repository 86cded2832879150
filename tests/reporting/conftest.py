"""Fixtures shared by the reporting tests: the States most of them report for or about."""

import pytest

from secretariat.states.models import State


@pytest.fixture
def ghana():
    return State.objects.get(iso3="GHA")


@pytest.fixture
def mexico():
    return State.objects.get(iso3="MEX")

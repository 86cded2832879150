"""`manage.py bootstrap` (what `make run` runs before serving) is idempotent and prints the logins."""

import io

import pytest
from django.core.management import call_command

from secretariat.accounts.models import RoleAssignment, User
from secretariat.states.models import ReferenceImport, ScaleRate, State

pytestmark = pytest.mark.django_db


def counts():
    return (
        State.objects.count(),
        ScaleRate.objects.count(),
        ReferenceImport.objects.count(),
        sorted(User.objects.values_list("email", "password", "is_active")),
        RoleAssignment.objects.count(),
        State.history.count(),
    )


def test_bootstrap_twice_loads_everything_once_and_prints_the_demo_logins():
    first = io.StringIO()
    call_command("bootstrap", stdout=first)
    assert "admin@demo.att-platform.org" in first.getvalue()
    assert "demo-password-2026" in first.getvalue()
    assert State.objects.count() == 196
    assert User.objects.filter(is_demo=True).count() == 10
    before = counts()
    second = io.StringIO()
    call_command("bootstrap", stdout=second)
    assert counts() == before
    assert "0 created, 10 already there" in second.getvalue()

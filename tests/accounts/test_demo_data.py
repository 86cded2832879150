"""The load_demo_data command: one demo account per role, idempotent."""

from io import StringIO

import pytest
from django.core.management import call_command

from secretariat.accounts.models import Donor, RoleAssignment, User
from secretariat.accounts.services import DEMO_PASSWORD
from secretariat.states.models import ScaleRate, State
from tests import factories

pytestmark = pytest.mark.django_db

EXPECTED = {
    "admin@demo.att-platform.org": "staff_admin",
    "finance@demo.att-platform.org": "staff_finance",
    "reporting@demo.att-platform.org": "staff_reporting",
    "programmes@demo.att-platform.org": "staff_programmes",
    "meetings@demo.att-platform.org": "staff_meetings",
    "ghana@demo.att-platform.org": "state_representative",
    "mexico@demo.att-platform.org": "state_representative",
    "committee@demo.att-platform.org": "management_committee",
    "vtf@demo.att-platform.org": "vtf_committee",
    "donor@demo.att-platform.org": "donor_representative",
}


def _run():
    out, err = StringIO(), StringIO()
    call_command("load_demo_data", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _snapshot():
    return (
        sorted(User.objects.values_list("email", "password", "is_demo", "is_staff", "is_superuser", "is_active")),
        sorted(RoleAssignment.objects.values_list("user__email", "role", "state_id", "donor_id")),
        sorted(Donor.objects.values_list("name", "state_id")),
        User.history.count(),
        RoleAssignment.history.count(),
    )


def test_it_creates_one_demo_account_per_role(state_a, state_b):
    switzerland = factories.StateFactory(iso3="CHE", iso2="CH", iso_numeric="756", name_en="Switzerland")

    out, _err = _run()

    users = {user.email: user for user in User.objects.all()}
    assert set(users) == set(EXPECTED)
    for email, role in EXPECTED.items():
        user = users[email]
        assert user.is_demo is True
        assert user.is_superuser is False
        assert user.check_password(DEMO_PASSWORD)
        assert list(user.role_assignments.values_list("role", flat=True)) == [role]
        assert user.is_staff is role.startswith("staff_")
        assert email in out
    assert users["ghana@demo.att-platform.org"].role_assignments.get().state == state_a
    assert users["mexico@demo.att-platform.org"].role_assignments.get().state == state_b
    donor = users["donor@demo.att-platform.org"].role_assignments.get().donor
    assert donor.name == "Demo donor: Government of Switzerland"
    assert donor.state == switzerland
    assert DEMO_PASSWORD in out


def test_a_second_run_changes_nothing_and_prints_the_logins_again(state_a, state_b):
    _run()
    before = _snapshot()

    out, _err = _run()

    assert _snapshot() == before
    assert "0 created, 10 already there" in out
    assert "admin@demo.att-platform.org" in out


def test_without_the_registry_it_warns_and_skips_the_state_representatives():
    # The suite loads the registry; take out the States the demo data looks for.
    ScaleRate.objects.filter(state__iso3__in=["GHA", "MEX", "CHE"]).delete()
    State.objects.filter(iso3__in=["GHA", "MEX", "CHE"]).delete()

    out, err = _run()

    assert "ghana@demo.att-platform.org" in err
    assert "mexico@demo.att-platform.org" in err
    assert not User.objects.filter(email__in=["ghana@demo.att-platform.org", "mexico@demo.att-platform.org"]).exists()
    assert User.objects.filter(is_demo=True).count() == 8
    assert Donor.objects.get(name="Demo donor: Government of Switzerland").state is None
    assert "ghana@demo.att-platform.org" not in out

"""Granting and revoking roles: who may, the scope rules, is_staff, and the history it leaves."""

import pytest
from django.core.exceptions import ValidationError

from secretariat.accounts import selectors, services
from secretariat.accounts.models import RoleAssignment
from tests import factories

pytestmark = pytest.mark.django_db


def _grant_url(user):
    return f"/accounts/users/{user.pk}/roles/grant/"


def _revoke_url(assignment):
    return f"/accounts/users/{assignment.user_id}/roles/{assignment.pk}/revoke/"


@pytest.fixture
def target(db):
    return factories.UserFactory(email="target@example.org")


class TestGrant:
    def test_an_admin_grants_a_role_and_the_history_names_them(self, client_as, target):
        client, admin = client_as("staff_admin")

        response = client.post(_grant_url(target), {"role": "staff_finance"})

        assert response.status_code == 302
        assignment = RoleAssignment.objects.get(user=target)
        assert assignment.role == "staff_finance"
        assert assignment.granted_by == admin
        row = assignment.history.get()
        assert row.history_type == "+"
        assert row.history_user == admin
        entry = next(entry for entry in selectors.user_history(user=target) if entry.record == "Roles")
        assert entry.who == admin
        assert (entry.changes[0].before, entry.changes[0].after) == ("—", "Secretariat: finance")

    def test_granting_a_staff_role_makes_the_user_staff_and_records_it(self, client_as, target):
        client, admin = client_as("staff_admin")

        client.post(_grant_url(target), {"role": "staff_reporting"})

        target.refresh_from_db()
        assert target.is_staff is True
        change = target.history.filter(history_type="~").latest("history_date")
        assert change.history_user == admin
        assert change.diff_against(change.prev_record).changed_fields == ["is_staff"]

    def test_a_state_representative_role_needs_a_state(self, client_as, target, state_a):
        client, _admin = client_as("staff_admin")

        refused = client.post(_grant_url(target), {"role": "state_representative"})
        assert refused.status_code == 400
        assert "Choose the State this representative acts for." in refused.content.decode()
        assert not RoleAssignment.objects.filter(user=target).exists()

        client.post(_grant_url(target), {"role": "state_representative", "state": state_a.pk})
        assert RoleAssignment.objects.get(user=target).state == state_a

    def test_an_unscoped_role_refuses_a_state(self, client_as, target, state_a):
        client, _admin = client_as("staff_admin")

        response = client.post(_grant_url(target), {"role": "staff_finance", "state": state_a.pk})

        assert response.status_code == 400
        assert not RoleAssignment.objects.filter(user=target).exists()

    def test_a_donor_representative_needs_a_donor(self, client_as, target):
        client, _admin = client_as("staff_admin")
        donor = factories.DonorFactory(name="Government of Norway")

        refused = client.post(_grant_url(target), {"role": "donor_representative"})
        assert refused.status_code == 400
        client.post(_grant_url(target), {"role": "donor_representative", "donor": donor.pk})

        assert RoleAssignment.objects.get(user=target).donor == donor

    def test_a_duplicate_grant_is_refused_with_a_clear_message(self, client_as, target):
        client, _admin = client_as("staff_admin")
        client.post(_grant_url(target), {"role": "vtf_committee"})

        response = client.post(_grant_url(target), {"role": "vtf_committee"})

        assert response.status_code == 400
        assert "already holds this role" in response.content.decode()
        assert RoleAssignment.objects.filter(user=target).count() == 1

    def test_the_same_role_for_two_states_is_allowed(self, client_as, target, state_a, state_b):
        client, _admin = client_as("staff_admin")

        client.post(_grant_url(target), {"role": "state_representative", "state": state_a.pk})
        client.post(_grant_url(target), {"role": "state_representative", "state": state_b.pk})

        assert set(RoleAssignment.objects.filter(user=target).values_list("state", flat=True)) == {
            state_a.pk,
            state_b.pk,
        }

    def test_the_service_refuses_a_duplicate_even_without_the_form(self, target):
        admin = factories.UserFactory()
        services.role_grant(user=target, role="staff_meetings", granted_by=admin)

        with pytest.raises(ValidationError, match="already holds this role"):
            services.role_grant(user=target, role="staff_meetings", granted_by=admin)
        assert RoleAssignment.objects.filter(user=target).count() == 1

    @pytest.mark.parametrize("persona", ["staff_finance", "staff_reporting", "state_a_rep", "donor_rep"])
    def test_anyone_but_an_admin_gets_403_and_nothing_changes(self, client_as, target, persona):
        client, _user = client_as(persona)
        before = RoleAssignment.objects.count()

        response = client.post(_grant_url(target), {"role": "staff_admin"})

        assert response.status_code == 403
        assert RoleAssignment.objects.count() == before
        assert not RoleAssignment.objects.filter(user=target).exists()
        target.refresh_from_db()
        assert target.is_staff is False

    def test_anonymous_visitors_are_sent_to_sign_in_and_nothing_changes(self, client, target):
        response = client.post(_grant_url(target), {"role": "staff_admin"})

        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
        assert not RoleAssignment.objects.filter(user=target).exists()

    def test_a_get_is_not_allowed(self, client_as, target):
        client, _admin = client_as("staff_admin")

        assert client.get(_grant_url(target)).status_code == 405


class TestRevoke:
    def test_an_admin_revokes_a_role_and_the_history_names_them(self, client_as, target):
        client, admin = client_as("staff_admin")
        assignment = services.role_grant(user=target, role="staff_programmes", granted_by=admin)

        response = client.post(_revoke_url(assignment))

        assert response.status_code == 302
        assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
        row = RoleAssignment.history.get(id=assignment.pk, history_type="-")
        assert row.history_user == admin
        revoked = next(
            entry
            for entry in selectors.user_history(user=target)
            if entry.record == "Roles" and entry.changes[0].label == "revoked"
        )
        assert revoked.who == admin
        assert (revoked.changes[0].before, revoked.changes[0].after) == ("Secretariat: programmes", "—")

    def test_revoking_the_last_staff_role_ends_staff_status(self, client_as, target):
        client, admin = client_as("staff_admin")
        assignment = services.role_grant(user=target, role="staff_programmes", granted_by=admin)
        target.refresh_from_db()
        assert target.is_staff is True

        client.post(_revoke_url(assignment))

        target.refresh_from_db()
        assert target.is_staff is False

    def test_staff_status_stays_while_another_staff_role_is_held(self, client_as, target):
        client, admin = client_as("staff_admin")
        services.role_grant(user=target, role="staff_finance", granted_by=admin)
        programmes = services.role_grant(user=target, role="staff_programmes", granted_by=admin)

        client.post(_revoke_url(programmes))

        target.refresh_from_db()
        assert target.is_staff is True

    def test_an_admin_cannot_revoke_their_own_administration_role(self, client_as):
        client, admin = client_as("staff_admin")
        own = RoleAssignment.objects.get(user=admin, role="staff_admin")

        response = client.post(_revoke_url(own), follow=True)

        assert "You cannot revoke your own administration role" in response.content.decode()
        assert RoleAssignment.objects.filter(pk=own.pk).exists()
        admin.refresh_from_db()
        assert admin.is_staff is True

    def test_an_admin_may_revoke_their_own_other_roles(self, client_as):
        client, admin = client_as("staff_admin")
        meetings = services.role_grant(user=admin, role="staff_meetings", granted_by=admin)

        client.post(_revoke_url(meetings))

        assert not RoleAssignment.objects.filter(pk=meetings.pk).exists()

    def test_a_finance_officer_cannot_revoke(self, client_as, target):
        client, _user = client_as("staff_finance")
        assignment = services.role_grant(user=target, role="staff_programmes", granted_by=None)

        response = client.post(_revoke_url(assignment))

        assert response.status_code == 403
        assert RoleAssignment.objects.filter(pk=assignment.pk).exists()

    def test_an_assignment_of_another_user_is_not_found(self, client_as, target):
        client, admin = client_as("staff_admin")
        other = factories.UserFactory()
        assignment = services.role_grant(user=target, role="staff_programmes", granted_by=admin)

        response = client.post(f"/accounts/users/{other.pk}/roles/{assignment.pk}/revoke/")

        assert response.status_code == 404
        assert RoleAssignment.objects.filter(pk=assignment.pk).exists()

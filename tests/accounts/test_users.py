"""The user list, a user's page, invitations and their acceptance, deactivation."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client

from secretariat.accounts import services
from secretariat.accounts.models import User
from tests import factories

from .conftest import OTP_URL

pytestmark = pytest.mark.django_db

LIST_URL = "/accounts/users/"
INVITE_URL = "/accounts/users/invite/"
NEW_PASSWORD = "a brand new passphrase 2026"


def _invite(client, **overrides):
    data = {
        "email": "Kwame@Example.org",
        "full_name": "Kwame Boateng",
        "preferred_language": "fr",
        "role": "staff_finance",
        **overrides,
    }
    return client.post(INVITE_URL, data)


class TestUserList:
    def test_an_admin_sees_every_user_with_their_roles(self, client_as, state_a):
        client, _admin = client_as("staff_admin")
        rep = factories.UserFactory(email="rep@example.org", full_name="Ama Mensah")
        factories.RoleAssignmentFactory(user=rep, role="state_representative", state=state_a)

        response = client.get(LIST_URL)

        assert response.status_code == 200
        page = response.content.decode()
        assert "Ama Mensah" in page
        assert "State representative (Ghana)" in page
        assert "no-store" in response["Cache-Control"]

    def test_it_searches_by_email_or_name(self, client_as):
        client, _admin = client_as("staff_admin")
        factories.UserFactory(email="ama@example.org", full_name="Ama Mensah")
        factories.UserFactory(email="luis@example.org", full_name="Luis García")

        by_name = client.get(LIST_URL, {"q": "mensah"}).context["users"]
        by_email = client.get(LIST_URL, {"q": "LUIS@"}).context["users"]

        assert [user.email for user in by_name] == ["ama@example.org"]
        assert [user.email for user in by_email] == ["luis@example.org"]

    def test_it_filters_by_role(self, client_as, make_persona):
        client, admin = client_as("staff_admin")
        finance = make_persona("staff_finance")
        make_persona("state_a_rep")

        users = client.get(LIST_URL, {"role": "staff_finance"}).context["users"]

        assert [user.pk for user in users] == [finance.pk]

    def test_it_needs_the_same_number_of_queries_for_many_users(self, client_as, django_assert_max_num_queries):
        client, _admin = client_as("staff_admin")
        for index in range(30):
            user = factories.UserFactory(email=f"many{index}@example.org")
            factories.RoleAssignmentFactory(user=user, role="vtf_committee")

        with django_assert_max_num_queries(15):
            response = client.get(LIST_URL)
        assert len(response.context["users"]) == 31

    @pytest.mark.parametrize("persona", ["state_a_rep", "staff_finance", "management_committee", "donor_rep"])
    def test_others_are_refused(self, client_as, persona):
        client, _user = client_as(persona)

        assert client.get(LIST_URL).status_code == 403

    def test_anonymous_visitors_are_sent_to_sign_in(self, client):
        response = client.get(LIST_URL)

        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


class TestUserDetail:
    def test_it_shows_roles_with_revoke_buttons_a_grant_form_and_the_history(self, client_as):
        client, admin = client_as("staff_admin")
        target = factories.UserFactory(full_name="Luis García")
        assignment = services.role_grant(user=target, role="staff_meetings", granted_by=admin)

        response = client.get(f"/accounts/users/{target.pk}/")

        page = response.content.decode()
        assert response.status_code == 200
        assert f"/accounts/users/{target.pk}/roles/{assignment.pk}/revoke/" in page
        assert f'action="/accounts/users/{target.pk}/roles/grant/"' in page
        assert "History of changes" in page
        assert "Secretariat: meetings" in page
        assert "no-store" in response["Cache-Control"]

    def test_an_admin_is_not_offered_to_revoke_their_own_administration_role(self, client_as):
        client, admin = client_as("staff_admin")
        own = admin.role_assignments.get()

        page = client.get(f"/accounts/users/{admin.pk}/").content.decode()

        assert f"/roles/{own.pk}/revoke/" not in page
        assert f"/accounts/users/{admin.pk}/deactivate/" not in page

    def test_a_state_representative_cannot_see_it(self, client_as):
        client, _user = client_as("state_a_rep")
        target = factories.UserFactory()

        assert client.get(f"/accounts/users/{target.pk}/").status_code == 403


class TestInvitation:
    def test_an_admin_invites_a_user_who_gets_an_email_in_their_language(
        self, client_as, django_capture_on_commit_callbacks
    ):
        client, admin = client_as("staff_admin")

        with django_capture_on_commit_callbacks(execute=True):
            response = _invite(client)

        invitee = User.objects.get(email="kwame@example.org")
        assert response["Location"] == f"/accounts/users/{invitee.pk}/"
        assert invitee.full_name == "Kwame Boateng"
        assert invitee.preferred_language == "fr"
        assert not invitee.has_usable_password()
        assert invitee.is_staff is True
        assignment = invitee.role_assignments.get()
        assert (assignment.role, assignment.granted_by) == ("staff_finance", admin)
        assert invitee.history.earliest("history_date").history_user == admin
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == ["kwame@example.org"]
        assert '<html lang="fr">' in message.alternatives[0][0]
        assert "/accounts/invitation/" in message.body

    def test_the_email_waits_for_the_commit(self, client_as, django_capture_on_commit_callbacks):
        client, _admin = client_as("staff_admin")

        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            _invite(client)

        assert len(callbacks) == 1
        assert mail.outbox == []

    def test_a_state_representative_is_invited_with_their_state(self, client_as, state_b):
        client, _admin = client_as("staff_admin")

        _invite(client, role="state_representative", state=state_b.pk)

        invitee = User.objects.get(email="kwame@example.org")
        assert invitee.role_assignments.get().state == state_b
        assert invitee.is_staff is False

    def test_a_missing_scope_is_refused_and_nobody_is_created(self, client_as):
        client, _admin = client_as("staff_admin")

        response = _invite(client, role="donor_representative")

        assert response.status_code == 400
        assert "Choose the donor this representative acts for." in response.content.decode()
        assert not User.objects.filter(email="kwame@example.org").exists()
        assert mail.outbox == []

    def test_an_existing_address_is_refused_in_any_case(self, client_as):
        client, _admin = client_as("staff_admin")
        factories.UserFactory(email="kwame@example.org")

        response = _invite(client, email="KWAME@example.org")

        assert response.status_code == 400
        assert "already exists" in response.content.decode()
        assert User.objects.filter(email__iexact="kwame@example.org").count() == 1

    def test_a_finance_officer_cannot_invite(self, client_as):
        client, _user = client_as("staff_finance")

        response = _invite(client)

        assert response.status_code == 403
        assert not User.objects.filter(email="kwame@example.org").exists()
        assert mail.outbox == []

    def test_the_invitee_chooses_a_password_and_is_signed_in(self, client, django_capture_on_commit_callbacks):
        admin = factories.UserFactory()
        with django_capture_on_commit_callbacks(execute=True):
            invitee = services.user_invite(
                email="ama@example.org",
                full_name="Ama Mensah",
                language="en",
                role="management_committee",
                invited_by=admin,
            )
        link = re.search(r"https?://\S+/accounts/invitation/\S+/", mail.outbox[0].body).group(0)

        response = client.get(urlsplit(link).path)
        assert response.status_code == 302
        form_url = response["Location"]
        assert "Choose the password of your account" in client.get(form_url).content.decode()
        response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

        assert response["Location"] == "/accounts/profile/"
        assert client.session["_auth_user_id"] == str(invitee.pk)
        invitee.refresh_from_db()
        assert invitee.check_password(NEW_PASSWORD)
        # The link is spent.
        client.post("/accounts/logout/")
        assert "does not work any more" in client.get(urlsplit(link).path).content.decode()

    def test_an_invited_staff_member_goes_on_to_set_up_two_factor(self, client, django_capture_on_commit_callbacks):
        admin = factories.UserFactory()
        with django_capture_on_commit_callbacks(execute=True):
            services.user_invite(
                email="kofi@example.org", full_name="Kofi", language="en", role="staff_reporting", invited_by=admin
            )
        link = re.search(r"https?://\S+/accounts/invitation/\S+/", mail.outbox[0].body).group(0)
        form_url = client.get(urlsplit(link).path)["Location"]

        response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

        assert response["Location"].startswith(OTP_URL)
        assert "<svg" in client.get(response["Location"]).content.decode()

    def test_the_link_of_a_deactivated_invitee_is_dead(self, client, django_capture_on_commit_callbacks):
        admin = factories.UserFactory()
        with django_capture_on_commit_callbacks(execute=True):
            invitee = services.user_invite(
                email="ama@example.org", full_name="Ama", language="en", role="vtf_committee", invited_by=admin
            )
        services.user_deactivate(user=invitee, deactivated_by=admin)
        link = re.search(r"https?://\S+/accounts/invitation/\S+/", mail.outbox[0].body).group(0)

        response = client.get(urlsplit(link).path)

        assert response.status_code == 200
        assert "does not work any more" in response.content.decode()
        invitee.refresh_from_db()
        assert not invitee.has_usable_password()

    def test_the_invitation_can_be_sent_again(self, client_as, django_capture_on_commit_callbacks):
        client, admin = client_as("staff_admin")
        invitee = services.user_invite(
            email="ama@example.org", full_name="Ama", language="es", role="vtf_committee", invited_by=admin
        )
        mail.outbox.clear()

        with django_capture_on_commit_callbacks(execute=True):
            client.post(f"/accounts/users/{invitee.pk}/invitation/resend/")

        assert [message.to for message in mail.outbox] == [["ama@example.org"]]


class TestDeactivation:
    def test_a_deactivated_user_loses_their_session_at_once(self, client_as):
        admin_client, admin = client_as("staff_admin")
        member_client = Client(**{"wsgi.url_scheme": "https"})
        member = factories.UserFactory()
        factories.RoleAssignmentFactory(user=member, role="vtf_committee")
        member_client.force_login(member)
        assert member_client.get("/accounts/profile/").status_code == 200

        admin_client.post(f"/accounts/users/{member.pk}/deactivate/")

        member.refresh_from_db()
        assert member.is_active is False
        assert member.history.latest("history_date").history_user == admin
        assert member_client.get("/accounts/profile/").status_code == 302

    def test_an_admin_cannot_deactivate_themselves(self, client_as):
        client, admin = client_as("staff_admin")

        response = client.post(f"/accounts/users/{admin.pk}/deactivate/", follow=True)

        assert "You cannot deactivate your own account." in response.content.decode()
        admin.refresh_from_db()
        assert admin.is_active is True

    def test_a_finance_officer_cannot_deactivate(self, client_as):
        client, _user = client_as("staff_finance")
        member = factories.UserFactory()

        assert client.post(f"/accounts/users/{member.pk}/deactivate/").status_code == 403
        member.refresh_from_db()
        assert member.is_active is True

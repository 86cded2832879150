"""The accounts models in the platform's Django admin site."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from secretariat.accounts.models import RoleAssignment
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/admin/accounts/user/",
        "/admin/accounts/user/?q=example",
        "/admin/accounts/roleassignment/",
        "/admin/accounts/roleassignment/?role__exact=state_representative",
        "/admin/accounts/donor/",
        "/admin/otp_totp/totpdevice/",
    ],
)
def test_an_admin_opens_the_lists(client_as, url):
    client, _admin = client_as("staff_admin")
    factories.DonorFactory()

    assert client.get(url).status_code == 200


def test_the_user_page_and_its_history_open(client_as, state_a):
    client, admin = client_as("staff_admin")
    rep = factories.UserFactory()
    factories.RoleAssignmentFactory(user=rep, role="state_representative", state=state_a)

    assert client.get(f"/admin/accounts/user/{rep.pk}/change/").status_code == 200
    assert client.get(f"/admin/accounts/user/{rep.pk}/history/").status_code == 200


def test_a_role_added_in_the_admin_goes_through_the_service(client_as):
    client, admin = client_as("staff_admin")
    target = factories.UserFactory()

    response = client.post("/admin/accounts/roleassignment/add/", {"user": target.pk, "role": "staff_meetings"})

    assert response.status_code == 302
    assignment = RoleAssignment.objects.get(user=target)
    assert assignment.granted_by == admin
    assert assignment.history.get().history_user == admin
    target.refresh_from_db()
    assert target.is_staff is True


def test_a_role_with_the_wrong_scope_is_refused_in_the_admin(client_as, state_a):
    client, _admin = client_as("staff_admin")
    target = factories.UserFactory()

    response = client.post(
        "/admin/accounts/roleassignment/add/", {"user": target.pk, "role": "staff_meetings", "state": state_a.pk}
    )

    assert response.status_code == 200
    assert not RoleAssignment.objects.filter(user=target).exists()


def test_a_role_deleted_in_the_admin_goes_through_the_service(client_as):
    client, admin = client_as("staff_admin")
    target = factories.UserFactory(is_staff=True)
    assignment = factories.RoleAssignmentFactory(user=target, role="staff_finance")

    client.post(f"/admin/accounts/roleassignment/{assignment.pk}/delete/", {"post": "yes"})

    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    target.refresh_from_db()
    assert target.is_staff is False
    assert RoleAssignment.history.get(id=assignment.pk, history_type="-").history_user == admin


def test_an_admin_cannot_delete_their_own_administration_role_in_the_admin(client_as):
    client, admin = client_as("staff_admin")
    own = RoleAssignment.objects.get(user=admin)

    response = client.post(f"/admin/accounts/roleassignment/{own.pk}/delete/", {"post": "yes"})

    assert response.status_code == 403
    assert RoleAssignment.objects.filter(pk=own.pk).exists()


@pytest.mark.parametrize("persona", ["staff_finance", "state_a_rep"])
def test_others_cannot_use_the_admin(client_as, persona):
    client, _user = client_as(persona)

    response = client.get("/admin/accounts/user/")

    # The admin sends whoever lacks permission to its sign-in page, which is the platform's.
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def _account_patterns():
    resolver = get_resolver()
    (accounts,) = [
        entry for entry in resolver.url_patterns if isinstance(entry, URLResolver) and entry.namespace == "accounts"
    ]
    return [entry for entry in accounts.url_patterns if isinstance(entry, URLPattern)]


@pytest.mark.parametrize("pattern", _account_patterns(), ids=lambda pattern: pattern.name)
def test_every_accounts_view_declares_its_access_policy(pattern):
    assert getattr(pattern.callback, "access_policy", None) in {"public", "signed_in", "staff"}

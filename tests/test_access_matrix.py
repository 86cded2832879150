"""Every URL pattern × every role: the expected answer, and denied writes that change nothing.

Run it alone with `make test PYTEST_ARGS="tests/test_access_matrix.py"`.

- `test_every_url_pattern_is_in_the_matrix` fails when a URL is added without an entry here.
- `test_every_view_declares_an_access_policy` fails when a view is not wrapped by one of the
  central access helpers of core/access.py (the admin goes through its AdminSite instead).
- `test_get` asks every URL as every persona and checks the status (and where a redirect goes).
- `test_write` posts a valid payload as every persona: the allowed ones change the database (so the
  payload is proven valid), every other one is refused and the database is exactly as before.

Personas: anonymous, the representatives of State A (Ghana), State B (Mexico) and of a signatory
that is not a State Party (Angola), the five
Secretariat staff groups (signed in with their second factor), a Management Committee member, a
VTF Selection Committee member and a donor representative.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test.utils import override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.admin import SimpleHistoryAdmin

from secretariat.accounts.models import Donor, RoleAssignment, User
from secretariat.contacts.models import Contact
from secretariat.controllists.models import ControlList, ControlListFile
from secretariat.core.admin_site import admin_site
from secretariat.reminders.models import OutboxMessage, ReminderRule, ReminderTemplate
from secretariat.reporting.models import (
    Category,
    ClarificationQuery,
    InitialAnswer,
    PublishedTransfer,
    Report,
    ReportForm,
    ReportVersion,
    TransferRow,
    VersionAttachment,
)
from secretariat.reporting.services import query_ask, report_record_received
from secretariat.states.forms import StateRegistryForm
from secretariat.states.models import ReferenceImport, ScaleRate, State
from tests import factories
from tests.conftest import PERSONAS, HttpsClient, create_persona, sign_in
from tests.contacts import matrix_contacts
from tests.controllists import matrix_controllists
from tests.finance import matrix_arrears, matrix_budgets, matrix_publication, matrix_receivables, matrix_spending
from tests.reminders import matrix_reminders
from tests.reporting import matrix_compliance, matrix_spreadsheets, matrix_transfers, matrix_workflow
from tests.reporting.matrix_common import (
    ADMIN_SITE,
    ADMIN_STAFF,
    ADMIN_STAFF_POST_ONLY,
    ANY_STAFF,
    DENIED,
    EVERYONE,
    LOGIN,
    NOT_ALLOWED,
    NOT_FOUND,
    OK,
    PDF,
    REDIRECT,
    REGISTRY,
    REGISTRY_STAFF,
    SIGNED_IN_ONLY,
    STATE_A_OR_REGISTRY,
    Write,
    expect,
)

AREA_MODULES = (
    matrix_workflow,
    matrix_spreadsheets,
    matrix_transfers,
    matrix_compliance,
    matrix_contacts,
    matrix_controllists,
    matrix_reminders,
    matrix_budgets,
    matrix_receivables,
    matrix_arrears,
    matrix_publication,
    matrix_spending,
)

pytestmark = pytest.mark.django_db


@dataclass
class Targets:
    """The objects the URLs point at."""

    state: State
    user: User
    assignment: RoleAssignment
    donor: Donor
    device: TOTPDevice
    rate: ScaleRate
    invitee: User
    version: ReportVersion  # State A, annual 2021, received by email, submitted (not published)
    draft_a: ReportVersion  # State A, annual 2023, a draft with a public exports form
    published_a: ReportVersion  # State A, annual 2020, published: public exports, restricted imports
    query_a: ClarificationQuery  # an open query on `version`
    contact: Contact  # State A's verified national point of contact
    contact_pending: Contact  # a change to `contact` proposed by State A, waiting for staff
    control_list: ControlList  # State A's list of 2024, for States Parties only (one English file)
    control_file: ControlListFile  # the file of `control_list`
    public_list: ControlList  # State A's list of 2020, public (one French file)
    public_file: ControlListFile
    rule: ReminderRule  # an annual report rule with an English template
    failed_message: OutboxMessage  # a reminder to State A whose delivery failed
    # What area modules build for themselves: an area module may define
    # `build_targets(t) -> dict` (merged here, read as t.extra["name"]) and `SNAPSHOT_MODELS`
    # (models whose rows a refused write must leave unchanged).
    extra: dict[str, Any] = field(default_factory=dict)


def _build_targets() -> Targets:
    state_a = State.objects.get(iso3="GHA")
    user = factories.UserFactory(email="target.person@example.org", full_name="Target Person")
    assignment = factories.RoleAssignmentFactory(user=user, role="state_representative", state=state_a)
    donor = factories.DonorFactory(name="Matrix donor")
    device = factories.confirmed_totp_device(user)
    rate = ScaleRate.objects.filter(state=state_a).first()
    invitee = factories.UserFactory(email="invited.person@example.org", password=None)
    invitee.set_unusable_password()
    invitee.save()
    officer = factories.UserFactory(email="recording.officer@example.org")
    version = report_record_received(
        state=state_a,
        kind="annual",
        year=2021,
        received_on=dt.date(2022, 5, 20),
        recorded_by=officer,
        upload=SimpleUploadedFile("report.pdf", PDF, content_type="application/pdf"),
    )
    draft_a, published_a = factories.matrix_reports(state_a, officer)
    query_a = query_ask(version=version, question="Which authority issued the licences?", asked_by=officer)
    contact = factories.ContactFactory(state=state_a, name="Ama Mensah", email="npc@mfa.example.gh")
    contact_pending = factories.ContactFactory(
        state=state_a,
        name="Ama Mensah",
        email="npc@mfa.example.gh",
        title="Deputy Director",
        status="pending",
        decided_at=None,
        replaces=contact,
        proposed_by=user,
    )
    control_list = factories.ControlListFactory(state=state_a, list_date=dt.date(2024, 3, 1), visibility="parties")
    control_file = factories.ControlListFileFactory(control_list=control_list, language="en")
    public_list = factories.ControlListFactory(state=state_a, list_date=dt.date(2020, 3, 1), visibility="public")
    public_file = factories.ControlListFileFactory(control_list=public_list, language="fr")
    rule = factories.ReminderTemplateFactory().rule
    failed_message = factories.OutboxMessageFactory(state=state_a, rule=rule, status="failed", attempts=2)
    built = Targets(
        state_a,
        user,
        assignment,
        donor,
        device,
        rate,
        invitee,
        version,
        draft_a,
        published_a,
        query_a,
        contact,
        contact_pending,
        control_list,
        control_file,
        public_list,
        public_file,
        rule,
        failed_message,
    )
    for area in AREA_MODULES:
        if hasattr(area, "build_targets"):
            built.extra.update(area.build_targets(built))
    return built


def _sign_in_personas() -> dict[str, str]:
    """A user and a signed-in session for every persona (staff past their second factor), made
    once: {persona: session key}; anonymous has none."""
    sessions = {}
    for name in PERSONAS:
        user = create_persona(name)
        if user is not None:
            client = sign_in(HttpsClient(), user)
            sessions[name] = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    return sessions


@pytest.fixture(scope="module")
def _module_targets(django_db_setup, django_db_blocker, tmp_path_factory):
    """The targets and the personas' sessions are built once for this module, inside a transaction
    that is rolled back at its end; each test runs in a savepoint within it (as Django's
    TestCase.setUpTestData does), so no test sees another's changes (sessions included)."""
    media = tmp_path_factory.mktemp("matrix-media")
    quick_hasher = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # as every test uses (conftest)
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=quick_hasher):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield _build_targets(), media, _sign_in_personas()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def targets(_module_targets, db, settings):
    built, media, _sessions = _module_targets
    settings.MEDIA_ROOT = media  # where the targets' files are
    return built


@pytest.fixture
def as_persona(_module_targets, client):
    """as_persona("staff_admin") -> the test client, in that persona's session (anonymous: none)."""
    _built, _media, sessions = _module_targets

    def use(persona: str):
        if persona in sessions:
            client.cookies[django_settings.SESSION_COOKIE_NAME] = sessions[persona]
        return client

    return use


# ---------------------------------------------------------------------------- the URL table
# route (as Django prints the pattern) -> (how to build the URL, expected status per persona)

PAGES: dict[str, tuple[Any, dict[str, str]]] = {
    "": (lambda t: "/", EVERYONE),
    "i18n/setlang/": (lambda t: "/i18n/setlang/", dict.fromkeys(PERSONAS, REDIRECT)),
    "accounts/login/": (lambda t: "/accounts/login/", EVERYONE),
    "accounts/logout/": (lambda t: "/accounts/logout/", dict.fromkeys(PERSONAS, NOT_ALLOWED)),
    # Staff who already passed the second factor, and everyone else signed in, are sent on.
    "accounts/two-factor/": (
        lambda t: "/accounts/two-factor/",
        expect(anonymous=LOGIN, non_staff=REDIRECT, staff=REDIRECT),
    ),
    "accounts/password-reset/": (lambda t: "/accounts/password-reset/", EVERYONE),
    "accounts/password-reset/sent/": (lambda t: "/accounts/password-reset/sent/", EVERYONE),
    "accounts/reset/<uidb64>/<token>/": (lambda t: "/accounts/reset/MQ/bad-token/", EVERYONE),
    "accounts/reset/done/": (lambda t: "/accounts/reset/done/", EVERYONE),
    "accounts/invitation/<uidb64>/<token>/": (lambda t: "/accounts/invitation/MQ/bad-token/", EVERYONE),
    "accounts/profile/": (lambda t: "/accounts/profile/", SIGNED_IN_ONLY),
    "accounts/password/": (lambda t: "/accounts/password/", SIGNED_IN_ONLY),
    "accounts/password/done/": (lambda t: "/accounts/password/done/", SIGNED_IN_ONLY),
    "accounts/users/": (lambda t: "/accounts/users/", ADMIN_STAFF),
    "accounts/users/invite/": (lambda t: "/accounts/users/invite/", ADMIN_STAFF),
    "accounts/users/<int:pk>/": (lambda t: f"/accounts/users/{t.user.pk}/", ADMIN_STAFF),
    "accounts/users/<int:pk>/roles/grant/": (
        lambda t: f"/accounts/users/{t.user.pk}/roles/grant/",
        ADMIN_STAFF_POST_ONLY,
    ),
    "accounts/users/<int:pk>/roles/<int:assignment_pk>/revoke/": (
        lambda t: f"/accounts/users/{t.user.pk}/roles/{t.assignment.pk}/revoke/",
        ADMIN_STAFF_POST_ONLY,
    ),
    "accounts/users/<int:pk>/invitation/resend/": (
        lambda t: f"/accounts/users/{t.user.pk}/invitation/resend/",
        ADMIN_STAFF_POST_ONLY,
    ),
    "accounts/users/<int:pk>/deactivate/": (
        lambda t: f"/accounts/users/{t.user.pk}/deactivate/",
        ADMIN_STAFF_POST_ONLY,
    ),
    "accounts/users/<int:pk>/reactivate/": (
        lambda t: f"/accounts/users/{t.user.pk}/reactivate/",
        ADMIN_STAFF_POST_ONLY,
    ),
    "states/": (lambda t: "/states/", EVERYONE),
    "states/export.csv": (lambda t: "/states/export.csv", EVERYONE),
    "states/data-quality/": (lambda t: "/states/data-quality/", ANY_STAFF),
    "states/<iso3:iso3>/": (lambda t: f"/states/{t.state.iso3}/", EVERYONE),
    "states/<iso3:iso3>/edit/": (lambda t: f"/states/{t.state.iso3}/edit/", REGISTRY),
    "states/<iso3:iso3>/preferences/": (lambda t: f"/states/{t.state.iso3}/preferences/", STATE_A_OR_REGISTRY),
    "reports/received/": (lambda t: "/reports/received/", REGISTRY),
    "reports/received/new/": (lambda t: "/reports/received/new/", REGISTRY),
    "reports/versions/<int:pk>/file/": (lambda t: f"/reports/versions/{t.version.pk}/file/", REGISTRY),
    "api/v1/states/": (lambda t: "/api/v1/states/", EVERYONE),
    "api/v1/states/<iso3:iso3>/": (lambda t: f"/api/v1/states/{t.state.iso3}/", EVERYONE),
    "api/v1/states/<iso3:iso3>/obligations/": (lambda t: f"/api/v1/states/{t.state.iso3}/obligations/", EVERYONE),
    "api/v1/schema/": (lambda t: "/api/v1/schema/", EVERYONE),
    "api/v1/docs/": (lambda t: "/api/v1/docs/", EVERYONE),
}


# The reporting areas keep their entries next to their tests (one module each, same format).
for _area in AREA_MODULES:
    PAGES.update(_area.PAGES)


def _admin_object(model: type, t: Targets) -> Any:
    return {
        State: t.state,
        User: t.user,
        RoleAssignment: t.assignment,
        Donor: t.donor,
        TOTPDevice: t.device,
        ScaleRate: t.rate,
        Report: t.version.report,
        ReportVersion: t.version,
        Contact: t.contact,
        ControlList: t.control_list,
        ReminderRule: t.rule,
        OutboxMessage: t.failed_message,
    }.get(model) or model.objects.first()


def admin_pages() -> dict[str, tuple[Any, dict[str, str]]]:
    """The admin's URLs, generated from the models registered on the platform's admin site."""
    pages: dict[str, tuple[Any, dict[str, str]]] = {
        "admin/": (lambda t: "/admin/", ADMIN_SITE),
        "admin/login/": (lambda t: "/admin/login/", dict.fromkeys(PERSONAS, REDIRECT)),
        "admin/logout/": (lambda t: "/admin/logout/", {**ADMIN_SITE, "staff_admin": NOT_ALLOWED}),
        "admin/password_change/": (lambda t: "/admin/password_change/", ADMIN_SITE),
        "admin/password_change/done/": (lambda t: "/admin/password_change/done/", ADMIN_SITE),
        "admin/autocomplete/": (lambda t: "/admin/autocomplete/", {**ADMIN_SITE, "staff_admin": DENIED}),
        "admin/jsi18n/": (lambda t: "/admin/jsi18n/", ADMIN_SITE),
        # "View on site": none of our models has a public address, so 404 for those let in.
        "admin/r/<path:content_type_id>/<path:object_id>/": (
            lambda t: "/admin/r/1/1/",
            {**ADMIN_SITE, "staff_admin": NOT_FOUND},
        ),
        "admin/(?P<url>.*)$": (lambda t: "/admin/no-such-page/", {**ADMIN_SITE, "staff_admin": NOT_FOUND}),
        "admin/^(?P<app_label>accounts|otp_totp|states|reporting|contacts|controllists|reminders)/$": (
            lambda t: "/admin/states/",
            ADMIN_SITE,
        ),
    }
    for model, model_admin in admin_site._registry.items():
        base = f"admin/{model._meta.app_label}/{model._meta.model_name}/"
        url = "/" + base

        def obj_url(t: Targets, suffix: str = "", _model: type = model, _url: str = url) -> str:
            return f"{_url}{_admin_object(_model, t).pk}/{suffix}"

        pages[base] = (lambda t, _url=url: _url, ADMIN_SITE)
        # Users are invited, TOTP devices enrolled, reference imports run and reports recorded by
        # their own workflows, never added by hand; reference imports, the categories (reference
        # data) and report versions (immutable history) are also never deleted.
        closed = {**ADMIN_SITE, "staff_admin": DENIED}
        never_added = (
            User,
            TOTPDevice,
            ReferenceImport,
            Category,
            Report,
            ReportVersion,
            ControlList,
            ReminderRule,
            OutboxMessage,
            Contact,
        )
        add_rule = closed if model in never_added else ADMIN_SITE
        pages[base + "add/"] = (lambda t, _url=url: f"{_url}add/", add_rule)
        pages[base + "<path:object_id>/change/"] = (lambda t, f=obj_url: f(t, "change/"), ADMIN_SITE)
        pages[base + "<path:object_id>/history/"] = (lambda t, f=obj_url: f(t, "history/"), ADMIN_SITE)
        delete_rule = (
            closed
            if model in (ReferenceImport, Category, ReportVersion, ReminderRule, OutboxMessage, Contact)
            else ADMIN_SITE
        )
        pages[base + "<path:object_id>/delete/"] = (lambda t, f=obj_url: f(t, "delete/"), delete_rule)
        # <object_id>/ alone redirects to <object_id>/change/ (for those allowed in).
        pages[base + "<path:object_id>/"] = (lambda t, f=obj_url: f(t), {**ADMIN_SITE, "staff_admin": REDIRECT})
        if isinstance(model_admin, SimpleHistoryAdmin):
            pages[base + "^([^/]+)/history/([^/]+)/$"] = (
                lambda t, f=obj_url, _model=model: f(
                    t, f"history/{_model.history.filter(id=_admin_object(_model, t).pk).latest().history_id}/"
                ),
                ADMIN_SITE,
            )
    return pages


def all_routes() -> list[tuple[str, Any]]:
    def walk(patterns: list, prefix: str = "") -> Any:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), pattern.callback

    return list(walk(get_resolver().url_patterns))


ALL_PAGES = {**PAGES, **admin_pages()}


def test_every_url_pattern_is_in_the_matrix():
    routes = {route for route, _callback in all_routes()}
    missing = sorted(routes - set(ALL_PAGES))
    assert not missing, f"URL patterns without an entry in the access matrix: {missing}"
    stale = sorted(set(ALL_PAGES) - routes)
    assert not stale, f"matrix entries for URLs that no longer exist: {stale}"


def test_every_view_declares_an_access_policy():
    undeclared = []
    for route, callback in all_routes():
        if route.startswith("admin/"):
            continue  # admin views are wrapped by admin_site.admin_view -> has_permission()
        view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
        policy = getattr(callback, "access_policy", None) or getattr(view_class, "access_policy", None)
        if policy not in {"public", "signed_in", "staff"}:
            undeclared.append(route)
    assert not undeclared, f"views without an access policy from core.access: {undeclared}"


def test_the_admin_site_uses_the_central_access_helper():
    assert admin_site.has_permission.__func__.__module__ == "secretariat.core.admin_site"


def _check(response: Any, expected: str, url: str, persona: str) -> None:
    where = f"{persona} GET {url}"
    if expected == LOGIN:
        assert response.status_code == 302, where
        assert response["Location"].startswith("/accounts/login/"), where
    elif expected == REDIRECT:
        assert response.status_code == 302, where
    else:
        assert str(response.status_code) == expected, f"{where}: {response.status_code}, expected {expected}"


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("route", sorted(ALL_PAGES))
def test_get(as_persona, targets, route, persona):
    build, expected = ALL_PAGES[route]
    url = build(targets)
    client = as_persona(persona)
    response = client.get(url)
    if response.streaming:
        # A download streams from an open file: read it to the end, and the test client closes
        # it (calling close() here would also close the database connection of the test).
        b"".join(response.streaming_content)
    _check(response, expected[persona], url, persona)


# ---------------------------------------------------------------------------- writes


def snapshot() -> tuple:
    """Every row a write in this matrix could touch."""
    return (
        list(State.objects.order_by("pk").values()),
        list(ScaleRate.objects.order_by("pk").values()),
        list(User.objects.order_by("pk").values("pk", "email", "full_name", "is_active", "is_staff", "password")),
        list(RoleAssignment.objects.order_by("pk").values()),
        list(Donor.objects.order_by("pk").values()),
        list(TOTPDevice.objects.order_by("pk").values("pk", "user_id", "confirmed")),
        list(Report.objects.order_by("pk").values()),
        list(ReportVersion.objects.order_by("pk").values()),
        list(ReportForm.objects.order_by("pk").values()),
        list(TransferRow.objects.order_by("pk").values()),
        list(InitialAnswer.objects.order_by("pk").values()),
        list(VersionAttachment.objects.order_by("pk").values()),
        list(ClarificationQuery.objects.order_by("pk").values()),
        list(PublishedTransfer.objects.order_by("pk").values("pk", "row_id")),
        list(Contact.objects.order_by("pk").values()),
        list(ControlList.objects.order_by("pk").values()),
        list(ControlListFile.objects.order_by("pk").values()),
        list(ReminderRule.objects.order_by("pk").values()),
        list(ReminderTemplate.objects.order_by("pk").values()),
        list(OutboxMessage.objects.order_by("pk").values()),
        State.history.count(),
        RoleAssignment.history.count(),
        len(mail.outbox),
        [
            list(model.objects.order_by("pk").values())
            for area in AREA_MODULES
            for model in getattr(area, "SNAPSHOT_MODELS", ())
        ],
    )


def _registry_form(state: State) -> dict[str, str]:
    form = StateRegistryForm(instance=state)
    data = {}
    for name, _bound in form.fields.items():
        value = form[name].value()
        data[name] = "" if value is None else str(value)
    data.update(name_fr="Ghana (modifié)", reason="Matrix test")
    return data


WRITES: dict[str, Write] = {
    "invite a user": Write(
        "post",
        lambda t: "/accounts/users/invite/",
        lambda t: {
            "email": "new.person@example.org",
            "full_name": "New Person",
            "preferred_language": "fr",
            "role": "staff_finance",
        },
        ["staff_admin"],
    ),
    "grant a role": Write(
        "post",
        lambda t: f"/accounts/users/{t.user.pk}/roles/grant/",
        lambda t: {"role": "management_committee"},
        ["staff_admin"],
    ),
    "revoke a role": Write(
        "post",
        lambda t: f"/accounts/users/{t.user.pk}/roles/{t.assignment.pk}/revoke/",
        lambda t: {},
        ["staff_admin"],
    ),
    "resend an invitation": Write(
        "post", lambda t: f"/accounts/users/{t.invitee.pk}/invitation/resend/", lambda t: {}, ["staff_admin"]
    ),
    "deactivate a user": Write(
        "post", lambda t: f"/accounts/users/{t.user.pk}/deactivate/", lambda t: {}, ["staff_admin"]
    ),
    "edit the registry": Write(
        "post", lambda t: f"/states/{t.state.iso3}/edit/", lambda t: _registry_form(t.state), REGISTRY_STAFF
    ),
    "set a State's working language": Write(
        "post",
        lambda t: f"/states/{t.state.iso3}/preferences/",
        lambda t: {"working_language": "es"},
        ["state_a_rep", *REGISTRY_STAFF],
    ),
    "record a received report": Write(
        "post",
        lambda t: "/reports/received/new/",
        lambda t: {
            "state": t.state.pk,
            "kind": "annual",
            "year": "2022",
            "received_on": "2023-05-20",
            "file": SimpleUploadedFile("report.pdf", PDF, content_type="application/pdf"),
            "exports_visibility": "public",
            "imports_visibility": "restricted",
        },
        REGISTRY_STAFF,
    ),
    "create a State through the API": Write(
        "post", lambda t: "/api/v1/states/", lambda t: {"iso3": "XAA"}, [], (DENIED, NOT_ALLOWED)
    ),
    "change a State through the API": Write(
        "put", lambda t: f"/api/v1/states/{t.state.iso3}/", lambda t: {"name_en": "X"}, [], (DENIED, NOT_ALLOWED)
    ),
    "delete a State through the API": Write(
        "delete", lambda t: f"/api/v1/states/{t.state.iso3}/", lambda t: {}, [], (DENIED, NOT_ALLOWED)
    ),
    "change a State in the admin": Write(
        "post",
        lambda t: f"/admin/states/state/{t.state.pk}/change/",
        lambda t: {"name_en": "Changed", "iso3": t.state.iso3},
        [],  # even for admins this payload is incomplete; it must never be half-applied
        (REDIRECT, LOGIN, OK),
    ),
    "delete a user in the admin": Write(
        "post",
        lambda t: f"/admin/accounts/user/{t.user.pk}/delete/",
        lambda t: {"post": "yes"},
        ["staff_admin"],
        (REDIRECT, LOGIN),
    ),
}


for _area in AREA_MODULES:
    WRITES.update(_area.WRITES)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("action", sorted(WRITES))
def test_write(as_persona, targets, action, persona, django_capture_on_commit_callbacks):
    write = WRITES[action]
    client = as_persona(persona)
    url = write.url(targets)
    before = snapshot()
    sender = getattr(client, write.method)
    # Emails go out when the transaction commits: run those callbacks, as production would.
    with django_capture_on_commit_callbacks(execute=True):
        if write.method == "post":
            response = sender(url, write.data(targets))
        else:
            response = sender(url, data=write.data(targets), content_type="application/json")
    after = snapshot()
    where = f"{persona} {write.method.upper()} {url} ({action})"
    if persona in write.allowed:
        assert response.status_code in (200, 302), where
        assert after != before, f"{where}: an allowed write changed nothing, so the payload is not valid"
        return
    assert after == before, f"{where}: a refused write changed the database or sent mail"
    status = str(response.status_code)
    accepted = set(write.denied_status)
    if status == "302":
        location = response["Location"]
        kind = LOGIN if location.startswith("/accounts/login/") else REDIRECT
        assert kind in accepted, f"{where}: redirected to {location}"
    else:
        assert status in accepted, f"{where}: {status}, expected one of {accepted}"


def test_state_b_cannot_reach_state_a_through_another_spelling(as_persona, targets):
    client = as_persona("state_b_rep")
    before = snapshot()
    for url in (f"/states/{targets.state.iso3.lower()}/preferences/", f"/states/{targets.state.iso2}X/preferences/"):
        response = client.post(url, {"working_language": "es"})
        assert response.status_code in (403, 404)
    assert snapshot() == before

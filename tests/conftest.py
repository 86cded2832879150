"""Fixtures shared by the whole suite: personas for every role, and browser settings."""

import os
import shutil
import signal

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import translation

# Playwright's sync API keeps an asyncio loop in the main thread; Django's ORM then refuses
# database access (SynchronousOnlyOperation) from tests and the live server unless this is set.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing in CI (scripts/ci-services.sh installs it)")
        pytest.skip(f"{CHROMIUM} not installed (apt-get install -y chromium)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session", autouse=True)
def _compiled_translations():
    # `make test` compiles them first; this keeps a bare `pytest` run right too (it is quick
    # when nothing changed).
    call_command("compile_translations", verbosity=0)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test starts from the real State registry (196 States, treaty data, UN scale),
    loaded once per session. Transactional tests (the browser tests) flush the database and load
    it again themselves."""
    with django_db_blocker.unblock():
        call_command("load_reference_data", verbosity=0)


@pytest.fixture(autouse=True)
def _plain_settings(settings, tmp_path):
    # Tests run with DEBUG off; the manifest storage would need collectstatic first.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # A request in French leaves French active in this thread (LocaleMiddleware does not reset
    # it): every test starts in the default language.
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def database_worker_signals():
    """For a test that runs the django-tasks worker in-process (`call_command("db_worker")`): the
    worker installs its own SIGINT/SIGTERM/SIGQUIT handlers and leaves them, so a later Ctrl+C or
    a time limit's SIGTERM would become a "graceful shutdown" inside whichever test runs then.
    The handlers are put back afterwards."""
    numbers = [getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGQUIT") if hasattr(signal, name)]
    saved = {number: signal.getsignal(number) for number in numbers}
    yield
    for number, handler in saved.items():
        signal.signal(number, handler)


class HttpsClient(Client):
    """A test client that speaks HTTPS, as browsers do in production."""

    def generic(self, *args, secure=True, **kwargs):
        return super().generic(*args, secure=True, **kwargs)


@pytest.fixture
def client():
    return HttpsClient()


# ---------------------------------------------------------------------------- personas
# One user per role. State A and State B are two real States of the registry when it is
# loaded (Ghana and Mexico), so cross-State probes read like the real thing.

from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402

from tests import factories  # noqa: E402

STATE_A = {"iso3": "GHA", "iso2": "GH", "iso_numeric": "288", "name_en": "Ghana"}
STATE_B = {"iso3": "MEX", "iso2": "MX", "iso_numeric": "484", "name_en": "Mexico"}
# A signatory that is not a State Party: its users never see material restricted to States Parties.
STATE_SIGNATORY = {"iso3": "AGO", "iso2": "AO", "iso_numeric": "024", "name_en": "Angola"}

STAFF_PERSONAS = ["staff_admin", "staff_finance", "staff_reporting", "staff_programmes", "staff_meetings"]
PERSONAS = [
    "anonymous",
    "state_a_rep",
    "state_b_rep",
    "signatory_rep",
    *STAFF_PERSONAS,
    "management_committee",
    "vtf_committee",
    "donor_rep",
]


def _state(spec):
    from secretariat.states.models import State

    state = State.objects.filter(iso3=spec["iso3"]).first()
    return state or factories.StateFactory(**spec, name_fr=spec["name_en"], name_es=spec["name_en"])


@pytest.fixture
def state_a(db):
    return _state(STATE_A)


@pytest.fixture
def state_b(db):
    return _state(STATE_B)


def create_persona(name):
    """A user holding the role of persona `name` (None for "anonymous"); needs database access."""
    if name == "anonymous":
        return None
    user = factories.UserFactory(email=f"{name.replace('_', '-')}@example.org")
    if name == "state_a_rep":
        factories.RoleAssignmentFactory(user=user, role="state_representative", state=_state(STATE_A))
    elif name == "state_b_rep":
        factories.RoleAssignmentFactory(user=user, role="state_representative", state=_state(STATE_B))
    elif name == "signatory_rep":
        factories.RoleAssignmentFactory(user=user, role="state_representative", state=_state(STATE_SIGNATORY))
    elif name == "donor_rep":
        factories.RoleAssignmentFactory(user=user, role="donor_representative", donor=factories.DonorFactory())
    else:
        factories.RoleAssignmentFactory(user=user, role=name)
    if name in STAFF_PERSONAS:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return user


@pytest.fixture
def make_persona(db, state_a, state_b):
    """make_persona("state_a_rep") -> a user holding that role (None for "anonymous")."""
    return create_persona


def sign_in(client, user):
    """Sign `user` in on `client`; staff also pass the second factor, as they must when DEBUG is off."""
    if user is None:
        return client
    client.force_login(user)
    if user.is_staff or user.is_superuser:
        device = factories.confirmed_totp_device(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def client_as(client, make_persona):
    """client_as("staff_admin") -> (client signed in as that persona, the user)."""

    def make(name):
        user = make_persona(name)
        return sign_in(client, user), user

    return make


@pytest.fixture
def article2_categories(transactional_db):
    """The Art. 2(1) categories, for transactional tests: they come from a data migration, which
    an earlier transactional test's flush removed. Loaded the same way (idempotent)."""
    from importlib import import_module

    from django.apps import apps

    import_module("secretariat.reporting.migrations.0004_article2_categories").load(apps, None)

"""The one settings module of the ATT Secretariat Platform.

Every value that differs between a laptop and production comes from an environment
variable (documented in `.env.example`). The defaults give a development setup that
runs with nothing installed: SQLite under `var/`, emails printed to the console.
Production sets at least DEBUG=False, SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent  # the repository root
APP_DIR = Path(__file__).resolve().parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean; anything but true/false (any case) or 1/0 is a configuration error."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("true", "1", "yes", "on"):
        return True
    if value.lower() in ("false", "0", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be True or False, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from exc


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_secret(name: str, default: str = "") -> str:
    """Read NAME, or the contents of the file named by NAME_FILE (container secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return os.environ.get(name, default)


# ---------------------------------------------------------------------------- core
DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_secret("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-key-never-used-in-production-0123456789-abcdefghijklmnop"  # noqa: S105
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

INSTALLED_APPS = [
    "secretariat.core",
    "secretariat.accounts",
    "secretariat.states",
    "secretariat.reporting",
    "secretariat.contacts",
    "secretariat.controllists",
    "secretariat.reminders",
    "secretariat.finance",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "simple_history",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # AxesMiddleware must be last: it turns a lockout into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "secretariat.urls"
WSGI_APPLICATION = "secretariat.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "secretariat.core.context_processors.platform",
            ],
        },
    },
]

# ---------------------------------------------------------------------------- database
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'secretariat.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend with SQLite's real limit on query parameters (core/sqlite/base.py).
    DATABASES["default"]["ENGINE"] = "secretariat.core.sqlite"
    # Tests use an in-memory database (Django's default for SQLite, said explicitly because tools
    # such as pytest-xdist recognise SQLite by Django's engine name).
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # Writers wait for each other instead of failing with "database is locked", and a
    # transaction takes the write lock up front so two writers never deadlock.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend, whose check of a reused connection at the start of a request asks the
    # server only when the connection's socket says something happened (core/postgresql/base.py).
    DATABASES["default"]["ENGINE"] = "secretariat.core.postgresql"
    # Options given in DATABASE_URL (?sslmode=require...) are kept; the ones below are defaults.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    # TCP keepalives: a server that vanished without closing the connection is noticed within
    # about two minutes of silence (the socket then reports the error).
    keepalives = {"keepalives": 1, "keepalives_idle": 60, "keepalives_interval": 10, "keepalives_count": 6}
    for name, value in keepalives.items():
        options.setdefault(name, value)
    if env_bool("DATABASE_PREPARED_STATEMENTS", True):
        # Values travel apart from the SQL (server-side binding), a query run five times on a
        # connection is prepared, and a prepared query is planned once (a generic plan): the
        # transfer database's pages take longer to plan than to run, and PostgreSQL's default
        # ("auto") would plan them again on every request. DATABASE_PLAN_CACHE_MODE=auto gives
        # the choice back to PostgreSQL. Set DATABASE_PREPARED_STATEMENTS=false behind a
        # connection pooler in transaction mode that cannot keep prepared statements (PgBouncer
        # before 1.21).
        plan_cache_mode = env_str("DATABASE_PLAN_CACHE_MODE", "force_generic_plan")
        if plan_cache_mode not in {"auto", "force_generic_plan", "force_custom_plan"}:
            raise ImproperlyConfigured(
                "DATABASE_PLAN_CACHE_MODE must be auto, force_generic_plan or force_custom_plan, "
                f"not {plan_cache_mode!r}."
            )
        options.update({"server_side_binding": True, "prepare_threshold": 5})
        options["options"] = f"{options.get('options', '')} -c plan_cache_mode={plan_cache_mode}".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# ---------------------------------------------------------------------------- accounts
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "secretariat.accounts.backends.EmailBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3  # invitations and resets: three days
# Staff must pass a TOTP check whenever DEBUG is off. The check reads DEBUG at request
# time, so the test suite (which runs with DEBUG off) exercises it too.
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "ATT Secretariat Platform")

# Failed logins: after AXES_FAILURE_LIMIT failures for one email from one address, that
# pair is locked out for AXES_COOLOFF_TIME hours. Locking the pair (not the email alone)
# stops an attacker from locking a real user out from elsewhere.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = env_int("AXES_PROXY_COUNT", 0) or None

# ---------------------------------------------------------------------------- security
SECURE_COOKIES = env_bool("SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_NAME = "__Host-sessionid" if SECURE_COOKIES else "sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken" if SECURE_COOKIES else "csrftoken"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 8)  # a working day
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# The online annual report form posts about 11 fields per transfer row (reporting.workflow_forms.MAX_ROWS
# rows per form, two forms): Django's default of 1,000 fields would refuse a report of some 90 rows.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 12_000
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# ---------------------------------------------------------------------------- i18n
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("fr", "Français"),
    ("es", "Español"),
    ("zh-hans", "中文"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["secretariat.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Europe/Zurich"  # the Secretariat works in Geneva

# ---------------------------------------------------------------------------- static files
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# ---------------------------------------------------------------------------- email
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "ATT Secretariat <noreply@thearmstradetreaty.org>")

# Finance: the bank details printed on invoices (finance/conf.py; until they are set the invoice
# says the Secretariat gives them on request) and an optional letterhead (lines separated by "|").
FINANCE_BANK_DETAILS = {
    "account_holder": env_str("FINANCE_BANK_ACCOUNT_HOLDER", "Arms Trade Treaty Secretariat"),
    "bank_name": env_str("FINANCE_BANK_NAME"),
    "bank_address": env_str("FINANCE_BANK_ADDRESS"),
    "iban": env_str("FINANCE_BANK_IBAN"),
    "swift": env_str("FINANCE_BANK_SWIFT"),
}
if env_str("FINANCE_LETTERHEAD"):
    FINANCE_LETTERHEAD = [line.strip() for line in env_str("FINANCE_LETTERHEAD").split("|")]
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = 20
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend",
)


# ---------------------------------------------------------------------------- reminders and background tasks
# `manage.py send_reminders` plans and sends; the django-tasks worker (`manage.py db_worker`) can
# run it every day at REMINDERS_SEND_HOUR (UTC) once `manage.py schedule_reminders` has queued it.
REMINDERS_SEND_HOUR = env_int("REMINDERS_SEND_HOUR", 6)
# A missed day is caught up: a step up to this many days old that was never planned is planned.
REMINDERS_CATCH_UP_DAYS = env_int("REMINDERS_CATCH_UP_DAYS", 7)
# A message left "being sent" by a run on another machine is taken over after this many seconds
# (on the same machine, as soon as its process is gone).
REMINDERS_CLAIM_TIMEOUT = env_int("REMINDERS_CLAIM_TIMEOUT", 600)
# Back-off after a refused delivery: 15 min, 30 min, 1 h ... at most one day between attempts.
REMINDERS_RETRY_BASE_SECONDS = env_int("REMINDERS_RETRY_BASE_SECONDS", 900)
REMINDERS_RETRY_MAX_SECONDS = env_int("REMINDERS_RETRY_MAX_SECONDS", 86400)
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# ---------------------------------------------------------------------------- API
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["secretariat.core.access.DenyByDefault"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 200,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ATT Secretariat Platform API",
    "DESCRIPTION": "Open data of the Arms Trade Treaty Secretariat: treaty status of every State, and more.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1/",
    # Several models have a "status" field; give each set of choices its own schema name.
    "ENUM_NAME_OVERRIDES": {
        "TreatyStatusEnum": "secretariat.states.models.TreatyStatus",
        "ObligationStatusEnum": "secretariat.reporting.obligations.ObligationStatus",
        "DirectionEnum": "secretariat.reporting.models.Direction",
    },
}

# ---------------------------------------------------------------------------- logging
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "axes": {"level": "WARNING"},
    },
}

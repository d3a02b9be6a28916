"""Settings for oscethb, all read from the environment.

Every variable is listed in README.md ("Configuration") with its default and meaning. The defaults give the
embedded development setup (SQLite under var/, tasks run in-process); production sets DEBUG=0 and must then provide
SECRET_KEY, or the process refuses to start.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# A developer's machine keeps its settings in .env (`make install` writes DEBUG=1 there); production sets real
# environment variables, which always win over the file.
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

_DEV_SECRET_KEY = "dev-only-insecure-key-never-used-in-production"  # noqa: S105 - only accepted when DEBUG  # nosec B105
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Production mode (DEBUG=0, the default) refuses to start without it. "
            "Set SECRET_KEY to a long random string, or DEBUG=1 for local development."
        )
    SECRET_KEY = _DEV_SECRET_KEY

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # The admin site requires a two-factor-verified staff login (oscethb/admin_site.py).
    "oscethb.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # intcomma: large numbers with the reader's thousands separator (see USE_THOUSAND_SEPARATOR below).
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served from static/ (no CDN: the CSP forbids one)
    "surveys",
    "accounts",
    "responses",
    "reports",
    # The read-only API for BI tools (/api/v1/), above reports: it serves the stored reports too.
    "api",
    # Demo seeding (`manage.py seed_demo`): apart from production code, imported by nothing.
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "oscethb.middleware.RejectNulMiddleware",
    "oscethb.middleware.ContentSecurityPolicyMiddleware",
    "oscethb.middleware.NoStoreMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "oscethb.middleware.LoginLanguageMiddleware",  # LocaleMiddleware, and the login response sets the person's language
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.twofactor.DeviceMiddleware",  # django_otp's OTPMiddleware, its device read prepared
    "oscethb.middleware.SessionLifetimeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.twofactor.TwoFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "oscethb.middleware.SiteNotFoundPageMiddleware",
    "oscethb.middleware.DatabaseUnavailableMiddleware",
    # Last, as django-axes asks: turns a request that hit the failure limit into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "oscethb.urls"
WSGI_APPLICATION = "oscethb.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "oscethb.context_processors.access",
                "reports.context_processors.published_results",
            ],
            # {% kept %}: parts of pages rendered once per process for each language and keys (oscethb/kept.py).
            "libraries": {"kept": "oscethb.kept"},
        },
    },
]

# Embedded default: a SQLite file under var/. Production and CI: postgres://... with persistent connections
# (a new connection per request costs more than the request itself).
DATABASES = {
    "default": env.db_url(
        "DATABASE_URL",
        default=f"sqlite:///{VAR_DIR / 'oscethb.sqlite3'}",
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    # SQLite: wait for a writer instead of failing at once when two people save at the same moment.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("timeout", 20)
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
    # Write-ahead log: readers never block writers, so a report build on the worker (`make run`), which streams the
    # round's answers in one long read, does not hold up the autosaves of the people answering.
    DATABASES["default"]["OPTIONS"].setdefault("init_command", "PRAGMA journal_mode=WAL;")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: it refuses a locked-out (e-mail address, IP address) before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.auth.EmailBackend",
    # Only keeps sessions from before the people code moved to accounts logged in (responses/auth.py).
    "responses.auth.EmailBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "responses:after-login"  # staff home, the member's questionnaires, or the home page
LOGOUT_REDIRECT_URL = "surveys:home"

# Internationalisation: the six official OSCE languages, English first and default.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("de", _("German")),
    ("it", _("Italian")),
    ("ru", _("Russian")),
    ("es", _("Spanish")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates: English from oscethb/formats/en ("16 January 2027"); every other language from Django's locale formats.
FORMAT_MODULE_PATH = ["oscethb.formats"]
# Numbers: the reader's decimal separator everywhere, but thousands separators only where a template asks for them
# (`|intcomma`, `|floatformat:"0g"`): on, they would also land in years, ids and counts written into attributes,
# inputs and URLs ("2,019", value="1 234"). tests/test_locale_formats.py renders both in the six languages.
USE_THOUSAND_SEPARATOR = False
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Vienna")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
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

# E-mail: console by default, so a development machine never sends mail; smtp://user:pass@host:587 in production.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# The site's public address, for links in e-mails sent by tasks (reminders), which have no request to ask. In
# development it follows PORT, the port `make run` serves (and passes to its worker).
SITE_URL = env.str("SITE_URL", default=f"http://127.0.0.1:{env.int('PORT', default=8000)}")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="oscethb <noreply@oscethb.invalid>")
# The Office's address: it gets a note on each submission (empty: no notes) and answers to the platform's mails.
OFFICE_EMAIL = env.str("OFFICE_EMAIL", default="")
# Where replies to the platform's e-mails go; empty: OFFICE_EMAIL.
REPLY_TO_EMAIL = env.str("REPLY_TO_EMAIL", default="")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Celery. Where tasks run depends on CELERY_BROKER_URL:
# - unset: tasks run in-process and eagerly, inside the request or command that queued them. Development (DEBUG=1,
#   e.g. a bare `manage.py runserver`) and the test settings only: production refuses to start without a broker
#   rather than holding a request for a whole report build in the web process.
# - `filesystem://`: kombu's filesystem transport, messages are files under var/celery/ (CELERY_FILESYSTEM_DIR).
#   `make run` sets it and starts a worker beside the development server (oscethb/devserver.py), so long work leaves
#   the request without Redis. One machine only; for development and the demo.
# - `redis://host:6379/0`: production and CI; workers on any machine.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
# Set by oscethb/settings_test.py only, before it imports these settings.
_TASKS_IN_PROCESS_ALLOWED = DEBUG or env.bool("OSCETHB_TEST_SETTINGS", default=False)
if not CELERY_BROKER_URL and not _TASKS_IN_PROCESS_ALLOWED:
    raise ImproperlyConfigured(
        "CELERY_BROKER_URL is not set. Production mode (DEBUG=0, the default) refuses to start without a broker "
        "instead of running background work inside the web process. Set CELERY_BROKER_URL=redis://host:6379/0, "
        "or DEBUG=1 for local development."
    )
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
_FILESYSTEM_BROKER = CELERY_BROKER_URL.startswith("filesystem://")
# Results are kept in Redis for commands that wait on a task; long work records its state on job rows instead.
# The filesystem transport has no result store: nothing here needs one (commands poll the job rows).
CELERY_RESULT_BACKEND = (
    env.str("CELERY_RESULT_BACKEND", default="" if _FILESYSTEM_BROKER else CELERY_BROKER_URL) or None
)
CELERY_RESULT_EXPIRES = 24 * 60 * 60
CELERY_IMPORTS = ["oscethb.tasks"]
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=15 * 60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=20 * 60)
# Acknowledge after the task ran, and give a message back if its worker dies, so a killed build is redelivered.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis redelivers an unacknowledged message after this many seconds; longer than the hard time limit.
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=60 * 60),
    # How often a worker looks for messages whose worker died (seconds between sweeps, and sweeps per scan).
    "unacked_restore_interval": env.int("CELERY_RESTORE_INTERVAL", default=10),
    "unacked_restore_throttle": env.int("CELERY_RESTORE_THROTTLE", default=10),
}
if _FILESYSTEM_BROKER:
    # The web process and the worker exchange messages as files in one folder; the control folder carries
    # broadcasts (ping, shutdown). A worker looks for new files every polling_interval seconds.
    CELERY_FILESYSTEM_DIR = Path(env.str("CELERY_FILESYSTEM_DIR", default=str(VAR_DIR / "celery")))
    for _folder in ("queue", "control"):
        (CELERY_FILESYSTEM_DIR / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_FILESYSTEM_DIR / "queue"),
        "data_folder_out": str(CELERY_FILESYSTEM_DIR / "queue"),
        "control_folder": str(CELERY_FILESYSTEM_DIR / "control"),
        "polling_interval": 0.5,
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# Periodic tasks (celery beat), declared in code.
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "rebuild-open-round-reports-nightly": {
        "task": "reports.rebuild_open_rounds",
        "schedule": crontab(hour=2, minute=15),
    },
    "send-deadline-reminders-daily": {
        "task": "reports.send_reminders",
        "schedule": crontab(hour=8, minute=0),
    },
    # Answering ends at midnight (TIME_ZONE) after a round's closing date; the round closes within the hour.
    "close-rounds-past-their-deadline": {
        "task": "responses.close_due_rounds",
        "schedule": crontab(minute=5),
    },
}
REMINDER_DAYS = env.list("REMINDER_DAYS", cast=int, default=[14, 7, 2])

# Security. Production (DEBUG=0) is HTTPS-only behind a proxy that sets X-Forwarded-Proto.
SESSION_COOKIE_HTTPONLY = True
# Idle timeout: a login ends after this long without a request ...
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=2 * 60 * 60)
# ... each request pushes it on, writing the session at most this often (oscethb.middleware.SessionLifetimeMiddleware:
# a session UPDATE on every autosave cost more than the answer's own UPDATE).
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = env.int("SESSION_REFRESH_SECONDS", default=5 * 60)
# ... and after this long in any case (shared and locked-down machines).
SESSION_ABSOLUTE_SECONDS = env.int("SESSION_ABSOLUTE_SECONDS", default=12 * 60 * 60)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)

# The client's IP address, for the login lockout: behind TRUSTED_PROXY_COUNT reverse proxies that each append the
# address they received from to X-Forwarded-For (nginx: proxy_add_x_forwarded_for), the client is the entry that
# many places from the right; anything further left was written by the client and is ignored. 0: REMOTE_ADDR.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0 if DEBUG else 1)

# Two-factor authentication (django-otp): required for staff, optional for respondents. See README.md, "Security".
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="oscethb")
# django-otp's own throttling stays on: after each wrong code the next try waits 1, 2, 4, 8 ... seconds.
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

# Lockout after repeated failed logins (django-axes). Locks the pair (e-mail address, IP address), never an
# account as such, so nobody can lock someone else out from elsewhere; for a short time; reset by a successful login.
# Wrong two-factor codes count as failures too (accounts/views/twofactor.py).
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Trying again while locked out does not push the end of the lockout on: the time the page names stays true.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_USERNAME_CALLABLE = "oscethb.security.login_username"
AXES_CLIENT_IP_CALLABLE = "oscethb.security.client_ip"
AXES_LOCKOUT_CALLABLE = "oscethb.security.lockout_response"
# Failed attempts are kept (admin: Axes); successful logins are not logged, to keep no more personal data than needed.
AXES_DISABLE_ACCESS_LOG = True

# "Forgotten your password?" (accounts/password_reset.py): at most this many reset mails to one address, and this
# many requests from one IP address, per hour; beyond that the page looks the same but no mail is sent (logged).
PASSWORD_RESET_PER_ADDRESS = env.int("PASSWORD_RESET_PER_ADDRESS", default=3)
PASSWORD_RESET_PER_IP = env.int("PASSWORD_RESET_PER_IP", default=10)

# Uploads: evidence documents are at most 10 MB (checked again in the upload service).
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# A section page posts three fields per answer cell (value, version, original); the victim table PRT.DATA.01 alone
# has 324 cells, so the PRT.DATA section posts about 1,100 fields — more than Django's default of 1,000.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# The read-only API for BI tools (api/, README "API for BI tools"): tokens (accounts/api_tokens.py) or the
# browser's login, JSON only, every list paged by a cursor (`next`) with at most API_MAX_PAGE_SIZE rows a page.
API_PAGE_SIZE = 100
API_MAX_PAGE_SIZE = 1000
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiTokenAuthentication",
        # The browser's login, for the documentation page; a read-only API has no CSRF to enforce.
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Cursor",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "oscethb API",
    "DESCRIPTION": (
        "Read-only data of the OSCE survey rounds for BI tools: rounds, questions, organisations, responses, answers "
        "(one row per answer cell) and the built reports. Send `Authorization: Bearer <token>` (tokens: the "
        '"API tokens" page). Lists are paged: follow `next` until it is null.'
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
}

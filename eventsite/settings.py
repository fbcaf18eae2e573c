"""Settings for the college events site, read from the environment.

Development defaults are safe to run on a laptop. With ``DEBUG=0`` the settings
demand what production must set (``SECRET_KEY``, ``ALLOWED_HOSTS``) and turn on
the secure-transport settings that ``manage.py check --deploy`` expects.
"""

import ipaddress
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from eventsite.observability import init_sentry

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

_DEV_SECRET_KEY = "dev-only-insecure-key-never-use-in-production"
SECRET_KEY = env_str("SECRET_KEY") or (_DEV_SECRET_KEY if DEBUG else None)
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# The public address in certificates' QR codes, emails and feeds. Unset, it is where `make run`
# serves: http://127.0.0.1:$PORT (8000 when PORT is unset).
SITE_URL = (env_str("SITE_URL") or f"http://127.0.0.1:{env_int('PORT', 8000)}").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "clubs",
    "events",
    "registrations",
    "certificates",
    "analytics",
    "comms",
    "legacy",
    "door",
    "pages",
]

MIDDLEWARE = [
    "eventsite.observability.RequestIdMiddleware",
    "eventsite.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "eventsite.errors.ApiErrorMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "door.authentication.ScannerLinkScopeMiddleware",
]

ROOT_URLCONF = "eventsite.urls"
WSGI_APPLICATION = "eventsite.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def _database_config() -> dict:
    url = env_str("DATABASE_URL")
    if url:
        config = dj_database_url.parse(url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True)
        if config["ENGINE"] == "django.db.backends.postgresql":
            # Parameters sent apart from the SQL, and a statement run this many times on one
            # connection is prepared once: PostgreSQL stops parsing and planning it on every request.
            # 0 turns preparing off (for a connection pooler without prepared statement support).
            prepare_threshold = env_int("DB_PREPARE_THRESHOLD", 5)
            config.setdefault("OPTIONS", {}).update(
                {"server_side_binding": True, "prepare_threshold": prepare_threshold or None}
            )
    else:
        config = {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers run beside the single writer; IMMEDIATE takes the write
        # lock when a transaction starts, so "lock, check, write" holds on SQLite too;
        # the timeout makes concurrent writers queue instead of failing.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": env_int("SQLITE_TIMEOUT", 30),
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                f"PRAGMA busy_timeout={env_int('SQLITE_TIMEOUT', 30) * 1000};"
            ),
        }
        # Tests use a file, not shared-cache memory, so threads queue on the busy timeout.
        config["TEST"] = {"NAME": str(BASE_DIR / "test_db.sqlite3")}
    return config


DATABASES = {"default": _database_config()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE") or "Asia/Kolkata"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
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

CSRF_FAILURE_VIEW = "eventsite.errors.csrf_failure"

LOGIN_URL = "login"
# After this many wrong passwords for one username (from any address), every way in (login page,
# admin login, API token) refuses that username for the window; see eventsite/logins.py.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_FAILURE_WINDOW = env_int("LOGIN_FAILURE_WINDOW", 15 * 60)
# LoginBackend checks the lock-out, then the password. Django's ModelBackend stays listed so the
# sessions it made (and logins made with it by name) stay valid; a locked username never
# reaches it, because LoginBackend's refusal ends authenticate().
AUTHENTICATION_BACKENDS = ["eventsite.logins.LoginBackend", "django.contrib.auth.backends.ModelBackend"]
# The lock-out lives in the database (django-axes' AccessAttempt), so every server sees it
# whatever the cache, and staff can see and clear it in the admin (Axes > Access attempts).
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(seconds=LOGIN_FAILURE_WINDOW)
# By username alone: guesses spread over many addresses still lock it, and a campus behind one
# NAT address is never locked out as a whole (per-address limits are the API throttles' job).
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_USERNAME_CALLABLE = "eventsite.logins.axes_username"
AXES_CLIENT_IP_CALLABLE = "eventsite.clients.axes_client_ip"
AXES_LOCKOUT_CALLABLE = "eventsite.logins.lockout_response"
AXES_RESET_ON_SUCCESS = True
# Attempts while locked do not extend the lock: a stranger cannot keep a student out for ever.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
# Addresses or networks of the operator's reverse proxies. Only a request whose peer is one of
# them has its X-Forwarded-For read; by default nobody is trusted and the peer address counts.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _error:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_proxy!r} is not an address or a network.") from _error
LOGIN_REDIRECT_URL = "home"

# The door: check-in for a session opens this many minutes before it starts (and closes at the end of its day).
CHECKIN_OPENS_MINUTES = env_int("CHECKIN_OPENS_MINUTES", 120)
LOGOUT_REDIRECT_URL = "home"

EMAIL_BACKEND = env_str("EMAIL_BACKEND") or (
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend"
)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL") or "events@college.example"
# Emails are written to an outbox in the transaction that owes them. "request": the process that
# made the change sends them right after its commit. "worker": `manage.py send_notifications`
# sends them, so a request never waits for templates or the mail server.
NOTIFICATIONS_SENDER = env_str("NOTIFICATIONS_SENDER") or "request"

# On: an event published by someone other than staff waits as pending_approval until staff approve it.
EVENT_APPROVAL_REQUIRED = env_bool("EVENT_APPROVAL_REQUIRED", False)
if NOTIFICATIONS_SENDER not in ("request", "worker"):
    raise ImproperlyConfigured('NOTIFICATIONS_SENDER must be "request" or "worker".')

# Talking to students (reminders, announcements, "registration is open" alerts): comms/.
COLLEGE_NAME = env_str("COLLEGE_NAME") or "College Events"
ANNOUNCEMENTS_PER_DAY = env_int("ANNOUNCEMENTS_PER_DAY", 5)
# /healthz reports the outbox as degraded (still 200) once its oldest unsent email is this old.
HEALTH_OUTBOX_MAX_AGE = env_int("HEALTH_OUTBOX_MAX_AGE", 15 * 60)

# Bodies larger than this are refused (413 PAYLOAD_TOO_LARGE under /api/).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE
# Uploaded images (posters, certificate logos): at most this many bytes and pixels; stored re-encoded
# (eventsite/images.py) with their largest side at most IMAGE_MAX_SIDE. A multipart body may be
# larger than DATA_UPLOAD_MAX_MEMORY_SIZE by one such image.
IMAGE_UPLOAD_MAX_BYTES = env_int("IMAGE_UPLOAD_MAX_BYTES", 5 * 1024 * 1024)
IMAGE_UPLOAD_MAX_PIXELS = env_int("IMAGE_UPLOAD_MAX_PIXELS", 40_000_000)
IMAGE_MAX_SIDE = env_int("IMAGE_MAX_SIDE", 2000)

# Sign-up: the login works once the email address is proven by the link sent to it (off: at once,
# for a trusted intranet). SIGNUP_EMAIL_DOMAINS limits sign-up to those domains (empty: any).
SIGNUP_EMAIL_VERIFICATION = env_bool("SIGNUP_EMAIL_VERIFICATION", True)
SIGNUP_EMAIL_DOMAINS = [domain.lower().lstrip("@") for domain in env_list("SIGNUP_EMAIL_DOMAINS", [])]
SIGNUP_VERIFICATION_MAX_AGE = env_int("SIGNUP_VERIFICATION_MAX_AGE", 3 * 24 * 60 * 60)

# Domain settings
ENROLLMENT_NO_PATTERN = env_str("ENROLLMENT_NO_PATTERN") or r"^[0-9]{2}[A-Z]{2,5}[0-9]{3,6}$"
# The month the academic year starts: a student admitted in 2024 (24CSE...) without a stored year of
# study is in year 1 from then until the month before it comes round again.
ACADEMIC_YEAR_START_MONTH = env_int("ACADEMIC_YEAR_START_MONTH", 7)

REST_FRAMEWORK = {
    # Token first: its challenge header is what makes a missing login a 401.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "registrations.authentication.StudentTokenAuthentication",
        "door.authentication.ScannerLinkAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # JSON in, JSON out: no browsable HTML pages under /api/.
    "DEFAULT_PARSER_CLASSES": ["eventsite.parsers.SafeJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_SCHEMA_CLASS": "eventsite.schema.ApiAutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "eventsite.errors.api_exception_handler",
    # Any throttle that does not name its own address rule counts the peer, never X-Forwarded-For.
    "NUM_PROXIES": 0,
    "DEFAULT_THROTTLE_RATES": {
        "auth": env_str("AUTH_THROTTLE_RATE") or "10/min",
    },
}

SPECTACULAR_SETTINGS = {
    "TITLE": "College Events API",
    "DESCRIPTION": "Registrations, teams, attendance, feedback and certificates, keyed by enrollment number.",
    "VERSION": "2",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v2",
    "ENUM_NAME_OVERRIDES": {
        "EventStatusEnum": "events.models.Event.Status",
        "RegistrationStatusEnum": "registrations.models.RegistrationStatus",
        "TeamStatusEnum": "registrations.models.TeamStatus",
        "TeamMemberStateEnum": ["leader", "accepted", "pending", "declined"],
        "CertificateStatusEnum": ["valid", "revoked"],
        "CertificateKindEnum": "certificates.models.CertificateKind",
        "AttendanceRuleKindEnum": "events.models.Event.AttendanceRule",
        "EventListStatusEnum": ["open", "upcoming", "past"],
        "ClubKindEnum": "clubs.models.Club.Kind",
        "ClubRoleEnum": "clubs.models.ClubMembership.Role",
    },
}

# Throttle counters live in the cache. Local memory is one per process, so with several gunicorn
# workers each keeps its own count; CACHE_BACKEND=redis (Django's Redis cache at REDIS_URL) or
# CACHE_BACKEND=database (create its table once with `manage.py createcachetable`) share them
# between processes and servers. CACHE_KEY_PREFIX keeps sites sharing one Redis apart.
REDIS_URL = env_str("REDIS_URL") or "redis://127.0.0.1:6379/0"
CACHE_KEY_PREFIX = env_str("CACHE_KEY_PREFIX") or ""
_CACHE_BACKENDS = {
    "locmem": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "database": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "django_cache"},
    "redis": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": CACHE_KEY_PREFIX,
        # A Redis that stops answering fails a request in seconds instead of hanging it.
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    },
}
CACHE_BACKEND = env_str("CACHE_BACKEND") or "locmem"
if CACHE_BACKEND not in _CACHE_BACKENDS:
    raise ImproperlyConfigured(f"CACHE_BACKEND must be one of {', '.join(_CACHE_BACKENDS)}.")
CACHES = {"default": _CACHE_BACKENDS[CACHE_BACKEND]}

# One line per record on stderr, each with the id of the request it belongs to (X-Request-ID).
# A 4xx keeps its line without a traceback; a 500 is logged with its traceback (django.request).
LOG_LEVEL = (env_str("LOG_LEVEL") or "WARNING").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "eventsite.observability.RequestIdFilter"},
        "client_errors_without_traceback": {"()": "eventsite.observability.ClientErrorTracebackFilter"},
    },
    "formatters": {
        "line": {"format": "%(asctime)s %(levelname)s %(name)s request_id=%(request_id)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id", "client_errors_without_traceback"],
            "formatter": "line",
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # Django's own handlers print only while DEBUG (and mail nobody): its records go to the root's.
    "loggers": {"django": {"handlers": [], "level": LOG_LEVEL, "propagate": True}},
}

# Unhandled errors and ERROR log lines go to Sentry when SENTRY_DSN is set (nothing is sent without).
SENTRY_DSN = env_str("SENTRY_DSN") or None
init_sentry(SENTRY_DSN, environment=env_str("SENTRY_ENVIRONMENT"), release=env_str("SENTRY_RELEASE"))

# Production transport security; `check --deploy` is clean with DEBUG=0.
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_REFERRER_POLICY = "same-origin"
    if env_bool("BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

"""Settings for the capacity system of record.

Everything that differs between a laptop and a deployment comes from the
environment (see README.md, "Configuration"). Development defaults are safe:
the app listens for localhost only, and with DEBUG=false it refuses to start on
the development secret key.
"""

import datetime
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from config.database import check_pooled_connection
from config.email import mailers_from_url

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEVELOPMENT_SECRET_KEY = "django-insecure-development-key-do-not-use-in-production"
#: Keys written in this repository (the development default, .env.example's): public, so never for production.
PLACEHOLDER_SECRET_KEYS = {
    DEVELOPMENT_SECRET_KEY,
    "change-me-to-a-long-random-string-of-at-least-fifty-characters",
}
MINIMUM_SECRET_KEY_LENGTH = 50

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default=DEVELOPMENT_SECRET_KEY)
if not DEBUG and (
    SECRET_KEY in PLACEHOLDER_SECRET_KEYS
    or len(SECRET_KEY) < MINIMUM_SECRET_KEY_LENGTH
    or SECRET_KEY.startswith("django-insecure-")
):
    raise ImproperlyConfigured(
        f"DEBUG is false but SECRET_KEY is a placeholder from the repository or shorter than "
        f"{MINIMUM_SECRET_KEY_LENGTH} characters: set SECRET_KEY to a long random value "
        '(python -c "import secrets; print(secrets.token_urlsafe(50))").'
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_filters",
    "simple_history",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "inventory",
    "dashboard",
    "api",
    "procrastinate.contrib.django",
    "collection",
    "notifications",
    "approvals",
]
# The demo loader (seed_demo, setup_demo) empties and bulk-loads the inventory: never in a deployment unless
# asked for (the benchmark asks for it to build its datasets).
if env.bool("CAPACITY_DEMO", default=DEBUG):
    INSTALLED_APPS.append("demo")

MIDDLEWARE = [
    # First: answers /healthz before anything checks the Host header (container health checks
    # call http://127.0.0.1:8000/healthz, which is not in ALLOWED_HOSTS).
    "config.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.ResponseHeadersMiddleware",
    "config.middleware.RejectNulBytesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The interface language: the language cookie (the header's switcher) if set, else Accept-Language.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "django.template.context_processors.csp",
                "dashboard.context_processors.units",
                "config.context_processors.password_reset",
                "config.context_processors.languages",
            ],
        },
    },
]

# Database: DATABASE_URL when set; otherwise an embedded PostgreSQL in .pgdata/.
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
else:
    from config import embedded_postgres

    DATABASES = {"default": embedded_postgres.start()}
DATABASES["default"]["ENGINE"] = "django.db.backends.postgresql"
# Django's built-in psycopg 3 connection pool; it requires CONN_MAX_AGE = 0.
DATABASES["default"]["CONN_MAX_AGE"] = 0
DATABASES["default"].setdefault("OPTIONS", {})
DATABASES["default"]["OPTIONS"].setdefault(
    "pool",
    {
        "min_size": 1,
        "max_size": env.int("DATABASE_POOL_SIZE", default=10),
        # Seconds to wait for a connection: short, so /healthz answers 503 quickly when the database is down.
        "timeout": env.float("DATABASE_POOL_TIMEOUT", default=5.0),
        # Test each connection as the pool hands it out: a connection whose backend was killed
        # (server restart, pg_terminate_backend, a failover) is replaced instead of failing a request.
        "check": check_pooled_connection,
    },
)
# An unreachable or stuck database must not hold a worker: give up connecting after
# DATABASE_CONNECT_TIMEOUT seconds, and end any statement running past DATABASE_STATEMENT_TIMEOUT
# seconds (0 turns it off, e.g. for a long manual maintenance command).
DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=3))
_statement_timeout_ms = int(env.float("DATABASE_STATEMENT_TIMEOUT", default=30.0) * 1000)
DATABASES["default"]["OPTIONS"]["options"] = (
    DATABASES["default"]["OPTIONS"].get("options", "") + f" -c statement_timeout={_statement_timeout_ms}"
).strip()

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: it refuses a locked-out username or address before a password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
# Researchers land on their own page (/me/); staff are sent on from there to the overview (dashboard.views.me).
LOGIN_REDIRECT_URL = "dashboard:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
# The interface in English and Norwegian bokmål. The browser's Accept-Language picks one (English when it
# asks for neither); the switcher in the header (Django's set_language view) overrides it in the language
# cookie. URLs carry no language prefix. Each language is named in itself, as the switcher lists it.
LANGUAGES = [("en-gb", "English"), ("nb", "Norsk bokmål")]
# The project's catalog (templates/, config/, dashboard/, demo/); the apps keep theirs in <app>/locale/.
# README.md, "Languages": `make messages`, translate, `make compilemessages`.
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60  # a year: the choice outlives the browser session
USE_TZ = True
# Dates as YYYY-MM-DD and times as YYYY-MM-DD HH:MM wherever Django formats them itself (the admin's
# lists and history), in every language (config/formats/).
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
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

# Content-Security-Policy (Django 6 built-in): only the app's own scripts and
# styles; htmx is served by the app (django-htmx), never from a CDN.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# Behind a TLS-terminating proxy (see docker-compose.yml) the proxy sets
# X-Forwarded-Proto; these are on whenever DEBUG is off.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
# Django's database sessions, read with a statement written once (every request reads its session).
SESSION_ENGINE = "config.sessions"
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Browsers may use none of these features; the app needs none of them.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    "payment=(), usb=(), interest-cohort=()"
)

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}

# Login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username, or
# from one address, further logins are refused for AXES_COOLOFF_MINUTES, on the site login and
# the admin login alike. Admins unlock in the admin ("Access attempts": delete the rows) or
# with `manage.py axes_reset`.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.float("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "config.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "config.client_ip.client_ip"
# How many reverse proxies append to X-Forwarded-For in front of the app (0: trust only the socket's address).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# E-mail (password reset) from one URL, e.g. smtp+tls://user:password@mail.example.org:587;
# without EMAIL_URL nothing can be sent, so password reset is switched off (its links and pages).
# (No MAILERS at all then: nothing sends mail, and Django's deploy check has no backend to object to.)
EMAIL_ENABLED = bool(env.str("EMAIL_URL", default=""))
if EMAIL_ENABLED:
    MAILERS = mailers_from_url(env.str("EMAIL_URL"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="capacity@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Notifications (docs/notifications.md): sent by the worker; failed deliveries are retried with backoff.
NOTIFICATIONS_ATTEMPTS = env.int("NOTIFICATIONS_ATTEMPTS", default=5)
NOTIFICATIONS_BACKOFF_SECONDS = env.int("NOTIFICATIONS_BACKOFF_SECONDS", default=60)
NOTIFICATIONS_TIMEOUT_SECONDS = env.int("NOTIFICATIONS_TIMEOUT_SECONDS", default=10)
NOTIFICATIONS_FORECAST_DAYS = env.int("NOTIFICATIONS_FORECAST_DAYS", default=30)
NOTIFICATIONS_REQUEST_LOOKBACK_DAYS = env.int("NOTIFICATIONS_REQUEST_LOOKBACK_DAYS", default=30)
#: Where the site lives (e.g. https://capacity.example.org), for links in messages; empty: no links.
NOTIFICATIONS_SITE_URL = env.str("NOTIFICATIONS_SITE_URL", default="")

# History pages stay readable, but no "Revert": a revert is a write that would bypass the
# services and their capacity rules (every model with history has such rules).
SIMPLE_HISTORY_REVERT_DISABLED = True

# Capacity display: decimal units (TB, PB) unless a user asks for binary.
CAPACITY_DEFAULT_BINARY = False

# Usage older than this makes an active allocation "not reporting" (docs/domain.md): its last value is
# carried forward into daily figures for this many days, then counted as not reporting instead of added.
CAPACITY_STALENESS_DAYS = env.int("CAPACITY_STALENESS_DAYS", default=7)

# "Pools nearing full" on the overview lists only pools whose forecast reaches capacity within this many days.
CAPACITY_FORECAST_HORIZON_DAYS = env.int("CAPACITY_FORECAST_HORIZON_DAYS", default=180)
# Who may ask for storage from a project's page (approvals/): "members" (the project's team members and its
# principal investigator) or "pi" (the principal investigator only).
CAPACITY_REQUESTERS = env.str("CAPACITY_REQUESTERS", default="members")
if CAPACITY_REQUESTERS not in ("members", "pi"):
    raise ImproperlyConfigured(f"CAPACITY_REQUESTERS must be 'members' or 'pi', not {CAPACITY_REQUESTERS!r}.")

# --- REST API, OpenAPI and metrics (api/) ------------------------------------------------------------
# Personal API tokens (api.authentication) for scripts; the session for the browsable docs. Reads need a
# signed-in user; writes need the Django model permission (api.permissions), as in the admin.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.ModelPermissions", "api.permissions.TokenScope"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.PageNumberPagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "PAGE_SIZE": 100,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Capacity API",
    "DESCRIPTION": "Arrays, pools, teams, projects, allocations and usage of the research storage.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from the app's own static files (drf-spectacular-sidecar), never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "AllocationStatusEnum": "inventory.models.Allocation.Status",
        "ProjectStatusEnum": "inventory.models.ResearchProject.Status",
        "UsageImportOutcomeEnum": "inventory.models.UsageImport.Outcome",
        "AllocationRequestKindEnum": "approvals.models.AllocationRequest.Kind",
        "AllocationRequestStatusEnum": "approvals.models.AllocationRequest.Status",
    },
}
#: GET /metrics: a bearer token (METRICS_TOKEN) or a client address in METRICS_ALLOWED_NETWORKS (CIDR list).
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
METRICS_ALLOWED_NETWORKS = env.list("METRICS_ALLOWED_NETWORKS", default=["127.0.0.1/32", "::1/128"])
#: How long a new personal API token lives unless its owner picks otherwise (days).
API_TOKEN_DEFAULT_DAYS = env.int("API_TOKEN_DEFAULT_DAYS", default=90)

# OpenID Connect sign-in (api/oidc/): on when OIDC_DISCOVERY_URL and OIDC_CLIENT_ID are set.
OIDC_DISCOVERY_URL = env.str("OIDC_DISCOVERY_URL", default="")
OIDC_CLIENT_ID = env.str("OIDC_CLIENT_ID", default="")
OIDC_CLIENT_SECRET = env.str("OIDC_CLIENT_SECRET", default="")
OIDC_SCOPES = env.str("OIDC_SCOPES", default="openid email profile")
#: The claim that carries the user's groups (Keycloak: "groups"; Feide's group API needs its own scope).
OIDC_GROUPS_CLAIM = env.str("OIDC_GROUPS_CLAIM", default="groups")
#: The claim that becomes the local user name on first sign-in (the account is matched by issuer + subject).
OIDC_USERNAME_CLAIM = env.str("OIDC_USERNAME_CLAIM", default="preferred_username")
OIDC_PROVIDER_NAME = env.str("OIDC_PROVIDER_NAME", default="single sign-on")
#: Password sign-in: "on" (everyone), "superusers" (break-glass admins only) or "off".
PASSWORD_LOGIN = env.str("PASSWORD_LOGIN", default="on")
# Axes first (it refuses locked-out sign-ins), then password sign-in as PASSWORD_LOGIN allows it.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "api.oidc.backends.PasswordBackend"]
# --- end of REST API block ----------------------------------------------------------------------------
# How far ahead of this server's clock a report's moment may lie before it is refused as "in the future"
# (storage systems' clocks drift a little).
CAPACITY_CLOCK_SKEW_SECONDS = env.int("CAPACITY_CLOCK_SKEW_SECONDS", default=300)
# Collection from the arrays (docs/collection.md). The worker (`manage.py procrastinate worker`) runs the
# collectors; its queue lives in this database (procrastinate), so no broker is needed.
PROCRASTINATE_AUTODISCOVER_MODULE_NAME = "tasks"
#: Raw usage samples older than this many days are thinned to the last one per allocation and UTC day.
COLLECTION_SAMPLE_RETENTION_DAYS = env.int("COLLECTION_SAMPLE_RETENTION_DAYS", default=90)
#: Attempts per request when an array is busy or unreachable (with exponential backoff from the base delay).
COLLECTION_ATTEMPTS = env.int("COLLECTION_ATTEMPTS", default=4)
COLLECTION_BACKOFF_SECONDS = env.float("COLLECTION_BACKOFF_SECONDS", default=1.0)
COLLECTION_TIMEOUT_SECONDS = env.float("COLLECTION_TIMEOUT_SECONDS", default=60.0)

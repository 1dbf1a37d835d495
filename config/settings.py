"""Settings for apiservice: one module, every environment difference an env var.

Each variable is listed with its default in docs/configuration.md and read through the typed
helpers of ``core/env.py``: Django's and the wiring's here, each app's settings dict by its
``conf.from_env()`` (``ratelimit/conf.py``, ``webhooks/conf.py``, ``auth/conf.py``, ...).
Importing this module starts and writes nothing: with no ``DATABASE_URL``/``REDIS_URL`` it
points at the embedded PostgreSQL and Redis under ``APISERVICE_VAR_DIR``, which the entry
points (``manage.py``, ``make run``, the pytest session, the Celery worker) start through
``devstack.embedded.bootstrap()`` before Django reads this module.
"""

from __future__ import annotations

import sys
from functools import partial
from pathlib import Path

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from auth import conf as auth_conf
from config import mail
from config.celery_options import BROKER_TRANSPORT_OPTIONS
from config.secrets import secret
from core import csp, headers, sentry
from core.env import database_config, env_bool, env_float, env_int, env_list, env_str
from core.logging import logging_config
from core.schema import spectacular_settings
from devstack import embedded
from portal import conf as portal_conf
from ratelimit import conf as ratelimit_conf
from webhooks import conf as webhooks_conf

BASE_DIR = Path(__file__).resolve().parent.parent

# ------------------------------------------------------------------------ core

DEBUG = env_bool("DJANGO_DEBUG", default=False)
TESTING = "pytest" in sys.modules or env_bool("APISERVICE_TESTING", default=False)
# Embedded mode: no DATABASE_URL and no REDIS_URL, so the servers and the local secrets
# live under APISERVICE_VAR_DIR (var/, or var/test/ for the test suite so that a running
# `make run` and a test run never share, or stop, each other's servers).
EMBEDDED = not env_str("DATABASE_URL", default="") and not env_str("REDIS_URL", default="")
VAR_DIR = embedded.resolve_var_dir(env_str("APISERVICE_VAR_DIR", default=""), testing=TESTING)
# A secret: its env var, or in embedded mode the local one; else the service refuses to start.
secret_setting = partial(secret, debug=DEBUG, local_dir=VAR_DIR if EMBEDDED else None)

SECRET_KEY = secret_setting("DJANGO_SECRET_KEY", purpose="Django's signing key")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", default="localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
API_VERSION = "0.1.0"

INSTALLED_APPS = [
    *(f"django.contrib.{name}" for name in ("admin", "auth", "contenttypes", "sessions", "messages", "staticfiles")),
    "django.contrib.postgres",
    "core.apps.CoreConfig",  # before DRF and drf-spectacular: its templates override theirs
    "rest_framework",
    "corsheaders",
    "csp",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "oauth2_provider",
    *("django_otp", "django_otp.plugins.otp_totp", "django_otp.plugins.otp_static"),  # the portal's 2FA
    "accounts.apps.AccountsConfig",
    "auth.apps.AuthConfig",
    "ratelimit.apps.RateLimitConfig",
    "idempotency.apps.IdempotencyConfig",
    "webhooks.apps.WebhooksConfig",
    "resources.apps.ResourcesConfig",
    "portal.apps.PortalConfig",
    "config.apps.ConfigConfig",  # the retention command and task, which name several apps
]

MIDDLEWARE = [
    "core.observe.ObserveMiddleware",  # every request: X-Request-ID, the access line, metrics
    "core.cors.CorsMiddleware",  # django-cors-headers for requests with Origin; /api/ preflights go on to the pipeline
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.csp.ContentSecurityPolicyMiddleware",  # django-csp, on HTML responses only (API pages included)
    "config.pipeline.ApiMiddleware",  # every /api/ request ends here (config/pipeline.py)
    # Only pages outside /api/ reach these: the admin, the OAuth sign-in and consent pages.
    "whitenoise.middleware.WhiteNoiseMiddleware",  # the docs' assets, served by the service itself
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",  # turns a blocked admin or OAuth login into a 429
]

AUTH_USER_MODEL = "accounts.User"
ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
APPEND_SLASH = False  # §1.1: every route matches both ways; nothing redirects

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [], "APP_DIRS": True,
        "OPTIONS": {"context_processors": [
            "django.template.context_processors.request", "django.contrib.auth.context_processors.auth",
            "django.contrib.messages.context_processors.messages", "portal.nav.navigation",
            "portal.services.sessions.session_activity",  # a settings page notes its session's "last seen"
        ]},
    }
]  # fmt: skip

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "var" / "static")))
# Production serves what collectstatic wrote (hashed names, gzip copies); the embedded stack and
# the tests serve the apps' files from the finders (docs/configuration.md#static-files).
STATIC_MANIFEST = not (EMBEDDED or TESTING)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage" if STATIC_MANIFEST
                    else "django.contrib.staticfiles.storage.StaticFilesStorage"},
}  # fmt: skip
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("API_MAX_BODY_BYTES", default=256 * 1024)
# Number of reverse proxies in front of gunicorn whose X-Forwarded-For entries are trusted (§5.6).
API_TRUSTED_PROXIES = env_int("API_TRUSTED_PROXIES", default=0)

# ----------------------------------------------------------- backing services
# DATABASE_URL / REDIS_URL select real servers; unset, the embedded ones under APISERVICE_VAR_DIR.
DATABASE_URL = env_str("DATABASE_URL", default=embedded.postgres_url(VAR_DIR) if EMBEDDED else "")
REDIS_URL = env_str("REDIS_URL", default=embedded.redis_url(VAR_DIR) if EMBEDDED else "")
if not DATABASE_URL or not REDIS_URL:
    raise ImproperlyConfigured(
        "Set both DATABASE_URL and REDIS_URL (real servers), or neither (the embedded ones under APISERVICE_VAR_DIR)."
    )

# The fast paths (docs/performance.md); 0 selects each one's reference path.
API_FAST_PATHS = env_bool("API_FAST_PATHS", default=True)
# Server-side parameters, so psycopg prepares the statements a connection runs again and again
# (PostgreSQL plans them once); 0 for a connection pooler that cannot carry prepared statements.
DATABASE_PREPARED_STATEMENTS = env_bool("DATABASE_PREPARED_STATEMENTS", default=True)
DATABASES = {
    "default": database_config(
        DATABASE_URL,
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", default=60),
        connect_timeout=env_int("DATABASE_CONNECT_TIMEOUT", default=3),
        server_side_binding=API_FAST_PATHS and DATABASE_PREPARED_STATEMENTS,
    )
}

# Short timeouts: a dead Redis must cost milliseconds, not seconds (§5.5).
REDIS_SOCKET_TIMEOUT = env_float("REDIS_SOCKET_TIMEOUT", default=0.25)
_REDIS_TIMEOUTS = {"socket_timeout": REDIS_SOCKET_TIMEOUT, "socket_connect_timeout": REDIS_SOCKET_TIMEOUT}
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
        "KEY_PREFIX": "apiservice:cache", "OPTIONS": _REDIS_TIMEOUTS,
    }
}  # fmt: skip

# ---------------------------------------------------------------------- Celery
# kombu names a Unix-socket Redis "redis+socket://"
CELERY_BROKER_URL = CELERY_RESULT_BACKEND = REDIS_URL.replace("unix://", "redis+socket://", 1)
# The rest of Celery's configuration is the same everywhere: config/celery_options.py.
CELERY_BROKER_TRANSPORT_OPTIONS = {**BROKER_TRANSPORT_OPTIONS, "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", default=300)}  # fmt: skip

# ------------------------------------------------------------ REST framework
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": [f"core.renderers.{name}Renderer" for name in ("JSON", "YAML", "BrowsableAPI")],
    "DEFAULT_PARSER_CLASSES": ["core.parsers.JSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": ["auth.authentication.ContextAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["auth.permissions.Authorized"],
    "DEFAULT_THROTTLE_CLASSES": [],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "core.negotiation.ContentNegotiation",
    "DEFAULT_PAGINATION_CLASS": "core.pagination.KeysetPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DATETIME_FORMAT": "%Y-%m-%dT%H:%M:%S+00:00",
}

SPECTACULAR_SETTINGS = spectacular_settings(
    title="apiservice", version=API_VERSION, docs_client_id="apiservice-docs",
    enum_name_overrides={"OAuthScopeEnum": "auth.scopes.ALL_SCOPES", "KeyScopeEnum": "auth.scopes.KEY_SCOPES"},
    hooks=["config.openapi.postprocess"],  # each operation's summary and description
)  # fmt: skip

# ------------------------------------------------------------------- security
# Cookies (the admin's, the portal's) are HTTPS-only, but on the embedded local stack (plain HTTP on 127.0.0.1).
SECURE_COOKIES = env_bool("DJANGO_SECURE_COOKIES", default=not DEBUG and not EMBEDDED)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("DJANGO_BEHIND_TLS_PROXY", default=False) else None
)
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
X_FRAME_OPTIONS = "DENY"
# django-csp on every HTML page (core/csp.py; JSON goes out without it).
CONTENT_SECURITY_POLICY = csp.policy(report_uri=env_str("CSP_REPORT_URI", default=""))

# -------------------------------------------------------------------- logging

# LOG_FORMAT=json: one JSON object per line (python-json-logger); text: timestamped lines.
# Both carry the request id and mask credentials (core/logging.py, docs/operations.md).
DEFAULT_EXCEPTION_REPORTER_FILTER = "core.logging.ExceptionReporterFilter"
# Celery's lines about the sweep every WEBHOOK_SWEEP_INTERVAL seconds are DEBUG, not INFO.
ROUTINE_TASKS = {"webhooks.tasks.deliveries_pump_task": {"sweep": True}}  # a task, and the kwargs of its routine runs
LOGGING = logging_config(level=env_str("LOG_LEVEL", default="INFO"), format=env_str("LOG_FORMAT", default="text"),
                         routine_tasks=ROUTINE_TASKS)  # fmt: skip

# ----------------------------------------------------------------- operations
# CORS for browser clients of /api/ (django-cors-headers): any origin by default, never cookies.
_CORS_ORIGINS = env_list("CORS_ALLOWED_ORIGINS", default="*")
CORS_ALLOW_ALL_ORIGINS = _CORS_ORIGINS == ["*"]
CORS_ALLOWED_ORIGINS = [] if CORS_ALLOW_ALL_ORIGINS else _CORS_ORIGINS
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_HEADERS, CORS_EXPOSE_HEADERS = headers.CORS_REQUEST_HEADERS, headers.CORS_RESPONSE_HEADERS
CORS_PREFLIGHT_MAX_AGE = env_int("CORS_PREFLIGHT_MAX_AGE", default=86400)

# GET /metrics (Prometheus text): from these networks, or with "Authorization: Bearer <METRICS_TOKEN>".
METRICS_ALLOWED_NETWORKS = env_list("METRICS_ALLOWED_NETWORKS", default="127.0.0.0/8,::1/128")
METRICS_TOKEN = env_str("METRICS_TOKEN", default="")

# Error tracking: sentry-sdk (Django + Celery) only when SENTRY_DSN is set; bodies and
# credentials scrubbed (core/sentry.py).
SENTRY_DSN = env_str("SENTRY_DSN", default="")
if SENTRY_DSN:
    sentry.init_from_env(dsn=SENTRY_DSN, release=f"apiservice@{API_VERSION}")

# ------------------------------------------------------------ credentials (§2)

API_AUTH = auth_conf.from_env(key_hmac_key=secret_setting("API_KEY_HMAC_KEY", purpose="the keyed hash of API keys"))
SIMPLE_JWT = auth_conf.simple_jwt(
    signing_key=secret_setting("JWT_SIGNING_KEY", purpose="the signature of JWTs"),
    lifetime_seconds=API_AUTH["JWT_LIFETIME_SECONDS"],
)

# ---------------------------------------------------- the account portal (§7)
# portal/conf.py, docs/portal.md; mail: EMAIL_URL, or .eml files under var/mail/ on the embedded stack.
PORTAL = portal_conf.from_env()
globals().update(mail.email_settings(url=env_str("EMAIL_URL", default=""), file_dir=VAR_DIR / "mail" if EMBEDDED
                 else None, from_email=env_str("DEFAULT_FROM_EMAIL", default="")))  # EMAIL_*  # fmt: skip
OTP_TOTP_ISSUER = "apiservice"  # the name authenticator apps show beside the codes
AUTH_PASSWORD_VALIDATORS = [{"NAME": f"django.contrib.auth.password_validation.{name}"} for name in (
    "UserAttributeSimilarityValidator", "MinimumLengthValidator", "CommonPasswordValidator", "NumericPasswordValidator")]  # fmt: skip

# ------------------------------------------------------------- rate limits (§5)
# Per-scope policies "LIMIT/PERIOD_SECONDS+BURST" (API_RATE_LIMIT_<SCOPE>; defaults in ratelimit/conf.py).
API_RATE_LIMITS_ENABLED = env_bool("API_RATE_LIMITS_ENABLED", default=True)
API_RATE_LIMITS = ratelimit_conf.from_env()

# ------------------------------------------------------------- OAuth 2.0 (§2)
# django-oauth-toolkit (auth/conf.py, docs/authentication.md); plain-http redirect URIs only on a
# local stack, with DJANGO_DEBUG, or where an operator allows them (RFC 9700 §2.1 asks for https).
LOGIN_URL = "/login"
OAUTH_HTTP_REDIRECT_URIS = env_bool("OAUTH_HTTP_REDIRECT_URIS", default=DEBUG or EMBEDDED)
OAUTH2_PROVIDER = auth_conf.oauth2_provider(
    lifetime_seconds=API_AUTH["JWT_LIFETIME_SECONDS"], http_redirect_uris=OAUTH_HTTP_REDIRECT_URIS
)

# django-ratelimit guards the admin login (a plain Django view) on the Redis cache.
ADMIN_LOGIN_RATE = env_str("ADMIN_LOGIN_RATE", default="10/m")
RATELIMIT_VIEW = "ratelimit.views.admin_login_limited"
RATELIMIT_IP_META_KEY = "core.client.client_ip"

# ------------------------------------------------------------- retention (§6.6)
# Ages in days (0 keeps those rows forever); each batch is one short transaction.
RETENTION = {
    "WEBHOOK_DAYS": env_int("RETENTION_WEBHOOK_DAYS", default=30),  # finished deliveries, their attempts, events
    "AUDIT_LOG_DAYS": env_int("RETENTION_AUDIT_LOG_DAYS", default=365),
    "BATCH_SIZE": env_int("RETENTION_BATCH_SIZE", default=1000),
}

# --------------------------------------------------------------- webhooks (§4)

# Ed25519 keys, "id:base64seed" newest first (manage.py generate_webhook_key). In embedded
# mode, the local one that embedded.bootstrap() wrote; a missing key is system check
# webhooks.E001, which keeps gunicorn and the Celery worker from starting.
WEBHOOK_SIGNING_KEYS = env_str("WEBHOOK_SIGNING_KEYS", default="") or (
    (embedded.read_secret(VAR_DIR, embedded.WEBHOOK_SIGNING_KEYS) or "") if EMBEDDED else ""
)
WEBHOOKS = webhooks_conf.from_env(signing_keys=WEBHOOK_SIGNING_KEYS)
CELERY_BEAT_SCHEDULE = {
    "webhooks-sweep": {
        "task": "webhooks.tasks.deliveries_pump_task",
        "kwargs": {"sweep": True},
        "schedule": float(WEBHOOKS["SWEEP_INTERVAL"]),
    },  # fmt: skip
    # Retention (config/tasks.py, docs/operations.md): once a day, off the hour.
    "retention-prune": {"task": "config.tasks.prune_task", "schedule": crontab(hour=3, minute=17)},
}

"""Settings for apiservice: one module, every environment difference an env var.

Each variable is listed with its default in docs/configuration.md and read here only,
through the typed helpers of ``config/env.py``. Importing this module starts and
writes nothing: with no ``DATABASE_URL``/``REDIS_URL`` it points at the embedded
PostgreSQL and Redis under ``APISERVICE_VAR_DIR``, which the entry points (``manage.py``,
``make run``, the pytest session, the Celery worker) start through
``devstack.embedded.bootstrap()`` before Django reads this module.

It is longer than the house's ~300 lines on purpose: the house keeps one settings module
(STYLE.md), grouped under banner comments, so that every setting is found in one place.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.env import database_config, env_bool, env_float, env_int, env_int_list, env_list, env_str
from devstack import embedded

BASE_DIR = Path(__file__).resolve().parent.parent

# ------------------------------------------------------------------------ core

DEBUG = env_bool("DJANGO_DEBUG", default=False)
TESTING = "pytest" in sys.modules or env_bool("APISERVICE_TESTING", default=False)
# Embedded mode: no DATABASE_URL and no REDIS_URL, so the servers and the local secrets
# live under APISERVICE_VAR_DIR (var/, or var/test/ for the test suite so that a running
# `make run` and a test run never share, or stop, each other's servers).
EMBEDDED = not env_str("DATABASE_URL", default="") and not env_str("REDIS_URL", default="")
VAR_DIR = embedded.resolve_var_dir(env_str("APISERVICE_VAR_DIR", default=""), testing=TESTING)
INSECURE_SECRET_KEY = "django-insecure-apiservice-local-only"


def secret_setting(name: str, *, purpose: str) -> str:
    """An env var secret; in embedded mode the local one under var/secrets/; else refuse to start."""
    value = env_str(name, default="")
    if value:
        if value == INSECURE_SECRET_KEY and not DEBUG:
            raise ImproperlyConfigured(
                f"{name} is the insecure local default; with DJANGO_DEBUG off, set a real secret."
            )
        return value
    if EMBEDDED:
        local = embedded.read_secret(VAR_DIR, name.lower())
        if local is None:
            raise ImproperlyConfigured(
                f"{name} is not set and {VAR_DIR / 'secrets' / name.lower()} does not exist yet. Start the "
                "embedded stack through `make run` or `manage.py` (they start the servers and create the "
                f"local secrets), or set {name}."
            )
        return local
    if DEBUG:
        return INSECURE_SECRET_KEY + "-" + name.lower()
    raise ImproperlyConfigured(
        f"{name} is not set ({purpose}). With DJANGO_DEBUG off and real servers configured, the service "
        f"refuses to start on a default; set {name} to a long random value."
    )


SECRET_KEY = secret_setting("DJANGO_SECRET_KEY", purpose="Django's signing key")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", default="localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
API_VERSION = "0.1.0"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "core.apps.CoreConfig",  # before DRF and drf-spectacular: its templates override theirs
    "rest_framework",
    "corsheaders",
    "csp",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "oauth2_provider",
    "accounts.apps.AccountsConfig",
    "auth.apps.AuthConfig",
    "ratelimit.apps.RateLimitConfig",
    "idempotency.apps.IdempotencyConfig",
    "webhooks.apps.WebhooksConfig",
    "resources.apps.ResourcesConfig",
    "config.apps.ConfigConfig",  # the retention command and task, which name several apps
]

MIDDLEWARE = [
    "core.observe.ObserveMiddleware",  # every request: X-Request-ID, the access line, metrics
    "core.cors.CorsMiddleware",  # django-cors-headers; /api/ preflights go on to the pipeline (core/cors.py)
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
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
STATIC_URL = "/static/"
# collectstatic fills it in images; embedded.bootstrap() creates it for WhiteNoise locally.
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "var" / "static")))
# Production serves what collectstatic wrote: hashed names (a year's immutable cache) and
# gzip copies. The embedded stack and the tests run no collectstatic; they serve the apps'
# files from the finders under their plain names (docs/configuration.md#static-files).
STATIC_MANIFEST = not (EMBEDDED or TESTING)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("API_MAX_BODY_BYTES", default=256 * 1024)
# Number of reverse proxies in front of gunicorn whose X-Forwarded-For entries are trusted (§5.6).
API_TRUSTED_PROXIES = env_int("API_TRUSTED_PROXIES", default=0)

# ----------------------------------------------------------- backing services
# DATABASE_URL / REDIS_URL select real servers; unset, the embedded ones under
# APISERVICE_VAR_DIR (default var/), at paths that depend on that directory only.

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

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "apiservice:cache",
        "OPTIONS": {
            "socket_timeout": REDIS_SOCKET_TIMEOUT,
            "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
        },
    }
}

# ---------------------------------------------------------------------- Celery


def _celery_url(url: str) -> str:
    # kombu names a Unix-socket Redis "redis+socket://"
    return "redis+socket://" + url.removeprefix("unix://") if url.startswith("unix://") else url


CELERY_BROKER_URL = _celery_url(REDIS_URL)
CELERY_RESULT_BACKEND = _celery_url(REDIS_URL)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", default=300),
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY = False  # a broker outage must not stall a request; the sweeper catches up

# ------------------------------------------------------------ REST framework

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": [
        "core.renderers.JSONRenderer",
        "core.renderers.YAMLRenderer",
        "core.renderers.BrowsableAPIRenderer",
    ],
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

SPECTACULAR_SETTINGS = {
    "TITLE": "apiservice",
    "DESCRIPTION": (
        "A sourcehut-style developer API: users, SSH and PGP keys, an audit log and "
        "repositories; API keys and JWTs; Redis-backed rate limits; Ed25519-signed webhooks."
    ),
    "VERSION": API_VERSION,
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # validatorUrl: no badge fetched from validator.swagger.io (§1.14: nothing from outside)
    "SWAGGER_UI_SETTINGS": {"persistAuthorization": True, "validatorUrl": None},
    # "Authorize" runs the authorization-code flow with PKCE as the seeded public demo client.
    "SWAGGER_UI_OAUTH2_CONFIG": {"usePkceWithAuthorizationCodeGrant": True, "clientId": "apiservice-docs"},
    "ENUM_NAME_OVERRIDES": {"OAuthScopeEnum": "auth.scopes.ALL_SCOPES", "KeyScopeEnum": "auth.scopes.KEY_SCOPES"},
    # "" in a choice field that allows it is documented in the field, not as a BlankEnum member
    "ENUM_ADD_EXPLICIT_BLANK_NULL_CHOICE": False,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.schema.postprocess",
        "config.openapi.postprocess",  # each operation's summary and description
        "core.schema_security.postprocess",  # open padlocks where a credential is optional
    ],
}

# ------------------------------------------------------------------- security

# Cookies (admin only) are HTTPS-only, except on the embedded local stack, which `make run`
# serves over plain HTTP on 127.0.0.1.
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
# django-csp on every HTML page (core/csp.py; JSON goes out without it): scripts from
# this origin or with the request's nonce, nothing inline otherwise, no framing, forms post
# here only. A page widens it with django-csp's decorators (docs/conventions.md#pages).
_CSP_REPORT_URI = env_str("CSP_REPORT_URI", default="")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],  # the nonce only on a page that used request.csp_nonce
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        **({"report-uri": [_CSP_REPORT_URI]} if _CSP_REPORT_URI else {}),
    }
}

# -------------------------------------------------------------------- logging

# LOG_FORMAT=json: one JSON object per line (python-json-logger); text: timestamped lines.
# Both carry the request id and mask credentials (core/logging.py, docs/operations.md).
LOG_LEVEL = env_str("LOG_LEVEL", default="INFO")
LOG_FORMAT = env_str("LOG_FORMAT", default="text")
LOG_FORMATTERS = {
    "text": {
        "()": "core.logging.TextFormatter",
        "fmt": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
    },
    "json": {"()": "core.logging.JsonFormatter", "fmt": "%(levelname)s %(name)s %(message)s %(request_id)s"},
}
if LOG_FORMAT not in LOG_FORMATTERS:
    raise ImproperlyConfigured(f"LOG_FORMAT must be text or json, got {LOG_FORMAT!r}")
DEFAULT_EXCEPTION_REPORTER_FILTER = "core.logging.ExceptionReporterFilter"
# Celery's lines about the sweep every WEBHOOK_SWEEP_INTERVAL seconds are DEBUG, not INFO.
ROUTINE_TASKS = ["webhooks.tasks.sweep_deliveries_task"]
ROUTINE_TASK_LOGGERS = ("celery.beat", "celery.worker.strategy", "celery.app.trace")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "core.requestid.RequestIdFilter"},
        "mask_secrets": {"()": "core.logging.MaskSecretsFilter"},
        "routine_tasks": {"()": "core.logging.RoutineTaskFilter", "tasks": ROUTINE_TASKS},
        "outage_responses": {"()": "core.logging.OutageResponseFilter"},
    },
    "formatters": {"default": LOG_FORMATTERS[LOG_FORMAT]},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "default",
            "filters": ["request_id", "mask_secrets"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.request": {
            "handlers": ["console"],
            "level": "ERROR",
            "propagate": False,
            "filters": ["outage_responses"],
        },
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "pgserver": {"level": "WARNING"},
        # their DEBUG lines carry redirect URLs with authorization codes
        "oauth2_provider": {"level": "INFO"},
        "oauthlib": {"level": "INFO"},
        **{name: {"filters": ["routine_tasks"]} for name in ROUTINE_TASK_LOGGERS},
    },
}

# ----------------------------------------------------------------- operations
# CORS for browser clients of /api/ (django-cors-headers): token-authenticated, so any
# origin by default and never cookies; preflights are answered before credentials and rate
# limits (CorsMiddleware sits above them).
_CORS_ORIGINS = env_list("CORS_ALLOWED_ORIGINS", default="*")
CORS_ALLOW_ALL_ORIGINS = _CORS_ORIGINS == ["*"]
CORS_ALLOWED_ORIGINS = [] if CORS_ALLOW_ALL_ORIGINS else _CORS_ORIGINS
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_HEADERS = (
    "authorization", "content-type", "idempotency-key", "if-match", "if-none-match", "if-modified-since", "x-request-id",
)  # fmt: skip
CORS_EXPOSE_HEADERS = (
    "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "X-RateLimit-ResetSeconds",
    "X-RateLimit-Duration", "X-RateLimit-Scope", "RateLimit", "RateLimit-Policy", "Retry-After",
    "Link", "ETag", "X-Request-ID", "Idempotent-Replayed", "WWW-Authenticate",
)  # fmt: skip
CORS_PREFLIGHT_MAX_AGE = env_int("CORS_PREFLIGHT_MAX_AGE", default=86400)

# GET /metrics (Prometheus text): from these networks, or with "Authorization: Bearer <METRICS_TOKEN>".
METRICS_ALLOWED_NETWORKS = env_list("METRICS_ALLOWED_NETWORKS", default="127.0.0.0/8,::1/128")
METRICS_TOKEN = env_str("METRICS_TOKEN", default="")

# Error tracking: sentry-sdk (Django + Celery) only when SENTRY_DSN is set; bodies and
# credentials scrubbed (core/sentry.py).
SENTRY_DSN = env_str("SENTRY_DSN", default="")
if SENTRY_DSN:
    from core.sentry import init_sentry

    init_sentry(
        dsn=SENTRY_DSN,
        environment=env_str("SENTRY_ENVIRONMENT", default="production"),
        release=f"apiservice@{API_VERSION}",
        traces_sample_rate=env_float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )

# ------------------------------------------------------------ credentials (§2)

API_KEY_HMAC_KEY = secret_setting("API_KEY_HMAC_KEY", purpose="the keyed hash of API keys")
API_AUTH: dict[str, Any] = {
    "KEY_HMAC_KEY": API_KEY_HMAC_KEY,
    "JWT_LIFETIME_SECONDS": env_int("JWT_LIFETIME_SECONDS", default=3600),
}
SIMPLE_JWT = {
    "SIGNING_KEY": secret_setting("JWT_SIGNING_KEY", purpose="the signature of JWTs"),
    "ALGORITHM": "HS256",
    "ACCESS_TOKEN_LIFETIME": timedelta(seconds=API_AUTH["JWT_LIFETIME_SECONDS"]),
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
    "UPDATE_LAST_LOGIN": False,
    "AUTH_HEADER_TYPES": ("Bearer", "token"),
}

# ------------------------------------------------------------- rate limits (§5)
# Per-scope policies "LIMIT/PERIOD_SECONDS+BURST": the defaults are in ratelimit/conf.py;
# API_RATE_LIMITS holds only the scopes whose API_RATE_LIMIT_<SCOPE> env var is set.

API_RATE_LIMITS_ENABLED = env_bool("API_RATE_LIMITS_ENABLED", default=True)
API_RATE_LIMITS: dict[str, str] = {
    scope: policy
    for scope, policy in {
        "anonymous-read": env_str("API_RATE_LIMIT_ANONYMOUS_READ", default=""),
        "anonymous-write": env_str("API_RATE_LIMIT_ANONYMOUS_WRITE", default=""),
        "authenticated-read": env_str("API_RATE_LIMIT_AUTHENTICATED_READ", default=""),
        "authenticated-write": env_str("API_RATE_LIMIT_AUTHENTICATED_WRITE", default=""),
        "authenticate": env_str("API_RATE_LIMIT_AUTHENTICATE", default=""),
        "oauth-token": env_str("API_RATE_LIMIT_OAUTH_TOKEN", default=""),
        "oauth-revoke": env_str("API_RATE_LIMIT_OAUTH_REVOKE", default=""),
        "apikey-create": env_str("API_RATE_LIMIT_APIKEY_CREATE", default=""),
        "webhook-test": env_str("API_RATE_LIMIT_WEBHOOK_TEST", default=""),
        "revalidation": env_str("API_RATE_LIMIT_REVALIDATION", default=""),
    }.items()
    if policy
}
# ------------------------------------------------------------- OAuth 2.0 (§2)
# django-oauth-toolkit: authorization code + PKCE (S256 only), rotating refresh tokens,
# tokens stored as SHA-256 checksums only (auth/oauth/, docs/authentication.md).

LOGIN_URL = "/login"
# Plain-http redirect URIs (RFC 8252 loopback callbacks of native apps, Swagger UI on a local
# stack): allowed on the embedded local stack and with DJANGO_DEBUG, refused in production
# unless an operator allows them (RFC 9700 §2.1 asks for https).
OAUTH_HTTP_REDIRECT_URIS = env_bool("OAUTH_HTTP_REDIRECT_URIS", default=DEBUG or EMBEDDED)
OAUTH2_PROVIDER: dict[str, Any] = {
    "SCOPES_BACKEND_CLASS": "auth.oauth.scopes.ApiScopes",
    "OAUTH2_VALIDATOR_CLASS": "auth.oauth.validator.Validator",
    "OAUTH2_SERVER_CLASS": "auth.oauth.validator.Server",  # PKCE S256 checked before the consent page
    "ACCESS_TOKEN_GENERATOR": "auth.oauth.tokens.access_token_text",
    "REFRESH_TOKEN_GENERATOR": "auth.oauth.tokens.refresh_token_text",
    "ACCESS_TOKEN_EXPIRE_SECONDS": API_AUTH["JWT_LIFETIME_SECONDS"],
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "PKCE_REQUIRED": True,
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    # urn: only the OOB URI (auth/oauth/serializers.py); http only where OAUTH_HTTP_REDIRECT_URIS allows it
    "ALLOWED_REDIRECT_URI_SCHEMES": ["http", "https", "urn"] if OAUTH_HTTP_REDIRECT_URIS else ["https", "urn"],
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,  # never an access token in a query string
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,  # RFC 9207: the redirect names its issuer
    "OAUTH2_GRANT_TYPES_SUPPORTED": ["authorization_code", "refresh_token"],
    "OAUTH2_RESPONSE_TYPES_SUPPORTED": ["code"],
    "OAUTH2_TOKEN_ENDPOINT_AUTH_METHODS_SUPPORTED": ["client_secret_basic", "client_secret_post", "none"],
}

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
WEBHOOKS: dict[str, Any] = {
    "SIGNING_KEYS": WEBHOOK_SIGNING_KEYS,
    "ALLOWED_NETWORKS": env_str("WEBHOOK_ALLOWED_NETWORKS", default=""),
    "RETRY_SCHEDULE": env_int_list("WEBHOOK_RETRY_SCHEDULE", default="5,300,1800,7200,18000,36000,36000"),
    "DISABLE_AFTER_FAILURES": env_int("WEBHOOK_DISABLE_AFTER_FAILURES", default=5),
    "CONNECT_TIMEOUT": env_float("WEBHOOK_CONNECT_TIMEOUT", default=5.0),
    "TOTAL_TIMEOUT": env_float("WEBHOOK_TOTAL_TIMEOUT", default=15.0),
    "SWEEP_INTERVAL": env_int("WEBHOOK_SWEEP_INTERVAL", default=15),
    "LEASE_SECONDS": env_int("WEBHOOK_LEASE_SECONDS", default=60),
    "MAX_IN_FLIGHT": env_int("WEBHOOK_MAX_IN_FLIGHT", default=100),
    "MAX_IN_FLIGHT_PER_ORIGIN": env_int("WEBHOOK_MAX_IN_FLIGHT_PER_ORIGIN", default=4),
    "BREAKER_THRESHOLD": env_int("WEBHOOK_BREAKER_THRESHOLD", default=3),
    "PUMP_SECONDS": env_int("WEBHOOK_PUMP_SECONDS", default=60),
}
CELERY_BEAT_SCHEDULE = {
    "webhooks-sweep": {"task": "webhooks.tasks.sweep_deliveries_task", "schedule": float(WEBHOOKS["SWEEP_INTERVAL"])},
    # Retention (config/tasks.py, docs/operations.md): once a day, off the hour.
    "retention-prune": {"task": "config.tasks.prune_task", "schedule": crontab(hour=3, minute=17)},
}

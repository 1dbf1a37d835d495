"""Settings for apiservice: one module, every environment difference an env var.

Each variable is listed with its default in docs/configuration.md. With no
``DATABASE_URL``/``REDIS_URL`` the embedded PostgreSQL and Redis are started (see
``apiservice/embedded.py``), so the same engines serve development, tests and production.
"""

from __future__ import annotations

import os
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

from apiservice import embedded

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def database_from_url(url: str) -> dict[str, object]:
    """``postgres://user:pass@host:port/name?sslmode=require`` -> a Django DATABASES entry.

    A Unix socket directory may be given as ``?host=/path`` (as libpq does).
    """
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        raise ImproperlyConfigured("DATABASE_URL must be a postgres:// URL: PostgreSQL is the only engine")
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    host = query.pop("host", None) or unquote(parts.hostname or "")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")) or "postgres",
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": host,
        "PORT": str(parts.port or ""),
        "OPTIONS": query,
    }


# ------------------------------------------------------------------------ core

DEBUG = env_bool("DJANGO_DEBUG", False)
TESTING = "pytest" in sys.modules or env_bool("APISERVICE_TESTING", False)
# Embedded mode: no DATABASE_URL and no REDIS_URL, so the servers (and, where none is
# given, local secrets) live under APISERVICE_VAR_DIR. The test suite uses var/test/ so a
# running `make run` and a test run never share (or stop) each other's servers.
EMBEDDED = not os.environ.get("DATABASE_URL") and not os.environ.get("REDIS_URL")
VAR_DIR = Path(env_str("APISERVICE_VAR_DIR", str(BASE_DIR / "var" / ("test" if TESTING else "")))).resolve()
INSECURE_SECRET_KEY = "django-insecure-apiservice-local-only"


def secret_setting(name: str, *, purpose: str) -> str:
    """An env var secret; in embedded mode generated once under var/; else refuse to start."""
    value = os.environ.get(name, "")
    if value:
        if value == INSECURE_SECRET_KEY and not DEBUG:
            raise ImproperlyConfigured(
                f"{name} is the insecure local default; with DJANGO_DEBUG off, set a real secret."
            )
        return value
    if EMBEDDED:
        return embedded.local_secret(VAR_DIR, name.lower())
    if DEBUG:
        return INSECURE_SECRET_KEY + "-" + name.lower()
    raise ImproperlyConfigured(
        f"{name} is not set ({purpose}). With DJANGO_DEBUG off and real servers configured, the service "
        f"refuses to start on a default; set {name} to a long random value."
    )


SECRET_KEY = secret_setting("DJANGO_SECRET_KEY", purpose="Django's signing key")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
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
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "apiservice.apps.ApiServiceConfig",
    "auth.apps.AuthConfig",
    "ratelimit.apps.RateLimitConfig",
    "resources.apps.ResourcesConfig",
    "webhooks.apps.WebhooksConfig",
]

MIDDLEWARE = [
    "apiservice.api.middleware.ApiErrorMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # the docs' assets, served by the service itself
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "auth.middleware.CredentialMiddleware",  # API credential -> request.api_credential (no I/O for JWTs)
    "ratelimit.middleware.RateLimitMiddleware",  # one Redis round trip: limit + revocation check
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",  # turns a blocked admin login into a 429
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

AUTH_USER_MODEL = "resources.User"
ROOT_URLCONF = "apiservice.urls"
WSGI_APPLICATION = "apiservice.wsgi.application"
APPEND_SLASH = False  # §1.1: every route matches both ways; nothing redirects

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "apiservice" / "templates"],
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
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(BASE_DIR / "var" / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise expects it; collectstatic fills it in images
WHITENOISE_USE_FINDERS = True  # serve app static files without a collectstatic step
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("API_MAX_BODY_BYTES", 256 * 1024)
# Number of reverse proxies in front of gunicorn whose X-Forwarded-For entries are trusted (§5.6).
API_TRUSTED_PROXIES = env_int("API_TRUSTED_PROXIES", 0)

# ----------------------------------------------------------- backing services
# DATABASE_URL / REDIS_URL select real servers; unset, the embedded ones start under
# APISERVICE_VAR_DIR (default var/).

DATABASE_URL = os.environ.get("DATABASE_URL") or embedded.ensure_postgres(VAR_DIR)
REDIS_URL = os.environ.get("REDIS_URL") or embedded.ensure_redis(VAR_DIR)

DATABASES = {"default": database_from_url(DATABASE_URL)}
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", env_int("DATABASE_CONNECT_TIMEOUT", 3))

# Short timeouts: a dead Redis must cost milliseconds, not seconds (§5.5).
REDIS_SOCKET_TIMEOUT = float(env_str("REDIS_SOCKET_TIMEOUT", "0.25"))

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
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 300),
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY = False  # a broker outage must not stall a request; the sweeper catches up

# ------------------------------------------------------------ REST framework

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": [
        "apiservice.api.renderers.JSONRenderer",
        "apiservice.api.renderers.YAMLRenderer",
        "apiservice.api.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["apiservice.api.parsers.JSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": ["auth.authentication.CredentialAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["auth.permissions.ScopePermission"],
    "DEFAULT_THROTTLE_CLASSES": [],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "apiservice.api.negotiation.ContentNegotiation",
    "DEFAULT_PAGINATION_CLASS": "apiservice.api.pagination.KeysetPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "apiservice.api.errors.exception_handler",
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
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_SETTINGS": {"persistAuthorization": True},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "apiservice.api.schema.postprocess",
    ],
}

# ------------------------------------------------------------------- security

# Cookies (admin only) are HTTPS-only, except on the embedded local stack, which `make run`
# serves over plain HTTP on 127.0.0.1.
SECURE_COOKIES = env_bool("DJANGO_SECURE_COOKIES", not DEBUG and not EMBEDDED)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("DJANGO_BEHIND_TLS_PROXY", False) else None
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
X_FRAME_OPTIONS = "DENY"

# -------------------------------------------------------------------- logging

LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
DEFAULT_EXCEPTION_REPORTER_FILTER = "apiservice.logging.ExceptionReporterFilter"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_secrets": {"()": "apiservice.logging.MaskSecretsFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["mask_secrets"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "pgserver": {"level": "WARNING"},
    },
}

# ------------------------------------------------------------ credentials (§2)

API_KEY_HMAC_KEY = secret_setting("API_KEY_HMAC_KEY", purpose="the keyed hash of API keys")
API_AUTH = {
    "KEY_HMAC_KEY": API_KEY_HMAC_KEY,
    "JWT_LIFETIME_SECONDS": env_int("JWT_LIFETIME_SECONDS", 3600),
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
# Per-scope policies: ratelimit/conf.py (defaults) and API_RATE_LIMIT_<SCOPE> env vars.

API_RATE_LIMITS_ENABLED = env_bool("API_RATE_LIMITS_ENABLED", True)
API_RATE_LIMITS: dict[str, str] = {}
# django-ratelimit guards the admin login (a plain Django view) on the Redis cache.
ADMIN_LOGIN_RATE = env_str("ADMIN_LOGIN_RATE", "10/m")
RATELIMIT_VIEW = "ratelimit.views.admin_login_limited"
RATELIMIT_IP_META_KEY = "apiservice.api.client.client_ip"

# --------------------------------------------------------------- webhooks (§4)

# Ed25519 keys, "id:base64seed" newest first (manage.py generate_webhook_key). Embedded mode
# generates one under var/secrets/; production without one refuses to start.
WEBHOOK_SIGNING_KEYS = env_str("WEBHOOK_SIGNING_KEYS", "")
if not WEBHOOK_SIGNING_KEYS and not EMBEDDED and not DEBUG:
    raise ImproperlyConfigured(
        "WEBHOOK_SIGNING_KEYS is not set. Generate one with `manage.py generate_webhook_key` "
        "(it works without the variable when DJANGO_DEBUG=1) and set WEBHOOK_SIGNING_KEYS=<id:seed>."
    )
WEBHOOKS = {
    "SIGNING_KEYS": WEBHOOK_SIGNING_KEYS,
    "ALLOWED_NETWORKS": env_str("WEBHOOK_ALLOWED_NETWORKS", ""),
    "RETRY_SCHEDULE": [int(x) for x in env_list("WEBHOOK_RETRY_SCHEDULE", "5,300,1800,7200,18000,36000,36000")],
    "DISABLE_AFTER_FAILURES": env_int("WEBHOOK_DISABLE_AFTER_FAILURES", 5),
    "CONNECT_TIMEOUT": float(env_str("WEBHOOK_CONNECT_TIMEOUT", "5")),
    "TOTAL_TIMEOUT": float(env_str("WEBHOOK_TOTAL_TIMEOUT", "15")),
    "SWEEP_INTERVAL": env_int("WEBHOOK_SWEEP_INTERVAL", 15),
    "LEASE_SECONDS": env_int("WEBHOOK_LEASE_SECONDS", 60),
}
CELERY_BEAT_SCHEDULE = {
    "webhooks-sweep": {"task": "webhooks.tasks.sweep_deliveries_task", "schedule": float(WEBHOOKS["SWEEP_INTERVAL"])},
}

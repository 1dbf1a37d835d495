"""Rate-limit scopes (§5.1): defaults here, overridden per scope by ``API_RATE_LIMITS``.

    API_RATE_LIMITS = {"authenticated-read": "5000/3600+500"}   # limit/period_seconds+burst

settings.py fills ``API_RATE_LIMITS`` from the ``API_RATE_LIMIT_<SCOPE>`` env vars. Read
lazily and rebuilt when the setting changes (see :mod:`core.conf`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from core.conf import AppSettings
from core.env import env_str
from ratelimit.policy import Policy, PolicyError, parse_policy

ANONYMOUS_READ = "anonymous-read"
ANONYMOUS_WRITE = "anonymous-write"
AUTHENTICATED_READ = "authenticated-read"
AUTHENTICATED_WRITE = "authenticated-write"
AUTHENTICATE = "authenticate"
# the OAuth token and revocation endpoints, per client id and address (issue 26.5)
OAUTH_TOKEN = "oauth-token"
OAUTH_REVOKE = "oauth-revoke"
APIKEY_CREATE = "apikey-create"
WEBHOOK_TEST = "webhook-test"
# 304s answered because a listed entity tag matched (§1.12): free of the read scopes, but
# bounded here; once spent, such a 304 is charged like any read.
REVALIDATION = "revalidation"


# What a scope's buckets are keyed by: the client address; the credential's user (the
# address when anonymous); or the OAuth client id *and* the address (the address alone when
# the request names no client), so one client's refreshes do not spend another's budget and
# a client id proves nothing on its own (anyone may send any client id).
Keying = Literal["address", "user", "client"]


@dataclass(frozen=True)
class Scope:
    name: str
    policy: Policy
    by: Keying
    fail_closed: bool  # with Redis down: refuse (503) rather than let requests through


DEFAULTS: dict[str, tuple[str, Keying, bool]] = {
    # scope: (limit/period+burst, keyed by, fail closed)
    ANONYMOUS_READ: ("1200/3600+120", "address", False),
    ANONYMOUS_WRITE: ("120/3600+20", "address", False),
    AUTHENTICATED_READ: ("5000/3600+500", "user", False),
    AUTHENTICATED_WRITE: ("1000/3600+100", "user", False),
    AUTHENTICATE: ("60/3600+20", "address", True),
    # GitHub allows an OAuth app 2,000 token requests an hour; Funkwhale 100 an hour (docs/rate-limits.md)
    OAUTH_TOKEN: ("2000/3600+200", "client", True),
    OAUTH_REVOKE: ("600/3600+60", "client", True),
    APIKEY_CREATE: ("30/3600+10", "user", True),
    WEBHOOK_TEST: ("30/3600+5", "user", False),
    REVALIDATION: ("20000/3600+2000", "user", False),
}


def env_name(scope: str) -> str:
    """The env var settings.py reads for ``scope``: ``API_RATE_LIMIT_AUTHENTICATED_READ``."""
    return "API_RATE_LIMIT_" + scope.upper().replace("-", "_")


def build_scopes(configured: Mapping[str, Any]) -> dict[str, Scope]:
    unknown = sorted(set(configured) - set(DEFAULTS))
    if unknown:
        raise ImproperlyConfigured(f"API_RATE_LIMITS: unknown scope(s) {', '.join(unknown)}")
    result = {}
    for name, (spec, by, fail_closed) in DEFAULTS.items():
        try:
            policy = parse_policy(configured.get(name) or spec, env_name(name))
        except PolicyError as exc:
            raise ImproperlyConfigured(str(exc)) from exc
        result[name] = Scope(name, policy, by, fail_closed)
    return result


rate_limit_scopes = AppSettings("API_RATE_LIMITS", dict, build_scopes)


def scopes() -> dict[str, Scope]:
    return rate_limit_scopes()


def enabled() -> bool:
    return bool(getattr(settings, "API_RATE_LIMITS_ENABLED", True))


def from_env() -> dict[str, str]:
    """``settings.API_RATE_LIMITS``: the scopes whose ``API_RATE_LIMIT_<SCOPE>`` variable is set."""
    configured = {name: env_str(env_name(name), default="") for name in DEFAULTS}
    return {name: policy for name, policy in configured.items() if policy}

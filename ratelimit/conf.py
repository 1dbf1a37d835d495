"""Rate-limit scopes (§5.1): ``API_RATE_LIMITS`` in settings, each overridable by an env var.

    API_RATE_LIMIT_AUTHENTICATED_READ="5000/3600+500"     # limit/period_seconds+burst

Read lazily: tests and operators can change settings without re-importing anything.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from ratelimit.limiter import Policy

ANONYMOUS_READ = "anonymous-read"
ANONYMOUS_WRITE = "anonymous-write"
AUTHENTICATED_READ = "authenticated-read"
AUTHENTICATED_WRITE = "authenticated-write"
AUTHENTICATE = "authenticate"
APIKEY_CREATE = "apikey-create"
WEBHOOK_TEST = "webhook-test"


@dataclass(frozen=True)
class Scope:
    name: str
    policy: Policy
    by: str  # "address" or "user"
    fail_closed: bool  # with Redis down: refuse (503) rather than let requests through


DEFAULTS: dict[str, tuple[str, str, bool]] = {
    # scope: (limit/period+burst, keyed by, fail closed)
    ANONYMOUS_READ: ("1200/3600+120", "address", False),
    ANONYMOUS_WRITE: ("120/3600+20", "address", False),
    AUTHENTICATED_READ: ("5000/3600+500", "user", False),
    AUTHENTICATED_WRITE: ("1000/3600+100", "user", False),
    AUTHENTICATE: ("60/3600+20", "address", True),
    APIKEY_CREATE: ("30/3600+10", "user", True),
    WEBHOOK_TEST: ("30/3600+5", "user", False),
}
SPEC = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*(?:\+\s*(\d+))?\s*$")


def parse_policy(text: str, name: str = "policy") -> Policy:
    """``"100/3600+10"`` -> ``Policy(limit=100, period=3600, burst=10)``."""
    match = SPEC.match(text)
    if not match or int(match.group(1)) < 1 or int(match.group(2)) < 1:
        raise ImproperlyConfigured(
            f"{name} must look like LIMIT/PERIOD_SECONDS[+BURST], e.g. 100/3600+10; got {text!r}"
        )
    return Policy(int(match.group(1)), int(match.group(2)), int(match.group(3) or 0))


def env_name(scope: str) -> str:
    return "API_RATE_LIMIT_" + scope.upper().replace("-", "_")


@cache
def scopes() -> dict[str, Scope]:
    configured = getattr(settings, "API_RATE_LIMITS", {})
    result = {}
    for name, (spec, by, fail_closed) in DEFAULTS.items():
        text = os.environ.get(env_name(name)) or configured.get(name) or spec
        result[name] = Scope(name, parse_policy(text, env_name(name)), by, fail_closed)
    return result


def enabled() -> bool:
    return bool(getattr(settings, "API_RATE_LIMITS_ENABLED", True))

"""Scopes (§2.6): ``profile``, ``keys``, ``audit``, ``repos``, ``webhooks``, ``apikeys``,
``oauthapps``, each as ``name:read`` or ``name:write`` (write implies read), or ``*`` for all.

Pure functions, no Django imports.

    >>> grants(frozenset({"repos:write"}), "repos:read")
    True
"""

from __future__ import annotations

from collections.abc import Iterable

RESOURCES = ("profile", "keys", "audit", "repos", "webhooks", "apikeys", "oauthapps")
READ_ONLY = frozenset({"audit"})
ALL = "*"
ALL_SCOPES: tuple[str, ...] = tuple(
    f"{name}:{access}"
    for name in RESOURCES
    for access in ("read", "write")
    if not (name in READ_ONLY and access == "write")
)

KEY_SCOPES: tuple[str, ...] = (ALL, *ALL_SCOPES)  # what an API key may hold


class ScopeError(ValueError):
    """A scope string that is not ``*`` or ``<resource>:<read|write>``."""


def parse_scopes(values: Iterable[str]) -> frozenset[str]:
    """Validate and normalise a list of scope strings; raise :class:`ScopeError` on an unknown one."""
    scopes = set()
    for value in values:
        scope = str(value).strip()
        if scope != ALL and scope not in ALL_SCOPES:
            raise ScopeError(f"unknown scope {scope!r}; use '*' or one of {', '.join(ALL_SCOPES)}")
        scopes.add(scope)
    return frozenset(scopes)


def grants(held: frozenset[str] | set[str], needed: str) -> bool:
    """Whether the held scopes include ``needed`` (``name:read`` or ``name:write``)."""
    if ALL in held or needed in held:
        return True
    name, _, access = needed.partition(":")
    return access == "read" and f"{name}:write" in held


def covers(held: frozenset[str] | set[str], requested: Iterable[str]) -> bool:
    """Whether a credential holding ``held`` may mint one with ``requested`` (no escalation)."""
    requested = set(requested)
    if ALL in requested:
        return ALL in held
    return all(grants(held, scope) for scope in requested)

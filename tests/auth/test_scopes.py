"""Scope rules (auth/scopes.py) as tables: parsing, what a held set grants, what it may mint."""

import pytest

from auth.scopes import ALL_SCOPES, ScopeError, covers, grants, parse_scopes


def test_every_resource_has_read_and_write_except_audit_which_is_read_only():
    assert len(ALL_SCOPES) == 13
    assert "audit:read" in ALL_SCOPES and "audit:write" not in ALL_SCOPES


@pytest.mark.parametrize(
    "values, expected",
    [
        pytest.param([], frozenset(), id="empty"),
        pytest.param(["repos:read"], {"repos:read"}, id="one"),
        pytest.param(["*"], {"*"}, id="all"),
        pytest.param(["  keys:write\t", "\nprofile:read "], {"keys:write", "profile:read"}, id="outer-whitespace"),
        pytest.param(["repos:read", " repos:read"], {"repos:read"}, id="duplicates-collapse"),
        pytest.param(("audit:read", "*"), {"audit:read", "*"}, id="tuple-and-star-kept-side-by-side"),
    ],
)
def test_valid_scopes_are_normalised(values, expected):
    assert parse_scopes(values) == frozenset(expected)


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("audit:write", id="audit-write-never-exists"),
        pytest.param("repos", id="no-access"),
        pytest.param("repos:admin", id="unknown-access"),
        pytest.param("gists:read", id="unknown-resource"),
        pytest.param("Repos:read", id="case-sensitive"),
        pytest.param("repos: read", id="inner-whitespace"),
        pytest.param("", id="empty-string"),
        pytest.param("   ", id="blank"),
        pytest.param("**", id="double-star"),
        pytest.param("repos:*", id="wildcard-access"),
    ],
)
def test_unknown_scope_raises_scope_error_naming_it(value):
    with pytest.raises(ScopeError, match="unknown scope"):
        parse_scopes(["repos:read", value])


@pytest.mark.parametrize(
    "held, needed, expected",
    [
        pytest.param({"repos:read"}, "repos:read", True, id="exact-read"),
        pytest.param({"repos:write"}, "repos:write", True, id="exact-write"),
        pytest.param({"repos:write"}, "repos:read", True, id="write-implies-read"),
        pytest.param({"repos:read"}, "repos:write", False, id="read-does-not-imply-write"),
        pytest.param({"keys:write"}, "repos:read", False, id="other-resource"),
        pytest.param({"*"}, "webhooks:write", True, id="star-grants-write"),
        pytest.param({"*"}, "audit:read", True, id="star-grants-audit-read"),
        pytest.param({"audit:read"}, "audit:write", False, id="audit-read-not-write"),
        pytest.param(set(), "profile:read", False, id="nothing-held"),
        pytest.param({"repos:write"}, "*", False, id="star-needed-without-star"),
        pytest.param({"*"}, "*", True, id="star-needed-with-star"),
    ],
)
def test_grants(held, needed, expected):
    assert grants(frozenset(held), needed) is expected


@pytest.mark.parametrize(
    "held, requested, expected",
    [
        pytest.param({"repos:read"}, [], True, id="nothing-requested"),
        pytest.param({"repos:write"}, ["repos:read"], True, id="narrower"),
        pytest.param({"repos:write"}, ["repos:write", "repos:read"], True, id="same"),
        pytest.param({"repos:read"}, ["repos:write"], False, id="read-to-write-escalation"),
        pytest.param({"repos:write"}, ["repos:read", "keys:read"], False, id="one-extra-resource"),
        pytest.param({"*"}, ["apikeys:write", "audit:read"], True, id="star-covers-any-list"),
        pytest.param({"*"}, ["*"], True, id="star-for-star"),
        pytest.param(set(ALL_SCOPES), ["*"], False, id="every-scope-listed-is-not-star"),
        pytest.param({"repos:write"}, ["*"], False, id="star-requested-needs-star-held"),
    ],
)
def test_covers_allows_no_escalation(held, requested, expected):
    assert covers(frozenset(held), requested) is expected

"""``/settings/audit-log``: the person's entries, newest first, paged; nobody else's."""

from __future__ import annotations

import pytest

from accounts.services import audit_log_record
from tests.portal.pages.conftest import text

pytestmark = pytest.mark.django_db

URL = "/settings/audit-log"


def test_the_empty_log_says_what_to_do(alice):
    assert "Nothing is recorded yet." in text(alice.get(URL))


def test_the_persons_entries_paged(alice, user, other_user, per_page):
    for n in range(3):
        audit_log_record(user_id=user.pk, action=f"test:{n}", ip="192.0.2.1", details=f"entry {n}")
    audit_log_record(user_id=other_user.pk, action="test:theirs", ip=None, details="bob's")
    first = text(alice.get(URL))
    assert "test:2" in first and "test:1" in first and "test:0" not in first and "192.0.2.1" in first
    assert "test:theirs" not in first and "3 in all." in first
    start = first.split('href="/settings/audit-log?start=')[1].split('"')[0]
    second = text(alice.get(f"{URL}?start={start}"))
    assert "test:0" in second and "test:1" not in second and "Newest" in second


def test_a_key_created_in_the_portal_is_in_the_log(alice):
    alice.post("/settings/keys", {"name": "ci", "scopes": ["repos:read"]}, REMOTE_ADDR="198.51.100.7")
    page = text(alice.get(URL))
    assert "api-key:create" in page and "198.51.100.7" in page

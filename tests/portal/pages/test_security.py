"""Every settings page: a signed-out visitor is sent to /login; a POST without the CSRF token is
refused; the pages are framed by no one and run no inline script."""

from __future__ import annotations

import pytest

from portal.nav import ITEMS
from tests.portal.pages.conftest import text

pytestmark = pytest.mark.django_db

PAGES = [
    "/settings/keys", "/settings/keys/1/revoke", "/settings/tokens",
    "/settings/tokens/00000000-0000-0000-0000-000000000000/revoke", "/settings/applications",
    "/settings/applications/abc", "/settings/applications/abc/rotate-secret", "/settings/applications/abc/delete",
    "/settings/authorized", "/settings/authorized/abc/revoke", "/settings/ssh-keys", "/settings/ssh-keys/1/remove",
    "/settings/pgp-keys", "/settings/pgp-keys/1/remove", "/settings/webhooks", "/settings/webhooks/1",
    "/settings/webhooks/1/delete", "/settings/webhooks/1/test", "/settings/webhooks/1/replay",
    "/settings/webhooks/1/deliveries/00000000-0000-0000-0000-000000000000",
    "/settings/webhooks/1/deliveries/00000000-0000-0000-0000-000000000000/redeliver", "/settings/audit-log",
]  # fmt: skip
LISTS = [
    "/settings/keys", "/settings/tokens", "/settings/applications", "/settings/authorized", "/settings/ssh-keys",
    "/settings/pgp-keys", "/settings/webhooks", "/settings/audit-log",
]  # fmt: skip


@pytest.mark.parametrize("path", PAGES)
def test_a_signed_out_visitor_is_sent_to_sign_in(client, path):
    for method in (client.get, client.post):
        response = method(path)
        assert response.status_code == 302 and response["Location"] == f"/login?next={path.replace(':', '%3A')}"


@pytest.mark.parametrize(
    "path", ["/settings/audit-log", "/settings/authorized", "/settings/applications/abc", "/settings/webhooks/1"]
)
def test_pages_that_only_show_refuse_a_post(alice, path):
    assert alice.post(path).status_code == 405


@pytest.mark.parametrize("path", LISTS)
def test_a_post_without_the_csrf_token_is_refused(strict, path):
    assert strict.post(path, {"name": "x"}).status_code == 403


@pytest.mark.parametrize("path", LISTS)
def test_every_list_is_in_the_one_navigation_and_marked_current(alice, path):
    page = alice.get(path)
    assert page.status_code == 200
    assert page["X-Frame-Options"] == "DENY" and "script-src 'self'" in page["Content-Security-Policy"]
    body = text(page)
    assert f'<a href="{path}" aria-current="page">' in body
    for item in ITEMS[2:]:  # profile and security are the other helper's pages
        assert item.label in body
    assert "<script>" not in body and " style=" not in body

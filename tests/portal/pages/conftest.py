"""The settings pages (issue 24 item 5): a signed-in person, with and without a fresh sudo confirmation."""

from __future__ import annotations

import html
import re
import time
from typing import Any

import pytest
from django.test import Client

from portal import paging
from portal.sudo import SESSION_KEY


def sign_in(client: Client, user: Any, *, sudo: bool = True) -> Client:
    """``client`` signed in as ``user`` (``sudo``: the password was just confirmed)."""
    client.force_login(user)
    if sudo:
        session = client.session
        session[SESSION_KEY] = time.time()
        session.save()
    return client


@pytest.fixture
def alice(client: Client, user: Any) -> Client:
    """alice's browser, her password confirmed a moment ago."""
    return sign_in(client, user)


@pytest.fixture
def stale(client: Client, user: Any) -> Client:
    """alice's browser, signed in long ago: no fresh confirmation."""
    return sign_in(client, user, sudo=False)


@pytest.fixture
def strict(user: Any) -> Client:
    """alice's browser as a real one is: the CSRF token checked."""
    return sign_in(Client(enforce_csrf_checks=True), user)


@pytest.fixture
def per_page(monkeypatch: pytest.MonkeyPatch) -> int:
    """Lists page by 2."""
    monkeypatch.setattr(paging, "PER_PAGE", 2)
    return 2


def text(response: Any) -> str:
    """The page's HTML, its character references resolved (``&quot;`` is ``"``)."""
    return html.unescape(response.content.decode())


def secret_on(response: Any) -> str:
    """The secret a creation's page shows (once)."""
    found = re.search(r'<code class="secret" id="secret">([^<]+)</code>', text(response))
    assert found, text(response)
    return found.group(1)

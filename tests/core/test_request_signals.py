"""Django's request receivers that can do nothing here are left out on the fast path, and only
those (core/request_signals.py); the reference path keeps Django's as Django connects them."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import signals
from django.core.cache import close_caches
from django.core.handlers.base import reset_urlconf
from django.db import close_old_connections, connection, reset_queries

from tests.conftest import wsgi_call

MEMCACHED = {"BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache", "LOCATION": "127.0.0.1:11211"}


def connected(signal: Any, function: Any) -> bool:
    """Whether ``function`` receives ``signal``, asked through the public API (and left as it was)."""
    if signal.disconnect(function):
        signal.connect(function)
        return True
    return False


def djangos_own_stay():
    assert connected(signals.request_started, close_old_connections)
    assert connected(signals.request_finished, close_old_connections)
    assert connected(signals.request_finished, reset_urlconf)


@pytest.mark.fast_path
def test_the_fast_path_leaves_out_the_query_log_and_the_cache_closing(settings):
    settings.API_FAST_PATHS, settings.DEBUG = True, False
    assert not connected(signals.request_started, reset_queries)
    assert not connected(signals.request_finished, close_caches)
    djangos_own_stay()


def test_the_reference_path_keeps_django_s_receivers(settings):
    settings.API_FAST_PATHS = False
    assert connected(signals.request_started, reset_queries)
    assert connected(signals.request_finished, close_caches)
    djangos_own_stay()
    settings.API_FAST_PATHS = True  # and back: the switch is read anew when it changes
    assert not connected(signals.request_started, reset_queries)


def test_with_debug_on_the_query_log_is_emptied_each_request(settings):
    settings.DEBUG = True
    assert connected(signals.request_started, reset_queries)


def test_a_cache_backend_that_closes_keeps_close_caches(settings):
    settings.CACHES = {**settings.CACHES, "memcached": MEMCACHED}
    assert connected(signals.request_finished, close_caches)


@pytest.mark.django_db(transaction=True)  # the WSGI handler's request signals, as under gunicorn
@pytest.mark.parametrize("debug", [True, False])
def test_the_query_log_holds_one_request_at_most(settings, debug):
    """With DEBUG the log is emptied when a request starts (Django's receiver, kept); without,
    nothing is written to it, so there is nothing to empty."""
    settings.DEBUG = debug
    wsgi_call("GET", "/api/v1/~nobody/repos")  # an anonymous read: the owner's look-up, a 404
    first = len(connection.queries_log)
    wsgi_call("GET", "/api/v1/~nobody/repos")
    assert len(connection.queries_log) == first
    assert (first > 0) is debug

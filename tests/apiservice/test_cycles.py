"""A request's objects are freed when it ends, not left to the cyclic garbage collector
(apiservice/api/cycles.py): counted with ``gc.collect()`` around requests made through Django's
WSGI handler, as gunicorn makes them."""

import gc
import json
from typing import Any

import pytest
from django.core.handlers.wsgi import WSGIHandler

from tests.conftest import wsgi_call

CYCLES = "apiservice.api.cycles.ReleaseCyclesMiddleware"

pytestmark = pytest.mark.django_db(transaction=True)  # the key exchange commits, as under gunicorn


def garbage_left_by(handler, method, path, headers=None):
    """(status, objects in reference cycles that the request left behind)."""
    wsgi_call(method, path, headers, handler=handler)  # warm: first uses fill per-process caches
    gc.collect()
    gc.disable()
    try:
        status, _ = wsgi_call(method, path, headers, handler=handler)
        return status, gc.collect()
    finally:
        gc.enable()


@pytest.fixture
def bearer(api_key):
    handler = WSGIHandler()
    _, body = wsgi_call(
        "POST", "/api/v1/authenticate", body=json.dumps({"apiKey": api_key.secret}).encode(), handler=handler
    )
    headers = {"Authorization": f"Bearer {json.loads(body)['token']}"}
    status, _ = wsgi_call("POST", "/api/v1/repos", headers, b'{"name": "cyclic"}', handler=handler)
    assert status.startswith("201")
    return headers


READS = [("/api/v1/version", False), ("/api/v1/repos", True), ("/api/v1/repos/cyclic", True)]


@pytest.mark.parametrize(("path", "authenticated"), READS)
def test_a_read_leaves_nothing_for_the_garbage_collector(bearer, path, authenticated):
    status, garbage = garbage_left_by(WSGIHandler(), "GET", path, bearer if authenticated else None)
    assert status.startswith("200")
    assert garbage == 0


def test_without_the_middleware_the_same_read_leaves_a_ring_of_objects(bearer, settings):
    """What the middleware removes: DRF's view, request and response refer to each other."""
    assert settings.MIDDLEWARE[-1] == CYCLES  # innermost: the response is rendered by then
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if name != CYCLES]
    status, garbage = garbage_left_by(WSGIHandler(), "GET", "/api/v1/repos", bearer)
    assert status.startswith("200")
    assert garbage > 50  # the view, both requests, the response and the page's rows


def test_a_view_keeps_a_head_method_of_its_own():
    """Only Django's ``view.head = view.get`` (a bound self-reference) is removed."""
    from rest_framework.renderers import JSONRenderer
    from rest_framework.response import Response

    from apiservice.api.cycles import release_cycles

    class View:
        def get(self):
            return None

    class Elsewhere:
        def head(self):
            return None

    view: Any = View()
    other: Any = View()
    view.head, other.head = view.get, Elsewhere().head
    for each in (view, other):
        response: Any = Response({"ok": True})
        each.request = each.response = response
        response.accepted_renderer, response.accepted_media_type = JSONRenderer(), "application/json"
        response.renderer_context = {"view": each, "request": None, "response": response}
        response.render()
        release_cycles(response)
        assert response.renderer_context is None and "request" not in vars(each) and "response" not in vars(each)
    assert "head" not in vars(view) and "head" in vars(other)

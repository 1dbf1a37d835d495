"""The API's view base classes (core/views.py): every API view uses them, ``HEAD`` is answered
as Django answers it, and on the fast path a request's objects are freed when it ends, not by
the cyclic garbage collector. Counted with ``gc.collect()`` around requests made through
Django's WSGI handler, as gunicorn makes them."""

from __future__ import annotations

import gc
import json
from typing import Any

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.views import ApiView, ApiViewMixin
from tests.conftest import wsgi_call


def api_views() -> dict[str, type]:
    """Every DRF view class routed under ``/api/``, by route."""
    found: dict[str, type] = {}

    def walk(patterns: Any, prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                cls = getattr(pattern.callback, "cls", None) or getattr(pattern.callback, "view_class", None)
                if route.startswith("api/") and isinstance(cls, type) and issubclass(cls, APIView):
                    found[route] = cls

    walk(get_resolver().url_patterns, "")
    return found


def test_every_api_view_uses_the_base_classes():
    views = api_views()
    assert len(views) > 30  # the walk found the API
    assert {route: cls.__name__ for route, cls in views.items() if not issubclass(cls, ApiViewMixin)} == {}


def test_head_is_get_on_the_class_not_on_each_instance():
    class Reader(ApiView):
        def get(self, request):
            return Response({"read": "by get"})

    class Shouter(Reader):
        def get(self, request):
            return Response({"read": "by the subclass's get"})

    class OwnHead(ApiView):
        def get(self, request):
            return Response({})

        def head(self, request):
            return Response({"own": "head"})

    class Writer(ApiView):
        def post(self, request):
            return Response({})

    for view in (Reader(), Shouter(), OwnHead(), Writer()):
        view.setup(RequestFactory().get("/"))  # Django's View.setup: where ``self.head = self.get`` would be stored
        assert "head" not in vars(view)
    shouter: Any = Shouter()
    assert shouter.head(None).data == {"read": "by the subclass's get"}  # the subclass's get, dynamically
    assert OwnHead().head(None).data == {"own": "head"}
    assert not hasattr(Writer, "head")  # no GET, no HEAD: 405 and Allow as before
    assert "HEAD" in Reader().allowed_methods and "HEAD" not in Writer().allowed_methods


@pytest.mark.django_db
def test_head_answers_as_get_without_a_body(api_client, auth_headers):
    get = api_client.get("/api/v1/user", **auth_headers)
    head = api_client.head("/api/v1/user", **auth_headers)
    assert (get.status_code, head.status_code) == (200, 200)
    assert head.content == b""
    assert head["Content-Type"] == get["Content-Type"] and head["ETag"] == get["ETag"]
    refused = api_client.head("/api/v1/authenticate")  # POST only
    assert refused.status_code == 405
    assert "HEAD" not in refused["Allow"] and "POST" in refused["Allow"]


def garbage_left_by(handler: Any, method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b""):
    """(status, the objects in reference cycles that one request left behind)."""
    wsgi_call(method, path, headers, body, handler=handler)  # warm: first uses fill per-process caches
    gc.collect()
    gc.disable()
    try:
        status, _ = wsgi_call(method, path, headers, body, handler=handler)
        gc.set_debug(gc.DEBUG_SAVEALL)  # what the collector finds goes to gc.garbage, to be looked at
        gc.collect()
        return status, list(gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()


# What one request builds around its view: none of these may wait for the collector.
REQUEST_OBJECTS = (APIView, Request, HttpRequest, HttpResponseBase)


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


READS = [
    ("GET", "/api/v1/version", False, "200"),
    ("GET", "/api/v1/repos", True, "200"),
    ("GET", "/api/v1/repos/cyclic", True, "200"),
    ("HEAD", "/api/v1/repos/cyclic", True, "200"),
    ("GET", "/api/v1/repos/nope", True, "404"),
    ("GET", "/api/v1/repos", False, "401"),
    ("GET", "/api/v1/user/ssh-keys", True, "200"),
    ("GET", "/api/v1/user/audit-log", True, "200"),
]


@pytest.mark.fast_path
@pytest.mark.django_db(transaction=True)  # the key exchange commits, as under gunicorn
@pytest.mark.parametrize(("method", "path", "authenticated", "status"), READS)
def test_a_read_leaves_nothing_for_the_garbage_collector(bearer, method, path, authenticated, status):
    answered, garbage = garbage_left_by(WSGIHandler(), method, path, bearer if authenticated else None)
    assert answered.startswith(status)
    assert garbage == []


WRITES = [
    ("PUT", "/api/v1/repos/cyclic", b'{"description": "again"}', "200"),
    ("POST", "/api/v1/repos", b"{not json", "400"),
    ("POST", "/api/v1/repos", b'{"name": ""}', "400"),  # a field's rule
]


@pytest.mark.fast_path
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("method", "path", "body", "status"), WRITES)
def test_a_write_leaves_no_view_request_or_response_for_the_garbage_collector(bearer, method, path, body, status):
    """A write's serializer is a tree whose fields point to their parent (DRF's, left alone);
    the view, the requests and the response around it are freed when the request ends."""
    answered, garbage = garbage_left_by(WSGIHandler(), method, path, bearer, body)
    assert answered.startswith(status)
    assert [type(each).__name__ for each in garbage if isinstance(each, REQUEST_OBJECTS)] == []


@pytest.mark.fast_path
@pytest.mark.django_db(transaction=True)
def test_the_key_exchange_leaves_nothing_for_the_garbage_collector(api_key):
    body = json.dumps({"apiKey": api_key.secret}).encode()
    status, garbage = garbage_left_by(WSGIHandler(), "POST", "/api/v1/authenticate", None, body)
    assert status.startswith("200")
    assert garbage == []


@pytest.mark.django_db(transaction=True)
def test_the_reference_path_leaves_the_request_to_the_garbage_collector(bearer, settings):
    """What the fast path removes: DRF's request and response each sit in their own context."""
    settings.API_FAST_PATHS = False
    status, garbage = garbage_left_by(WSGIHandler(), "GET", "/api/v1/repos/cyclic", bearer)
    assert status.startswith("200")
    left = {type(each).__name__ for each in garbage if isinstance(each, REQUEST_OBJECTS)}
    assert left == {"RepositoryDetailView", "Request", "WSGIRequest", "Response"}

"""CORS (django-cors-headers) for the requests it is about, and ``/api/`` preflights answered by
the API pipeline, so they carry the rate-limit headers like every other answer there (§5.3).

Only a browser's cross-origin request (and its preflight) carries ``Origin``. For any other
request the library's whole answer is ``Vary: origin`` on the CORS paths, and its work to get
there (its settings read one by one, every header of the request copied into
``request.headers`` to look for the ``Origin`` that is not there: ~70,000 instructions a
request) buys nothing; so a request without ``Origin`` gets that ``Vary`` from Django's
``patch_vary_headers`` and a request with one goes through the library's middleware.

django-cors-headers answers a preflight (``OPTIONS`` with ``Access-Control-Request-Method``)
itself; under ``/api/`` it lets it go on to the pipeline instead, where the rate limiter only
*looks* at the caller's bucket (a browser sends a preflight before the request it then makes,
and that one is charged) and :func:`preflight` answers the empty ``200``. On the way out the
library adds its headers to that answer as it did to its own.

    OPTIONS /api/v1/repos            Origin: https://app.example
                                     Access-Control-Request-Method: POST
    -> 200, Content-Length: 0, Access-Control-Allow-*, X-RateLimit-* (nothing spent)

``tests/config/test_cors.py`` compares both kinds of request with the library's own answers.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from corsheaders.middleware import CorsMiddleware as LibraryCorsMiddleware
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.cache import patch_vary_headers

from core.context import ApiContext
from core.headers import API_PREFIX
from core.pipeline import Next

ACCESS_CONTROL_REQUEST_METHOD_META = "HTTP_ACCESS_CONTROL_REQUEST_METHOD"


def is_preflight(request: HttpRequest) -> bool:
    """A browser's CORS preflight (the Fetch standard's definition)."""
    return request.method == "OPTIONS" and ACCESS_CONTROL_REQUEST_METHOD_META in request.META


class PipelinePreflights(LibraryCorsMiddleware):
    """django-cors-headers, whose preflights under ``/api/`` the API pipeline answers."""

    def check_preflight(self, request: HttpRequest) -> HttpResponseBase | None:
        answer = super().check_preflight(request)
        if answer is not None and request.path_info.startswith(API_PREFIX):
            return None  # on to config.pipeline.ApiMiddleware: core.cors.preflight answers it
        return answer


class CorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.library = PipelinePreflights(get_response)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "HTTP_ORIGIN" in request.META:
            response: HttpResponse = self.library(request)  # type: ignore[assignment]
            return response
        response = self.get_response(request)
        if re.match(settings.CORS_URLS_REGEX, request.path_info):
            patch_vary_headers(response, ("origin",))
        return response


def preflight(request: HttpRequest, ctx: ApiContext, next: Next) -> HttpResponse:
    """The pipeline step: a preflight is answered here, after the rate limiter looked (and before
    the credential checks: a browser sends none with it), on any path, as django-cors-headers
    answers it."""
    if is_preflight(request):
        return HttpResponse(status=200)
    return next(ctx)

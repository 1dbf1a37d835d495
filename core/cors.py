"""CORS preflights under ``/api/`` answered by the API pipeline, so they carry the rate-limit
headers like every other answer there (§5.3), without being charged.

django-cors-headers answers a preflight (``OPTIONS`` with ``Access-Control-Request-Method``)
itself, before any other middleware; :class:`CorsMiddleware` lets those under ``/api/`` go on
to the pipeline, where the rate limiter only *looks* at the caller's bucket (a browser sends
a preflight before the request it then makes, and that one is charged) and :func:`preflight`
answers the empty ``200``. On the way out django-cors-headers adds its headers to that answer
as it did to its own (``Access-Control-Allow-Origin``, ``-Methods``, ``-Headers``, ``-Max-Age``).

    OPTIONS /api/v1/repos            Origin: https://app.example
                                     Access-Control-Request-Method: POST
    -> 200, Content-Length: 0, Access-Control-Allow-*, X-RateLimit-* (nothing spent)
"""

from __future__ import annotations

from corsheaders.middleware import CorsMiddleware as LibraryCorsMiddleware
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase

from core.context import ApiContext
from core.headers import API_PREFIX
from core.pipeline import Next

ACCESS_CONTROL_REQUEST_METHOD_META = "HTTP_ACCESS_CONTROL_REQUEST_METHOD"


def is_preflight(request: HttpRequest) -> bool:
    """A browser's CORS preflight (the Fetch standard's definition)."""
    return request.method == "OPTIONS" and ACCESS_CONTROL_REQUEST_METHOD_META in request.META


class CorsMiddleware(LibraryCorsMiddleware):
    """django-cors-headers, whose preflights under ``/api/`` the API pipeline answers."""

    def check_preflight(self, request: HttpRequest) -> HttpResponseBase | None:
        answer = super().check_preflight(request)
        if answer is not None and request.path_info.startswith(API_PREFIX):
            return None  # on to config.pipeline.ApiMiddleware: core.cors.preflight answers it
        return answer


def preflight(request: HttpRequest, ctx: ApiContext, next: Next) -> HttpResponse:
    """The pipeline step: a preflight is answered here, after the rate limiter looked (and before
    the credential checks: a browser sends none with it), on any path, as django-cors-headers
    answers it."""
    if is_preflight(request):
        return HttpResponse(status=200)
    return next(ctx)

"""django-cors-headers, run for the requests it is about: those with an ``Origin`` header.

Only a browser's cross-origin request (and its preflight) carries ``Origin``; for any other
request the library's whole answer is ``Vary: origin`` on the CORS paths, and its work to
get there (its settings read one by one, every header of the request copied into
``request.headers`` to look for the ``Origin`` that is not there: ~70,000 instructions a
request, more than any step of the API pipeline) buys nothing. So a request with
``Origin`` goes through the library's own middleware, unchanged; one without gets that
``Vary`` from Django's ``patch_vary_headers``. Both use only public API.
``tests/config/test_cors.py`` checks both kinds of request.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from corsheaders.middleware import CorsMiddleware as LibraryCorsMiddleware
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers


class CorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.library = LibraryCorsMiddleware(get_response)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "HTTP_ORIGIN" in request.META:
            response: HttpResponse = self.library(request)  # type: ignore[assignment]
            return response
        response = self.get_response(request)
        if re.match(settings.CORS_URLS_REGEX, request.path_info):
            patch_vary_headers(response, ("origin",))
        return response

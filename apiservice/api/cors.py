"""django-cors-headers, minus one cost on the request path.

Its ``add_response_headers`` reads ``request.headers.get("origin")``, and the first use of
``request.headers`` copies every header of the request into a new mapping (~16 us); since
content negotiation reads ``Accept`` from ``META`` (``apiservice.api.negotiation``), nothing
else on an ordinary API request builds that copy (issue #12; a test checks both). A request
without ``Origin`` (curl, the Go and Python clients, any server) gets what the library gives
it, ``Vary: origin`` and no CORS headers, without the copy; a request with one goes through
the library unchanged.
"""

from __future__ import annotations

from typing import Any

from corsheaders import middleware
from django.utils.cache import patch_vary_headers


class CorsMiddleware(middleware.CorsMiddleware):
    def add_response_headers(self, request: Any, response: Any) -> Any:
        if "HTTP_ORIGIN" in request.META:
            return super().add_response_headers(request, response)
        enabled = getattr(request, "_cors_enabled", None)
        if enabled is None:
            enabled = self.is_enabled(request)
        if enabled:  # the library's answer to a request without Origin
            patch_vary_headers(response, ("origin",))
        return response

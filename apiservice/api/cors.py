"""django-cors-headers, minus one cost on the request path.

Its ``add_response_headers`` reads ``request.headers.get("origin")``, and the first use of
``request.headers`` copies every header of the request into a new mapping; nothing else on
an ordinary API request needs that copy (issue #12). A request without ``Origin`` (curl, the
Go and Python clients, any server) gets what the library gives it, ``Vary: origin`` and no
CORS headers, without it; a request with one goes through the library unchanged.
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
        if enabled:
            patch_vary_headers(response, ("origin",))
        return response

"""DRF authentication that reads what :class:`auth.middleware.CredentialMiddleware` verified.

The middleware runs for every /api/ request (so the rate limiter knows the caller before
any view runs); this class hands its result to DRF as ``(request.user, request.auth)``.

    Authorization: Bearer <JWT or API key>
    Authorization: token <JWT or API key>
"""

from __future__ import annotations

from typing import Any

from rest_framework.authentication import BaseAuthentication

WWW_AUTHENTICATE = 'Bearer realm="api"'


class CredentialAuthentication(BaseAuthentication):
    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        resolved = getattr(request._request, "api_principal", None)
        if resolved is None:
            return None
        return resolved

    def authenticate_header(self, request: Any) -> str:
        return WWW_AUTHENTICATE

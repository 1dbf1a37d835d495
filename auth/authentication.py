"""DRF authentication that reads what :class:`auth.middleware.CredentialMiddleware` verified.

The middleware runs for every /api/ request (so the rate limiter knows the caller before
any view runs); this class hands its result to DRF as ``(request.user, request.auth)``,
or raises the 401 for a credential the middleware refused.

    Authorization: Bearer <JWT or API key>
    Authorization: token <JWT or API key>
"""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication

from apiservice.api.headers import WWW_AUTHENTICATE_VALUE


class CredentialAuthentication(BaseAuthentication):
    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        django_request = request._request
        error = getattr(django_request, "api_auth_error", None)
        if error:
            raise exceptions.AuthenticationFailed(error)
        return getattr(django_request, "api_principal", None)

    def authenticate_header(self, request: Any) -> str:
        return WWW_AUTHENTICATE_VALUE

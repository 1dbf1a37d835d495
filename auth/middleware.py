"""Resolves the ``Authorization`` header of /api/ requests (§2.4); filled by the credentials issue."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class CredentialMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.api_credential = None  # type: ignore[attr-defined]
        request.api_principal = None  # type: ignore[attr-defined]
        return self.get_response(request)

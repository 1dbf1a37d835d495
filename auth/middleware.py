"""Resolves the ``Authorization`` header of every /api/ request (§2.4), before any view runs.

    Authorization: Bearer <JWT, API key or OAuth access token>
    Authorization: token <JWT, API key or OAuth access token>      (what sourcehut clients send)

A JWT is verified with no I/O (signature, algorithm, expiry); an API key costs one
indexed query; an OAuth access token one indexed query the first time a process sees
it, none for the next ``OAUTH_CLAIMS_CACHE_SECONDS`` (:mod:`auth.oauth.tokens`). The
result goes on the request for the rate limiter (which checks revocation markers in its
single Redis round trip) and for DRF:

- ``request.api_credential``: the :class:`~auth.credentials.Credential`, or None;
- ``request.api_principal``: ``(user, credential)`` for DRF's authentication class;
- ``request.api_auth_error``: why a presented credential was refused. The request still
  goes through the rate limiter (as anonymous, so guessing is rate limited) and DRF then
  answers 401.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from apiservice.api.client import client_ip
from apiservice.api.headers import API_PREFIX
from auth.oauth.tokens import oauth_token_touch
from auth.services import InvalidCredential, api_key_touch, presented_credential

SCHEMES = frozenset({"bearer", "token"})


def parse_authorization(header: str) -> str:
    """The credential of ``Bearer x`` / ``token x``; InvalidCredential for anything else.

    ``Bearer Bearer x`` is ``x``: Swagger UI's *Authorize* box adds the scheme itself, so a
    user who pastes ``Bearer x`` there sends it twice.
    """
    scheme, _, value = header.strip().partition(" ")
    value = value.strip()
    if scheme.lower() not in SCHEMES:
        raise InvalidCredential("unsupported authorization scheme; use 'Bearer <token>' or 'token <token>'")
    repeated, _, rest = value.partition(" ")
    if repeated.lower() == "bearer" and scheme.lower() == "bearer":
        value = rest.strip()
    if not value or " " in value:
        raise InvalidCredential("malformed authorization header")
    return value


class CredentialMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.api_credential = None  # type: ignore[attr-defined]
        request.api_principal = None  # type: ignore[attr-defined]
        request.api_auth_error = None  # type: ignore[attr-defined]
        header = request.META.get("HTTP_AUTHORIZATION")
        if header is not None and request.path.startswith(API_PREFIX):
            self.resolve(request, header)
        return self.get_response(request)

    def resolve(self, request: HttpRequest, header: str) -> None:
        try:
            user, credential, api_key = presented_credential(parse_authorization(header))
        except InvalidCredential as exc:
            request.api_auth_error = str(exc)  # type: ignore[attr-defined]
            return
        request.api_credential = credential  # type: ignore[attr-defined]
        request.api_principal = (user, credential)  # type: ignore[attr-defined]
        if api_key is not None:
            api_key_touch(api_key=api_key, ip=client_ip(request))
        elif credential.kind == "oauth":
            oauth_token_touch(credential=credential, ip=client_ip(request))

"""The OAuth pages and endpoints, as thin subclasses of django-oauth-toolkit's views.

- ``/authorize``: the consent page naming the application and each scope. Approving
  redirects with ``code``; denying with ``error=access_denied``; for the out-of-band URI
  ``urn:ietf:wg:oauth:2.0:oob`` the code is shown on a page to copy.
- ``/api/v1/oauth/token`` and ``/api/v1/oauth/revoke`` (RFC 7009): in the ``oauth-token``
  and ``oauth-revoke`` rate-limit scopes, per client id and address, which fail closed.
- ``/.well-known/oauth-authorization-server`` (RFC 8414).

Signing in (``/login``, ``/logout``) is the account portal's (``portal/views/signin.py``),
which uses :func:`form_action` and :func:`registered_redirect_origin` from here.

The pages' ``Content-Security-Policy`` (``core/csp.py``) lets forms post to this
origin only, and browsers hold the redirects that follow a form's POST to it as well: the
consent page, and a sign-in page on the way to it, also name the origin of the
application's registered redirect URI (``form_action``). Its POSTs are rate limited per
address with django-ratelimit (``API_AUTH["LOGIN_RATE"]``).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from typing import Any, cast
from urllib.parse import parse_qs, parse_qsl, unquote_plus, urlencode, urlsplit, urlunsplit

from csp.decorators import csp_update
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse
from django.utils.decorators import method_decorator
from django.views import View
from django_ratelimit.decorators import ratelimit
from oauth2_provider import views as dot_views
from oauth2_provider.models import get_application_model
from oauth2_provider.settings import oauth2_settings

from auth.conf import auth_settings
from auth.oauth.scopes import describe
from auth.oauth.services import OOB_URI


def login_rate(group: str, request: HttpRequest) -> str:
    return auth_settings().LOGIN_RATE


# scheme://host[:port] as a CSP source; anything else (the OOB URN, a stray character) is not named
ORIGIN = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]+)?|https?://\[[0-9A-Fa-f:.]+\](:[0-9]+)?")


def redirect_origin(uri: str | None) -> str | None:
    """``https://ci.example/cb?x=1`` -> ``https://ci.example``; ``None`` for the OOB URN."""
    if not uri:
        return None
    parts = urlsplit(uri)
    origin = f"{parts.scheme}://{parts.netloc}"
    return origin if ORIGIN.fullmatch(origin) else None


def registered_redirect_origin(authorize_url: str) -> str | None:
    """The origin an ``/authorize?...`` URL would send the browser back to, if its client registered it."""
    parts = urlsplit(authorize_url)
    if parts.path.rstrip("/") != reverse("oauth-authorize").rstrip("/"):
        return None
    query = parse_qs(parts.query)
    client_id, redirect_uri = (query.get("client_id") or [""])[0], (query.get("redirect_uri") or [""])[0]
    application = get_application_model().objects.filter(client_id=client_id).first() if client_id else None
    if application is None:
        return None
    if not redirect_uri:  # allowed when exactly one is registered: that one
        registered = application.redirect_uris.split()
        return redirect_origin(registered[0]) if len(registered) == 1 else None
    return redirect_origin(redirect_uri) if application.redirect_uri_allowed(redirect_uri) else None


def form_action(render: Callable[..., HttpResponse], origin: str | None) -> Callable[..., HttpResponse]:
    """``render`` whose page may also send its forms (and their redirects) to ``origin``."""
    if not origin:
        return render
    return cast(Callable[..., HttpResponse], csp_update({"form-action": [origin]})(render))


rate_limited = method_decorator(
    ratelimit(group="oauth-pages", key="ip", rate=login_rate, method="POST", block=True), name="dispatch"
)


NUL_REASON = "Null characters are not allowed."


def carries_nul(request: HttpRequest) -> bool:
    """Whether a parameter (query or form) or the Basic credential holds a NUL.

    django-oauth-toolkit looks every one of them up in PostgreSQL, which refuses a NUL
    with a ``DataError`` (its own guard, GH #1006, catches psycopg2's ``ValueError`` only).
    """
    for params in (request.GET, request.POST):
        for key, values in params.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                return True
    scheme, _, credential = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme == "Basic":
        try:
            decoded = base64.b64decode(credential.strip())
        except (binascii.Error, ValueError):
            return False  # not ours to judge: the library answers invalid_client
        return b"\x00" in decoded or "\x00" in unquote_plus(decoded.decode("utf-8", "replace"))
    return False


def with_issuer(uri: str, issuer: str) -> str:
    """``uri`` with RFC 9207's ``iss`` in its query, once: every authorization response names
    its issuer, the errors too (django-oauth-toolkit adds it to a success only).

    >>> with_issuer("https://ci.example/cb?error=access_denied&state=xyz", "https://api.example")
    'https://ci.example/cb?error=access_denied&state=xyz&iss=https%3A%2F%2Fapi.example'
    """
    parts = urlsplit(uri)
    query = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True) if key != "iss"]
    return urlunsplit(parts._replace(query=urlencode([*query, ("iss", issuer)])))


class RefusesNul:
    """Answers a request that :func:`carries_nul` with a 400 before the library sees it:
    ``invalid_request`` (RFC 6749 §5.2) at the token endpoints, a plain 400 page elsewhere."""

    oauth_error_body = False

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if carries_nul(request):
            if self.oauth_error_body:
                return JsonResponse({"error": "invalid_request", "error_description": NUL_REASON}, status=400)
            return HttpResponseBadRequest(NUL_REASON, content_type="text/plain; charset=utf-8")
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class KeepsOpener:
    """Pages a client may open in a popup (Swagger UI's *Authorize* does).

    Django's default ``Cross-Origin-Opener-Policy: same-origin`` would cut the popup off
    from the window that opened it, so the callback page could not hand the code back.
    Framing stays forbidden (``X-Frame-Options: DENY``).
    """

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        response["Cross-Origin-Opener-Policy"] = "unsafe-none"
        return response


@rate_limited
class AuthorizationView(RefusesNul, KeepsOpener, dot_views.AuthorizationView):
    """django-oauth-toolkit's consent flow with this service's page and the out-of-band code page."""

    template_name = "auth/oauth/authorize.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["scope_items"] = [(scope, describe(scope)) for scope in context.get("scopes", [])]
        return context

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        # The consent page: its answer redirects to the redirect URI that oauthlib validated.
        origin = redirect_origin(context.get("redirect_uri")) if "form" in context else None
        return form_action(super().render_to_response, origin)(context, **kwargs)

    def redirect(self, redirect_to: str, application: Any) -> HttpResponse:
        if redirect_to.startswith(OOB_URI):
            query = parse_qs(urlsplit(redirect_to).query)
            context = {
                "application": application,
                "code": (query.get("code") or [""])[0],
                "error": (query.get("error") or [""])[0],
            }
            response = render(self.request, "auth/oauth/oob.html", context)
            response["Cache-Control"] = "no-store"
            return response
        return super().redirect(
            with_issuer(redirect_to, oauth2_settings.oauth2_authorization_server_issuer(self.request)), application
        )


class TokenView(RefusesNul, dot_views.TokenView):
    """``POST /api/v1/oauth/token``: ``authorization_code`` (with the PKCE verifier) and ``refresh_token``."""

    oauth_error_body = True
    oauth_errors = True  # every error in RFC 6749's shape, the pipeline's own too (auth.oauth.steps)

    rate_limit_scopes = {"POST": "oauth-token"}  # per client id and address
    ERROR_HEADERS = {"Content-Type": "application/json", "Cache-Control": "no-store", "Pragma": "no-cache"}

    def create_token_response(self, request: HttpRequest) -> tuple[Any, dict[str, str], str, int]:
        """django-oauth-toolkit's, with an error's JSON headers where oauthlib leaves them out.

        oauthlib gives them to the errors of its checks, not to one raised while saving the
        tokens (a code spent by a concurrent exchange, :meth:`auth.oauth.validator.Validator.save_bearer_token`),
        which would otherwise go out as HTML (RFC 6749 §5.2 asks for JSON, uncached).
        """
        url, headers, body, status = super().create_token_response(request)
        if status >= 400:
            headers = {**self.ERROR_HEADERS, **headers}
        return url, headers, body, status


class RevokeTokenView(RefusesNul, dot_views.RevokeTokenView):
    """``POST /api/v1/oauth/revoke`` (RFC 7009): an access or refresh token, by its client."""

    oauth_error_body = True
    oauth_errors = True

    rate_limit_scopes = {"POST": "oauth-revoke"}  # per client id and address


ENDPOINT_NAMES = {"authorize": "oauth-authorize", "token": "oauth-token", "revoke-token": "oauth-revoke"}


class ServerMetadataView(dot_views.OAuthServerMetadataView):
    """RFC 8414 metadata naming this service's endpoints (django-oauth-toolkit's, re-pointed)."""

    def _get_endpoint_url(self, request: HttpRequest, view_name: str, required: bool = False) -> str | None:
        name = ENDPOINT_NAMES.get(view_name)
        if name is None:
            return None
        try:
            return request.build_absolute_uri(reverse(name))
        except NoReverseMatch:
            if required:
                raise
            return None

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().get(request, *args, **kwargs)
        response["Cache-Control"] = "public, max-age=300"
        return response


class SwaggerCallbackView(View):
    """``/api/v1/oauth2-redirect.html``: Swagger UI's OAuth callback, served beside the docs page.

    The sidecar's own page redirected to as a static file would carry the default
    ``Cross-Origin-Opener-Policy: same-origin`` and lose ``window.opener``, so the code
    could not reach the docs page; this serves the same script without that header.
    """

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        script = static("drf_spectacular_sidecar/swagger-ui-dist/oauth2-redirect.js")
        html = f'<!doctype html>\n<html lang="en"><head><title>Signing in</title></head>\n<body><script src="{script}"></script></body></html>\n'
        response = HttpResponse(html)
        response["Cross-Origin-Opener-Policy"] = "unsafe-none"
        response["Cache-Control"] = "no-store"
        return response

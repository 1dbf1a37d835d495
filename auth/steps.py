"""The API pipeline's two credential steps (``config/pipeline.py`` orders them).

- :func:`authenticate`: who is calling. Reads ``Authorization`` (§2.4): a JWT is verified
  with no I/O, an API key costs one indexed query, an OAuth access token one query the
  first time a process sees it. A refused credential is noted (``ctx.auth_error``), not
  answered yet: the rate limiter counts the attempt as anonymous first, so guessing is
  rate limited.
- :func:`authorize`: may they. Runs after the rate limiter (which also checked the
  credential's revocation markers) and before anything that could answer from storage
  (an idempotent replay): a refused credential is a 401, a missing one a 401 unless the
  route serves anonymous callers, a missing scope a 403 naming it (§2.6).

    Authorization: Bearer <JWT, API key or OAuth access token>
    Authorization: token <JWT, API key or OAuth access token>      (what sourcehut clients send)
    Authorization: HangarAuth <JWT>                                 (what Hangar's clients send)
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from auth import sessions
from auth.oauth.tokens import oauth_token_touch
from auth.scopes import grants
from auth.services import InvalidCredential, api_key_touch, presented_credential
from core.client import client_ip
from core.context import ApiContext
from core.errors import json_error
from core.headers import WWW_AUTHENTICATE_VALUE
from core.pipeline import Next

# Three spellings of one scheme (§2.4): RFC 6750's, sourcehut's and Hangar's. Any of them
# carries any credential; HangarAuth is documented for JWTs, as Hangar's server takes it.
SCHEMES = frozenset({"bearer", "token", "hangarauth"})
AUTHENTICATION_REQUIRED = "authentication required: send Authorization: Bearer <token or API key>"
CSRF_REFUSED = "a signed-in browser's change needs the CSRF token (X-CSRFToken)"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def parse_authorization(header: str) -> str:
    """The credential of ``Bearer x`` / ``token x`` / ``HangarAuth x``; InvalidCredential for anything else.

    ``Bearer Bearer x`` is ``x``: Swagger UI's *Authorize* box adds the scheme itself, so a
    user who pastes ``Bearer x`` there sends it twice.
    """
    scheme, _, value = header.strip().partition(" ")
    value = value.strip()
    if scheme.lower() not in SCHEMES:
        raise InvalidCredential(
            "unsupported authorization scheme; use 'Bearer <token>', 'token <token>' or 'HangarAuth <jwt>'"
        )
    repeated, _, rest = value.partition(" ")
    if repeated.lower() == "bearer" and scheme.lower() == "bearer":
        value = rest.strip()
    if not value or " " in value:
        raise InvalidCredential("malformed authorization header")
    return value


def needed_scope(required: str | None, method: str) -> str | None:
    """``"repos"`` -> ``repos:read`` for safe methods, ``repos:write`` for others; a scope with
    a colon as is; None where the route needs none."""
    if required is None or ":" in required:
        return required
    return f"{required}:{'read' if method in SAFE_METHODS else 'write'}"


def authenticate(request: HttpRequest, ctx: ApiContext, next: Next) -> HttpResponse:
    header = request.META.get("HTTP_AUTHORIZATION")
    if ctx.route is not None and not ctx.route.api_credentials:
        return next(ctx)
    if header is None:
        return next(from_session(request, ctx)) if sessions.has_session_cookie(request) else next(ctx)
    try:
        user, credential, api_key = presented_credential(parse_authorization(header))
    except InvalidCredential as exc:
        return next(ctx._replace(auth_error=exc.reason))
    if api_key is not None:
        api_key_touch(api_key=api_key, ip=client_ip(request))
    elif credential.kind == "oauth":
        oauth_token_touch(credential=credential, ip=client_ip(request))
    return next(ctx._replace(credential=credential, user=user))


def from_session(request: HttpRequest, ctx: ApiContext) -> ApiContext:
    """A signed-in person in a browser (auth/sessions.py); a change needs the CSRF token."""
    user = sessions.session_user(request)
    if user is None:
        return ctx
    if sessions.csrf_refusal(request) is not None:
        return ctx._replace(auth_error=CSRF_REFUSED, auth_status=403)
    return ctx._replace(credential=sessions.session_credential(user), user=user)


def unauthorized(reason: str) -> HttpResponse:
    return json_error(401, reason, WWW_Authenticate=WWW_AUTHENTICATE_VALUE)


def authorize(request: HttpRequest, ctx: ApiContext, next: Next) -> HttpResponse:
    route = ctx.route
    if route is None or not route.api_credentials:  # a 404, or a view that checks its callers itself
        return next(ctx)
    if ctx.auth_error is not None:
        return unauthorized(ctx.auth_error) if ctx.auth_status == 401 else json_error(ctx.auth_status, ctx.auth_error)
    method = request.method or ""
    if ctx.credential is None:
        if route.anonymous_allowed(method):
            return next(ctx._replace(authorized=True))
        return unauthorized(AUTHENTICATION_REQUIRED)
    scope = needed_scope(route.required_scope, method)
    if scope is not None and not grants(ctx.credential.scopes, scope):
        return json_error(403, f"this credential lacks the {scope} scope")
    return next(ctx._replace(authorized=True))

"""The API pipeline's rate-limit step (§5): one Redis round trip counts the request and checks
the credential's revocation markers, before the route's scope is looked at.

A CORS preflight is only looked at (cost 0) and never refused: its answer carries the
headers, and the request the browser sends after it is the one charged.

A revoked credential is a 401, an exhausted limit a 429 with ``Retry-After``; with Redis
down, fail-closed scopes (``authenticate``, ``apikey-create``) are a 503 and the others pass
unlimited. Every answer that went through the limiter carries its headers.

A read that names the entity tags it holds (``If-None-Match: "9b2f..."``, §1.12) is counted
in the generous ``revalidation`` scope, and its own scope is only looked at (cost 0, still
a 429 when nothing is left), in the same round trip; after the view it is charged there
too unless the answer is a 304. So a 304 for a tag the client had costs no read quota, and
no request class is unmetered: once the revalidation scope is spent, such reads are charged
like any other. ``If-None-Match: *`` and ``If-Modified-Since`` (which a client can send
knowing nothing) are charged like any read.
"""

from __future__ import annotations

import base64
import binascii
from urllib.parse import unquote_plus

from django.http import HttpRequest, HttpResponse
from django.utils.http import parse_etags

from core.client import client_ip
from core.context import ApiContext, Limit
from core.cors import is_preflight
from core.errors import RETRY_AFTER_SECONDS, json_error
from core.headers import AUTHORIZATION, IF_NONE_MATCH, WWW_AUTHENTICATE_VALUE, meta_key
from core.pipeline import Next
from ratelimit import conf, headers, services
from ratelimit.services import Caller, Outcome

NOT_MODIFIED = 304
IF_NONE_MATCH_META = meta_key(IF_NONE_MATCH)
AUTHORIZATION_META = meta_key(AUTHORIZATION)
READS = frozenset({"GET", "HEAD"})


def names_entity_tags(request: HttpRequest) -> bool:
    """A GET/HEAD whose ``If-None-Match`` lists entity tags (not ``*``): a 304 to it proves the
    client held the current representation."""
    header = request.META.get(IF_NONE_MATCH_META)
    if header is None or request.method not in READS:
        return False
    tags = parse_etags(header)
    return bool(tags) and "*" not in tags


def limit_of(outcome: Outcome) -> Limit | None:
    decision = outcome.decision
    if decision is None or decision.revoked:
        return None
    return Limit(
        outcome.scope.name, outcome.scope.policy.period, decision.capacity, decision.remaining, decision.reset_after_ms
    )


def refusal(outcome: Outcome) -> HttpResponse | None:
    """The answer for a request the limiter refuses, or None to go on."""
    decision = outcome.decision
    if decision is None:
        if outcome.scope.fail_closed:
            return json_error(503, "rate limiter unavailable; try again shortly", Retry_After=RETRY_AFTER_SECONDS)
        return None
    if decision.revoked:
        return json_error(401, "credential revoked", WWW_Authenticate=WWW_AUTHENTICATE_VALUE)
    if not decision.allowed:
        wait = max(1, headers.seconds(decision.retry_after_ms))
        scope = outcome.scope.name
        return json_error(429, f"rate limit exceeded for {scope}; retry in {wait} s", Retry_After=str(wait))
    return None


def client_id_of(request: HttpRequest) -> str | None:
    """The OAuth client a token or revocation request names (RFC 6749 §2.3.1): the user name of
    its HTTP Basic credential, else ``client_id`` in its form body. Unverified: the endpoint
    authenticates the client afterwards; here it only picks a bucket."""
    scheme, _, credential = request.META.get(AUTHORIZATION_META, "").partition(" ")
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(credential.strip(), validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            return None
        return unquote_plus(decoded.partition(":")[0]) or None
    value = request.POST.get("client_id") if request.method == "POST" else None
    return value or None


def rate_limit(request: HttpRequest, ctx: ApiContext, next: Next) -> HttpResponse:
    caller = Caller(ctx.credential, client_ip(request))
    if not conf.enabled():
        if services.revoked(caller):  # limits off, revocation still holds
            return json_error(401, "credential revoked", WWW_Authenticate=WWW_AUTHENTICATE_VALUE)
        return next(ctx)
    scope = services.request_scope(caller, request.method or "", ctx.route)
    if scope.by == "client":
        caller = caller._replace(client_id=client_id_of(request))
    if is_preflight(request):  # a CORS preflight: looked at, never charged nor refused (core/cors.py)
        looked = services.rate_limit_hit(caller=caller, scope=scope, cost=0)
        return with_headers(next(ctx._replace(limit=limit_of(looked))), looked)
    outcome, deferred = decide(request, caller, scope)
    refused = refusal(outcome)
    if refused is not None:
        return with_headers(refused, outcome)
    response = next(ctx._replace(limit=limit_of(outcome)))
    if deferred and response.status_code != NOT_MODIFIED:  # not a 304 after all: a read like any other
        charged = services.rate_limit_hit(caller=caller, scope=scope)
        if charged.decision is not None and not charged.decision.revoked:
            outcome = charged
    return with_headers(response, outcome)


def decide(request: HttpRequest, caller: Caller, scope: conf.Scope) -> tuple[Outcome, bool]:
    """``(outcome, charge after the view unless it is a 304)``: one round trip either way."""
    if not names_entity_tags(request):
        return services.rate_limit_hit(caller=caller, scope=scope), False
    looked, revalidated = services.rate_limit_revalidation(caller=caller, scope=scope)
    decision = looked.decision
    if decision is None or decision.revoked:
        return looked, False
    within = revalidated.decision is None or revalidated.decision.allowed
    if within and (decision.exempt or decision.remaining >= 1):
        return looked, True
    # past the revalidation bound, or nothing left to defer against: charged (or refused,
    # with the exact Retry-After) now, like any read
    return services.rate_limit_hit(caller=caller, scope=scope), False


def with_headers(response: HttpResponse, outcome: Outcome) -> HttpResponse:
    limit = limit_of(outcome)
    if limit is not None:
        for name, value in headers.values(limit).items():
            response[name] = value
    return response

"""Conditional requests (§1.12): ETags on reads, 304 for an unchanged one, 412 for a stale write.

    GET /api/v1/repos/hello                                  -> 200  ETag: "9b2f...", Last-Modified: ...
    GET /api/v1/repos/hello   If-None-Match: "9b2f..."       -> 304  (no body, no rate-limit quota)
    PUT /api/v1/repos/hello   If-Match: "9b2f..."            -> 200, or 412 if it changed meanwhile

The ETag is strong: a hash of the bytes of the rendered 200 body, so it needs no query
and no knowledge of the resource, and each representation (JSON, YAML, ``?fields=``) has
its own. ``Last-Modified`` comes from the resource's ``updated`` field where it has one.
``If-None-Match`` uses the weak comparison (RFC 9110 §13.1.2) and wins over
``If-Modified-Since``. The view still runs for a 304: what a client saves is the body and,
in :mod:`ratelimit.middleware`, the quota.

``If-Match`` on PUT/DELETE is checked against the ETag of the current representation,
found by dispatching a GET of the same URL (same credential and ``Accept``, no query
string) to the same view. The check and the write run in one transaction under an
advisory lock on the path, so of two writers that send the same ETag in ``If-Match`` only
one passes: the second sees the first one's change and gets its 412. A URL whose GET is not a 200 (absent,
or no GET at all) is left to the view. No models: the lock is a plain SQL call.
"""

from __future__ import annotations

import copy
import hashlib
from datetime import datetime

from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified, QueryDict
from django.utils.http import http_date, parse_etags, parse_http_date_safe

from core.context import ApiContext, Route, enter
from core.errors import json_error
from core.headers import (
    CONTENT_LENGTH,
    CONTENT_TYPE,
    ETAG,
    IF_MATCH,
    IF_MODIFIED_SINCE,
    IF_NONE_MATCH,
    LAST_MODIFIED,
    meta_key,
)
from core.pipeline import Next

READ_METHODS = frozenset({"GET", "HEAD"})
IF_NONE_MATCH_META, IF_MODIFIED_SINCE_META, IF_MATCH_META = map(meta_key, (IF_NONE_MATCH, IF_MODIFIED_SINCE, IF_MATCH))
GUARDED_METHODS = frozenset({"PUT", "PATCH", "DELETE"})
# Representation metadata a 304 leaves out (RFC 9110 §15.4.5). Content-Length stays: in a
# 304 it must be the length of the 200's body or absent (§8.6), and left out, Django's
# CommonMiddleware would add a wrong "0".
NOT_FOR_304 = frozenset({CONTENT_TYPE.lower()})


def etag_of(content: bytes) -> str:
    """A strong ETag for ``content``: 128 bits of BLAKE2b, quoted.

    >>> etag = etag_of(b'{"version": "0.1.0"}')
    >>> len(etag), etag[0], etag[-1]
    (34, '"', '"')
    """
    return '"' + hashlib.blake2b(content, digest_size=16).hexdigest() + '"'


def _opaque(tag: str) -> str:
    return tag.removeprefix("W/")


def none_match(header: str, etag: str) -> bool:
    """``If-None-Match`` names ``etag`` (weak comparison: ``W/"x"`` matches ``"x"``), or is ``*``."""
    tags = parse_etags(header)
    return "*" in tags or any(_opaque(tag) == _opaque(etag) for tag in tags)


def match(header: str, etag: str) -> bool:
    """``If-Match`` names ``etag`` (strong comparison: a weak tag never matches), or is ``*``."""
    tags = parse_etags(header)
    return "*" in tags or any(tag == etag and not tag.startswith("W/") for tag in tags)


def is_conditional_read(request: HttpRequest) -> bool:
    """A GET/HEAD that may be answered 304; the rate limiter charges it only if it is not."""
    meta = request.META
    return request.method in READ_METHODS and (IF_NONE_MATCH_META in meta or IF_MODIFIED_SINCE_META in meta)


def last_modified_of(response: HttpResponse) -> int | None:
    """Unix seconds of the ``updated`` field of the object a view returned, if it has one."""
    data = getattr(response, "data", None)
    updated = data.get("updated") if isinstance(data, dict) else None
    if not isinstance(updated, str):
        return None
    try:
        return int(datetime.fromisoformat(updated).timestamp())
    except ValueError:
        return None


def not_modified(request: HttpRequest, etag: str, last_modified: int | None) -> bool:
    if not is_conditional_read(request):
        return False
    if IF_NONE_MATCH_META in request.META:
        return none_match(request.META[IF_NONE_MATCH_META], etag)
    since = parse_http_date_safe(request.META.get(IF_MODIFIED_SINCE_META, ""))
    return since is not None and last_modified is not None and last_modified <= since


def not_modified_response(response: HttpResponse) -> HttpResponse:
    """The 304 for ``response``: no body, its headers (ETag, Link, Vary, ...) but its Content-Type."""
    result = HttpResponseNotModified()
    for name, value in response.items():
        if name.lower() not in NOT_FOR_304:
            result[name] = value
    result[CONTENT_LENGTH] = str(len(response.content))
    return result


def path_lock_id(path: str) -> int:
    """A signed 64-bit PostgreSQL advisory lock id for ``path``."""
    digest = hashlib.blake2b(f"if-match:{path.rstrip('/')}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def current_etag(request: HttpRequest, ctx: ApiContext, route: Route) -> str | None:
    """The ETag a plain GET of this URL would carry now, or None when that GET is not a 200."""
    probe = copy.copy(request)
    probe.method = "GET"
    probe.META = {**request.META, "REQUEST_METHOD": "GET", "QUERY_STRING": ""}
    for name in ("CONTENT_LENGTH", "CONTENT_TYPE"):
        probe.META.pop(name, None)
    probe.GET = QueryDict()
    enter(ctx)
    response = route.func(probe, *route.args, **route.kwargs)
    if hasattr(response, "render"):
        response = response.render()
    if response.status_code != 200 or response.streaming:
        return None
    return etag_of(response.content)


def with_validators(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """A 200 read gets its ``ETag`` (and ``Last-Modified``), or becomes a 304 if the client has it."""
    if response.status_code != 200 or response.streaming:
        return response
    etag = response.get(ETAG) or etag_of(response.content)
    response[ETAG] = etag
    last_modified = last_modified_of(response)
    if last_modified is not None:
        response[LAST_MODIFIED] = http_date(last_modified)
    if not_modified(request, etag, last_modified):
        return not_modified_response(response)
    return response


def conditional(request: HttpRequest, ctx: ApiContext, next: Next) -> HttpResponse:
    """The API pipeline's step: validators and 304 on reads, 412 for a stale ``If-Match`` on writes.

    The rate-limit step, outside this one, adds its headers to the 304 made here and, for a
    read that named its entity tags, charges nothing for it.
    """
    if request.method in READ_METHODS:
        return with_validators(request, next(ctx))
    if request.method not in GUARDED_METHODS or IF_MATCH_META not in request.META or ctx.route is None:
        return next(ctx)
    with transaction.atomic():  # the check and the write, together
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [path_lock_id(request.path)])
        etag = current_etag(request, ctx, ctx.route)
        if etag is not None and not match(request.META[IF_MATCH_META], etag):
            return json_error(
                412, "the resource changed since you fetched it: If-Match does not match its current ETag", ETag=etag
            )
        response = next(ctx)
        if response.status_code >= 500:
            transaction.set_rollback(True)
    return response

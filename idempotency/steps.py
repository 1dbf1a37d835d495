"""The API pipeline's idempotency step (§1.13), after the credential, the rate limit and the
route's scope have passed: a replay is answered only to a caller the route itself would serve.

A keyed write runs in one transaction with its claim and its stored answer (see
:mod:`idempotency.services`); before the conditional step, so a retried PUT replays its
first answer rather than failing its now-stale ``If-Match``.
"""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.db import transaction
from django.http import HttpRequest, HttpResponse

from core.client import client_ip
from core.context import ApiContext
from core.errors import STATUS_REASONS, json_error
from core.headers import RETRY_AFTER
from core.pipeline import Next
from idempotency.services import (
    IDEMPOTENCY_KEY_META,
    WRITE_METHODS,
    Claim,
    IdempotencyError,
    idempotency_begin,
    idempotency_replay,
    idempotency_store,
    parse_key,
    request_fingerprint,
)


def refused(exc: IdempotencyError) -> HttpResponse:
    return json_error(exc.status, exc.reason, exc.field, **({RETRY_AFTER: "1"} if exc.status == 409 else {}))


def idempotent(request: HttpRequest, ctx: ApiContext, next: Next) -> HttpResponse:
    credential = ctx.credential
    if (
        request.method not in WRITE_METHODS
        or IDEMPOTENCY_KEY_META not in request.META
        or credential is None  # anonymous requests ignore the header
        or ctx.route is None
    ):
        return next(ctx)
    try:
        key = parse_key(request.META[IDEMPOTENCY_KEY_META])
        fingerprint = request_fingerprint(request)
    except IdempotencyError as exc:
        return refused(exc)
    except RequestDataTooBig:
        return json_error(413, STATUS_REASONS[413])
    with transaction.atomic():
        try:
            begun = idempotency_begin(
                user_id=credential.user_id,
                family=credential.family,
                key=key,
                fingerprint=fingerprint,
                method=request.method or "",
                path=request.path,
            )
        except IdempotencyError as exc:
            return refused(exc)
        if not isinstance(begun, Claim):
            record, body = begun
            return idempotency_replay(record=record, body=body, user_id=credential.user_id, ip=client_ip(request))
        response = next(ctx)
        if 200 <= response.status_code < 300 and not response.streaming:
            idempotency_store(claim=begun, response=response)
        elif response.status_code >= 500:
            transaction.set_rollback(True)
    return response

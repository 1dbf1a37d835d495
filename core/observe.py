"""The outermost middleware, for every request (API, browser pages, static files): its id, its
access line and its metrics.

    X-Request-ID: 5f0c...                                             (on every response)
    2026-12-01T14:03:07.412Z INFO apiservice.access [5f0c...] GET /api/v1/keys 200 4.1ms user=7
    apiservice_http_requests_total{route="api-key-list",method="GET",status="200"} 1.0

The request id (:mod:`core.requestid`) and, for API requests, the pipeline's context are
current inside :func:`core.context.request_scope` for the whole request, so every log line
carries the id and the access line knows the caller.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from core.context import request_scope
from core.logging import log_access
from core.metrics import record_request, route_name
from core.requestid import REQUEST_ID_HEADER, REQUEST_ID_META, accepted_request_id


class ObserveMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = accepted_request_id(request.META.get(REQUEST_ID_META))
        started = time.perf_counter()
        with request_scope(request_id):
            response = self.get_response(request)
            elapsed = time.perf_counter() - started
            log_access(request, response, round(elapsed * 1000, 1))
        response[REQUEST_ID_HEADER] = request_id
        record_request(
            route=route_name(request), method=request.method or "", status=response.status_code, seconds=elapsed
        )
        return response

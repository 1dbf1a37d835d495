"""The API pipeline's first step: the OAuth endpoints answer every error in RFC 6749's shape.

    {"error": "temporarily_unavailable", "error_description": "rate limit exceeded for oauth-token; retry in 36 s"}

A view that speaks OAuth to its callers (the token and revocation endpoints) declares
``oauth_errors = True``. This step runs outside every other (``config/pipeline.py``), so
what the steps after it answer themselves (a 429 or 503 of the rate limiter), and what the
view or Django answers (a 405, a 413, a 500), reaches such a client in the shape its
library reads as an error (§2.8), with its status and headers (``Retry-After``, the
rate-limit headers) kept. Every other route is passed through untouched.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from core.context import ApiContext
from core.errors import exception_response, in_error_shape, in_oauth_error_shape
from core.pipeline import Next


def oauth_errors(request: HttpRequest, ctx: ApiContext, next: Next) -> HttpResponse:
    if ctx.route is None or not ctx.route.declared("oauth_errors", False):
        return next(ctx)
    try:
        response = next(ctx)
    except Exception as exc:  # a step's own failure, answered here as the pipeline would
        response = in_error_shape(exception_response(request, exc))
    return in_oauth_error_shape(response)

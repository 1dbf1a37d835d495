"""The order of the API pipeline: every request under ``/api/`` takes these steps, in this order.

    request id, access line, metrics       core.observe.ObserveMiddleware (every request)
    0. errors in OAuth's shape?             auth.oauth.steps.oauth_errors (token and revoke endpoints)
    1. who is calling                       auth.steps.authenticate
    2. revoked? within the rate limit?      ratelimit.steps.rate_limit    (one Redis round trip)
    3. a CORS preflight?                    core.cors.preflight           (200, its rate-limit headers, nothing spent)
    4. may they, on this route              auth.steps.authorize          (401 / 403)
    5. are the path's ids well formed?      core.routing.well_formed_ids  (400 naming the id)
    6. a retry of an earlier write?         idempotency.steps.idempotent  (replay, or store the answer)
    7. a conditional request?               core.conditional.conditional  (ETag, 304, 412)
    then the view, with the context current (core.context.api_context())

Each step is a plain function of the request, the context so far and the rest of the
pipeline (:mod:`core.pipeline`). The order is this tuple; nothing else decides it.
"""

from __future__ import annotations

from auth.oauth.steps import oauth_errors
from auth.steps import authenticate, authorize
from core.conditional import conditional
from core.cors import preflight
from core.pipeline import Pipeline, PipelineMiddleware, Step
from core.routing import well_formed_ids
from idempotency.steps import idempotent
from ratelimit.steps import rate_limit

STEPS: tuple[Step, ...] = (
    oauth_errors,
    authenticate,
    rate_limit,
    preflight,
    authorize,
    well_formed_ids,
    idempotent,
    conditional,
)


class ApiMiddleware(PipelineMiddleware):
    """Every ``/api/`` request ends here: the steps above, then the view."""

    pipeline = Pipeline(STEPS)

"""The API pipeline: every request under ``/api/`` goes through one ordered sequence of steps.

    config.pipeline.STEPS = (authenticate, rate_limit, authorize, idempotent, conditional)

A step is a plain function ``step(request, ctx, next) -> HttpResponse`` (DRF's
``APIView.initial`` as a list): it reads the :class:`~core.context.ApiContext`, may answer
itself (a 401, a 429, a replayed answer) or call ``next(new_ctx)``, and may look at and
add to the response that comes back (rate-limit headers, an ETag). After the last step the
view runs with the final context current (:func:`core.context.api_context`). Which steps
run, in which order, is the tuple in ``config/pipeline.py``, nowhere else.

The middleware that runs it answers every ``/api/`` request itself: it resolves the URL,
runs the steps and the view, and returns, so the browser middleware after it in
``MIDDLEWARE`` (sessions, CSRF, messages) never sees an API request. Every answer is in
the error shape when it is an error (§1.7): an exception in a step or a view becomes a
503 for an outage, Django's 4xx for its own request errors, else a logged 500.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

from core.context import ApiContext, Route, current_request_id, enter
from core.errors import STATUS_REASONS, exception_response, in_error_shape, json_error
from core.headers import API_PREFIX, CONTENT_LENGTH

Next = Callable[[ApiContext], HttpResponse]
Step = Callable[[HttpRequest, ApiContext, Next], HttpResponse]


def resolve_route(request: HttpRequest) -> Route | None:
    """The view for the request's path (the URLconf Django would use), or None for no match."""
    try:
        match = resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return None
    drf_class = getattr(match.func, "cls", None)  # DRF's as_view(); Django's sets view_class
    view_class = drf_class or getattr(match.func, "view_class", None)
    return Route(
        match.func, tuple(match.args), match.kwargs, match.view_name or "", view_class, drf_class is not None, match
    )


def call_view(request: HttpRequest, ctx: ApiContext) -> HttpResponse:
    """The end of the pipeline: the view, with ``ctx`` current; its exceptions become answers
    here, so the steps still add their headers to them."""
    enter(ctx)
    route = ctx.route
    if route is None:
        return json_error(404, STATUS_REASONS[404])
    request.resolver_match = route.match  # as Django's handler sets it (metrics, DRF, spectacular read it)
    try:
        response = route.func(request, *route.args, **route.kwargs)
        if response is None:
            raise ValueError(f"the view {route.name} returned None instead of a response")
        render = getattr(response, "render", None)
        if callable(render):  # DRF's Response and TemplateResponses render on demand
            response = render()
    except Exception as exc:
        response = exception_response(request, exc)
    return in_error_shape(response)


class Pipeline:
    """``steps`` around :func:`call_view`, as one callable: ``Pipeline(STEPS)(request)``."""

    def __init__(self, steps: Sequence[Step]) -> None:
        self.steps = tuple(steps)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        ctx = ApiContext(request_id=current_request_id() or "-", route=resolve_route(request))
        try:
            response = self.run(0, request, ctx)
        except Exception as exc:  # a step's own failure (an outage, most likely)
            response = in_error_shape(exception_response(request, exc))
        if not response.streaming and CONTENT_LENGTH not in response:  # as CommonMiddleware would
            response[CONTENT_LENGTH] = str(len(response.content))
        return response

    def run(self, index: int, request: HttpRequest, ctx: ApiContext) -> HttpResponse:
        if index == len(self.steps):
            return call_view(request, ctx)
        return self.steps[index](request, ctx, lambda next_ctx: self.run(index + 1, request, next_ctx))


class PipelineMiddleware:
    """Answers every ``/api/`` request with ``pipeline``; hands anything else to the rest of
    ``MIDDLEWARE`` (the browser pages' middleware) and Django's own handler.

    Subclassed in the wiring, which names the steps::

        class ApiMiddleware(PipelineMiddleware):
            pipeline = Pipeline(STEPS)
    """

    pipeline: Pipeline

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(API_PREFIX):
            return self.pipeline(request)
        return self.get_response(request)

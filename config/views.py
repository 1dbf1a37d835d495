"""Service endpoints: the API root (§1.11), version (§1.10), health (§6.5) and the schema (§1.14).

The OpenAPI document takes about 0.3 s to generate and is 330 KB of YAML (720 KB
of JSON); :class:`SchemaView` builds it once per process for each format and version and
serves it gzip-compressed (12 KB and 22 KB).
"""

from __future__ import annotations

import time
from typing import Any, ClassVar

from django.conf import settings
from django.core.signals import setting_changed
from django.db import connection
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.templatetags.static import static
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.gzip import gzip_page
from drf_spectacular.utils import extend_schema, inline_serializer
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from core import caches
from core.errors import RETRY_AFTER_SECONDS, is_unavailable
from core.redis import get_redis
from core.views import ApiView, ApiViewMixin

# The links of the API root: its name -> the URL name of the route.
ROOT_LINKS = {
    "schema": "schema",
    "docs": "docs",
    "redoc": "redoc",
    "version": "version",
    "health": "health",
    "rate-limit": "rate-limit",
    "authenticate": "authenticate",
    "user": "user",
    "profile": "profile",
    "audit-log": "audit-log",
    "keys": "api-key-list",
    "ssh-keys": "ssh-key-list",
    "pgp-keys": "pgp-key-list",
    "repos": "repo-list",
    "webhooks": "webhook-list",
    "webhook-events": "webhook-events",
    "webhook-keys": "webhook-keys",
}


class ApiRootView(ApiView):
    """The resources of this API, each with its URL. No credential needed.

    Start with the [docs](/api/v1/docs): every route, with "Try it out". Then trade an API
    key for a token at `POST /api/v1/authenticate` and send it as
    `Authorization: Bearer <token>`.
    """

    name = "API root"  # the browsable page's title (DRF would say "Api Root")
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="api_root",
        tags=["service"],
        responses=inline_serializer(
            "ApiRoot",
            {
                "name": serializers.CharField(),
                "version": serializers.CharField(),
                "links": serializers.DictField(child=serializers.URLField()),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        links = {name: request.build_absolute_uri(reverse(url_name)) for name, url_name in ROOT_LINKS.items()}
        return Response(
            {"name": settings.SPECTACULAR_SETTINGS["TITLE"], "version": settings.API_VERSION, "links": links}
        )


def favicon(request: HttpRequest) -> HttpResponse:
    """``/favicon.ico`` for pages that name no icon (the admin): the static one, by its hashed name."""
    return HttpResponseRedirect(static("apiservice/favicon.ico"))


@method_decorator(gzip_page, name="dispatch")
class SchemaView(ApiViewMixin, SpectacularAPIView):
    """The OpenAPI document: YAML, or JSON with ``Accept: application/json`` or ``?format=json``.

    Rendered once per process for each (media type, version) and kept, since the routes
    cannot change while a process runs; compressed when the client accepts gzip (330 KB of
    YAML become 12 KB).
    """

    rendered: ClassVar[dict[tuple[str, str | None], tuple[str | bytes, str, str]]] = {}

    @extend_schema(exclude=True)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        renderer = request.accepted_renderer
        version = self.api_version or request.version or self._get_version_parameter(request)
        key = (renderer.media_type, version)
        if key not in self.rendered:
            response = super().get(request, *args, **kwargs)
            body = renderer.render(response.data, request.accepted_media_type, self.get_renderer_context())
            charset = f"; charset={renderer.charset}" if renderer.charset else ""
            self.rendered[key] = (body, renderer.media_type + charset, response["Content-Disposition"])
        body, content_type, disposition = self.rendered[key]
        return HttpResponse(body, content_type=content_type, headers={"Content-Disposition": disposition})


caches.register(
    "openapi-documents",
    holds="the rendered OpenAPI document, gzip-ready, per (media type, version)",
    bound="one per media type and API version",
    invalidation="emptied when any setting changes (the routes cannot change while a process runs)",
    clear=SchemaView.rendered.clear,
)


@receiver(setting_changed)
def forget_rendered_schemas(**kwargs: Any) -> None:
    """A test that changes settings (the URLs, the spectacular settings) gets a fresh document."""
    SchemaView.rendered.clear()


class SwaggerView(ApiViewMixin, SpectacularSwaggerView):
    """``/api/v1/docs``: drf-spectacular's Swagger UI page."""


class RedocView(ApiViewMixin, SpectacularRedocView):
    """``/api/v1/redoc``: drf-spectacular's Redoc page."""


class VersionView(ApiView):
    """``GET /api/v1/version`` -> ``{"version": "1.2.3"}``; the major number changes only on breaking changes."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="version",
        tags=["service"],
        responses=inline_serializer("Version", {"version": serializers.CharField()}),
    )
    def get(self, request: Request) -> Response:
        return Response({"version": settings.API_VERSION})


def _probe(check: Any) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        check()
    except Exception as exc:  # any failure is "down": the point is to report, not to raise
        if not is_unavailable(exc):
            raise
        return {"state": "down", "error": type(exc).__name__}
    return {"state": "up", "latency_ms": round((time.perf_counter() - started) * 1000, 2)}


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _check_redis() -> None:
    get_redis().ping()


def _check_broker() -> None:
    from config.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=0, timeout=settings.REDIS_SOCKET_TIMEOUT * 4)


class ServiceStateSerializer(serializers.Serializer):
    """One backing service's state: `up` with the check's latency, or `down` with the kind of failure."""

    state = serializers.ChoiceField(choices=["up", "down"])
    latency_ms = serializers.FloatField(required=False, help_text="when up: how long the check took")
    error = serializers.CharField(required=False, help_text="when down: the kind of failure")


def service_state() -> ServiceStateSerializer:
    """A new field each time: one serializer instance bound to three fields of a serializer is
    bound to the last of them only (the document listed ``broker`` alone, titled "Database")."""
    return ServiceStateSerializer()


class HealthView(ApiView):
    """``GET /api/v1/health`` for load balancers: 200 when every backing service is up, else 503."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="health",
        tags=["service"],
        responses={
            (200, "application/json"): inline_serializer(
                "Health",
                {
                    "status": serializers.ChoiceField(choices=["ok", "unavailable"]),
                    "database": service_state(),
                    "redis": service_state(),
                    "broker": service_state(),
                },
            ),
            (503, "application/json"): inline_serializer(
                "HealthUnavailable",
                {
                    "errors": serializers.ListField(child=serializers.DictField(child=serializers.CharField())),
                    "status": serializers.ChoiceField(choices=["ok", "unavailable"]),
                    "database": service_state(),
                    "redis": service_state(),
                    "broker": service_state(),
                },
            ),
        },
    )
    def get(self, request: Request) -> Response:
        checks = {"database": _probe(_check_database), "redis": _probe(_check_redis), "broker": _probe(_check_broker)}
        healthy = all(check["state"] == "up" for check in checks.values())
        if healthy:
            return Response({"status": "ok", **checks})
        # A 503 is an error like any other (§1.7): the errors list, then the states.
        errors = [{"reason": f"{name} is down"} for name, check in checks.items() if check["state"] != "up"]
        body = {"errors": errors, "status": "unavailable", **checks}
        return Response(body, status=503, headers={"Retry-After": RETRY_AFTER_SECONDS})

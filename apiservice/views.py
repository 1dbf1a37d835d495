"""Service endpoints: version (§1.10) and health (§6.5)."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.db import connection
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apiservice.api.middleware import RETRY_AFTER_SECONDS, is_unavailable
from apiservice.api.redis import get_redis


class VersionView(APIView):
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
    from apiservice.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=0, timeout=settings.REDIS_SOCKET_TIMEOUT * 4)


ServiceState = inline_serializer(
    "ServiceState",
    {
        "state": serializers.ChoiceField(choices=["up", "down"]),
        "latency_ms": serializers.FloatField(required=False),
        "error": serializers.CharField(required=False),
    },
)


class HealthView(APIView):
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
                    "database": ServiceState,
                    "redis": ServiceState,
                    "broker": ServiceState,
                },
            ),
            (503, "application/json"): inline_serializer(
                "HealthUnavailable",
                {
                    "errors": serializers.ListField(child=serializers.DictField(child=serializers.CharField())),
                    "status": serializers.ChoiceField(choices=["ok", "unavailable"]),
                    "database": ServiceState,
                    "redis": ServiceState,
                    "broker": ServiceState,
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

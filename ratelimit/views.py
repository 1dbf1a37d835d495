"""``GET /api/v1/rate-limit`` (§5.4) and the admin login's 429 page."""

from __future__ import annotations

import time
from typing import Any

from django.http import HttpRequest, HttpResponse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from core.client import client_ip
from core.context import api_context
from core.views import ApiView
from ratelimit import headers, services

ScopeStatus = inline_serializer(
    "RateLimitScope",
    {
        "scope": serializers.CharField(),
        "limit": serializers.IntegerField(help_text="requests a full bucket holds (sustained limit + burst)"),
        "duration": serializers.IntegerField(help_text="seconds over which the sustained limit refills"),
        "remaining": serializers.IntegerField(),
        "reset": serializers.IntegerField(help_text="unix time when the bucket is full again"),
        "reset_seconds": serializers.IntegerField(),
    },
)


class RateLimitView(ApiView):
    """Every scope that applies to the caller, with what is left of it. Looking costs nothing."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="rate_limit",
        tags=["service"],
        responses=inline_serializer("RateLimits", {"scopes": serializers.ListField(child=ScopeStatus)}),
    )
    def get(self, request: Request) -> Response:
        now = int(time.time())
        scopes = []
        context = api_context()
        caller = services.Caller(context.credential if context is not None else None, client_ip(request))
        for scope, decision in services.rate_limit_status(caller):
            reset_seconds = headers.seconds(decision.reset_after_ms)
            scopes.append(
                {
                    "scope": scope.name,
                    "limit": decision.capacity,
                    "duration": scope.policy.period,
                    "remaining": decision.remaining,
                    "reset": now + reset_seconds,
                    "reset_seconds": reset_seconds,
                }
            )
        return Response({"scopes": scopes})


def admin_login_limited(request: HttpRequest, exception: Any = None) -> HttpResponse:
    """django-ratelimit's view for a blocked admin login: a proper 429 page."""
    body = (
        "<!DOCTYPE html><html><head><title>Too many attempts</title></head><body>"
        "<h1>Too many login attempts</h1><p>Wait a minute and try again.</p></body></html>"
    )
    return HttpResponse(body, status=429, headers={"Retry-After": "60"})

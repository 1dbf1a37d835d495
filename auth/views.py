"""Credential endpoints: API keys (§2.2) and the key-to-JWT exchange (§2.3)."""

from __future__ import annotations

from typing import Any

from django.utils.cache import patch_cache_control
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from auth import services
from auth.models import ApiKey
from auth.principal import load_user, request_credential, request_user_id
from auth.selectors import api_key_list
from auth.serializers import (
    ApiKeyCreatedSerializer,
    ApiKeyCreateSerializer,
    ApiKeySerializer,
    AuthenticateSerializer,
    TokenSerializer,
)
from core.client import client_ip
from core.headers import WWW_AUTHENTICATE_VALUE
from core.metrics import record_key_exchange
from core.views import ApiView, ListCreateView, RetrieveDestroyView


def no_store(response: Response) -> Response:
    """A response carrying a secret: no cache, shared or private, may keep it (RFC 9111 §5.2.2.5)."""
    patch_cache_control(response, no_store=True)
    return response


class AuthenticateView(ApiView):
    """``POST /api/v1/authenticate?apiKey=<key>`` (or ``{"apiKey": ...}``) -> ``{"token", "expiresIn"}``.

    Hangar's exchange: ``expiresIn`` is in milliseconds. An unknown, revoked or expired
    key, or an inactive user, is a 401.
    """

    permission_classes = [AllowAny]
    rate_limit_scopes = {"POST": "authenticate"}

    @extend_schema(
        operation_id="authenticate",
        tags=["credentials"],
        auth=[],
        parameters=[OpenApiParameter("apiKey", str, OpenApiParameter.QUERY, required=False)],
        request=AuthenticateSerializer,
        responses={200: TokenSerializer},
    )
    def post(self, request: Request) -> Response:
        text = request.query_params.get("apiKey") or self.body_key(request)
        if not text:
            raise exceptions.ValidationError({"apiKey": ["apiKey is required, in the query string or the JSON body"]})
        issued = services.api_key_exchange(text=text, ip=client_ip(request))
        record_key_exchange()
        return no_store(Response({"token": issued.token, "expiresIn": issued.expires_in_ms}))

    def body_key(self, request: Request) -> str | None:
        data = request.data if request.content_type else {}
        if not isinstance(data, dict):
            raise exceptions.ValidationError({"apiKey": ["the body must be a JSON object"]})
        value = data.get("apiKey")
        if value is not None and not isinstance(value, str):
            raise exceptions.ValidationError({"apiKey": ["apiKey must be a string"]})
        return value

    def get_authenticate_header(self, request: Request) -> str:
        return WWW_AUTHENTICATE_VALUE


@extend_schema_view(get=extend_schema(operation_id="api_keys_list", tags=["credentials"]))
class ApiKeyListView(ListCreateView):
    """``GET /api/v1/keys`` (a page of the caller's keys, never a secret); ``POST`` creates one.

    The new key's scopes never exceed those of the credential creating it.
    """

    required_scope = "apikeys"
    rate_limit_scopes = {"POST": "apikey-create"}
    serializer_class = ApiKeySerializer

    def get_queryset(self):
        return api_key_list(user_id=request_user_id(self.request))

    @extend_schema(
        operation_id="api_keys_create",
        tags=["credentials"],
        request=ApiKeyCreateSerializer,
        responses={201: ApiKeyCreatedSerializer},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = ApiKeyCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        issued = services.api_key_create(
            user=load_user(request),
            ip=client_ip(request),
            creator=request_credential(request),
            **incoming.validated_data,
        )
        body = {**ApiKeySerializer(issued.api_key).data, "key": issued.secret}
        return no_store(Response(body, status=status.HTTP_201_CREATED))


@extend_schema_view(
    get=extend_schema(operation_id="api_keys_retrieve", tags=["credentials"]),
    delete=extend_schema(operation_id="api_keys_destroy", tags=["credentials"], responses={204: None}),
)
class ApiKeyDetailView(RetrieveDestroyView):
    """``GET``/``DELETE /api/v1/keys/:id``; deleting revokes every JWT minted from the key."""

    required_scope = "apikeys"
    serializer_class = ApiKeySerializer

    def get_queryset(self):
        return ApiKey.objects.filter(user_id=request_user_id(self.request))

    def perform_destroy(self, instance: ApiKey) -> None:
        services.api_key_delete(api_key=instance, ip=client_ip(self.request))

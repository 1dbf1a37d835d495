"""Quay's app-specific tokens (``/api/v1/user/apptoken``): a thin face over API keys.

An app token is an API key named by a UUID instead of its numeric id, created with the
calling credential's scopes (Quay's app tokens act as the user). Shapes are Quay's:

    POST /api/v1/user/apptoken {"title": "CI"}
    -> 201 {"token": {"uuid", "title", "created", "last_accessed", "expiration", "token_code"}}

``token_code`` (the key text) is returned only by the POST; unlike Quay, which stores it,
this service keeps only a keyed hash, so ``GET /user/apptoken/:uuid`` cannot show it again.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.generics import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response

from auth import services
from auth.models import ApiKey
from auth.principal import load_user, request_credential, request_user_id
from auth.selectors import api_key_list
from auth.views import no_store
from core.client import client_ip
from core.parsers import StringField
from core.views import ApiView

TAGS = ["credentials"]


class AppTokenSerializer(serializers.Serializer):
    uuid = serializers.UUIDField(read_only=True)
    title = serializers.CharField(source="name", read_only=True)
    created = serializers.DateTimeField(read_only=True)
    last_accessed = serializers.DateTimeField(source="last_used", read_only=True, allow_null=True)
    expiration = serializers.DateTimeField(source="expires", read_only=True, allow_null=True)


class AppTokenCreatedSerializer(AppTokenSerializer):
    token_code = serializers.CharField(read_only=True, help_text="The token itself. Shown only in this response.")


class AppTokenCreateSerializer(serializers.Serializer):
    title = StringField(max_length=128)


TokenEnvelope = inline_serializer("AppTokenEnvelope", {"token": AppTokenSerializer()})
CreatedEnvelope = inline_serializer("AppTokenCreatedEnvelope", {"token": AppTokenCreatedSerializer()})
ListEnvelope = inline_serializer("AppTokenList", {"tokens": AppTokenSerializer(many=True)})


class AppTokenListView(ApiView):
    """``GET`` the caller's app tokens (never a secret); ``POST {"title"}`` creates one."""

    required_scope = "apikeys"
    rate_limit_scopes = {"POST": "apikey-create"}

    @extend_schema(operation_id="app_tokens_list", tags=TAGS, responses={200: ListEnvelope})
    def get(self, request: Request) -> Response:
        keys = api_key_list(user_id=request_user_id(request)).order_by("-id")
        return Response({"tokens": AppTokenSerializer(keys, many=True).data})

    @extend_schema(
        operation_id="app_tokens_create",
        tags=TAGS,
        request=AppTokenCreateSerializer,
        responses={201: CreatedEnvelope},
    )
    def post(self, request: Request) -> Response:
        incoming = AppTokenCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        issued = services.app_token_create(
            user=load_user(request),
            title=incoming.validated_data["title"],
            ip=client_ip(request),
            creator=request_credential(request),
        )
        body: dict[str, Any] = {**AppTokenSerializer(issued.api_key).data, "token_code": issued.secret}
        return no_store(Response({"token": body}, status=status.HTTP_201_CREATED))


class AppTokenDetailView(ApiView):
    """``GET``/``DELETE /api/v1/user/apptoken/:uuid``; deleting revokes its JWTs at once."""

    required_scope = "apikeys"

    def get_object(self, request: Request, uuid: str) -> ApiKey:
        return get_object_or_404(ApiKey.objects.filter(user_id=request_user_id(request)), uuid=uuid)

    @extend_schema(operation_id="app_tokens_retrieve", tags=TAGS, responses={200: TokenEnvelope})
    def get(self, request: Request, uuid: str) -> Response:
        return Response({"token": AppTokenSerializer(self.get_object(request, uuid)).data})

    @extend_schema(operation_id="app_tokens_destroy", tags=TAGS, responses={204: None})
    def delete(self, request: Request, uuid: str) -> Response:
        services.api_key_delete(api_key=self.get_object(request, uuid), ip=client_ip(request))
        return Response(status=status.HTTP_204_NO_CONTENT)

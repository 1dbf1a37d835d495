"""``/api/v1/oauth/apps``: the caller's OAuth applications (scope ``oauthapps``);
``/api/v1/oauth/authorizations``: the applications the caller authorized, and withdrawing that.

POST /api/v1/oauth/apps {"name": "CI", "redirect_uris": ["https://ci.example/cb"],
                         "scopes": ["repos:read"], "client_type": "confidential"}
-> 201 {"client_id": ..., "client_secret": ... (this once), ...}

``redirect_uris`` and ``scopes`` may also be whitespace-separated strings (Funkwhale's shape).
``POST /api/v1/oauth/apps/:client_id/rotate-secret`` replaces a confidential client's secret.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.generics import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response

from auth.oauth import services
from auth.oauth.serializers import (
    OAuthAppCreatedSerializer,
    OAuthAppCreateSerializer,
    OAuthAppSerializer,
    OAuthAppUpdateSerializer,
)
from auth.principal import load_user, request_user_id
from auth.views import no_store
from core.client import client_ip
from core.views import ApiView, ListCreateView, ListView, RetrieveUpdateDestroyView

TAGS = ["oauth"]


def owned_applications(request: Request) -> Any:
    return services.oauth_app_list(user_id=request_user_id(request))


@extend_schema_view(get=extend_schema(operation_id="oauth_apps_list", tags=TAGS))
class OAuthAppListView(ListCreateView):
    """``GET`` a page of the caller's applications (never a secret); ``POST`` registers one."""

    required_scope = "oauthapps"
    serializer_class = OAuthAppSerializer

    def get_queryset(self) -> Any:
        return owned_applications(self.request)

    @extend_schema(
        operation_id="oauth_apps_create",
        tags=TAGS,
        request=OAuthAppCreateSerializer,
        responses={201: OAuthAppCreatedSerializer},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = OAuthAppCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        issued = services.oauth_app_create(user=load_user(request), ip=client_ip(request), **incoming.validated_data)
        body = {**OAuthAppSerializer(issued.application).data, "client_secret": issued.client_secret}
        return no_store(Response(body, status=status.HTTP_201_CREATED))


@extend_schema_view(
    get=extend_schema(operation_id="oauth_apps_retrieve", tags=TAGS),
    put=extend_schema(
        operation_id="oauth_apps_update", tags=TAGS, request=OAuthAppUpdateSerializer, responses=OAuthAppSerializer
    ),
    delete=extend_schema(operation_id="oauth_apps_destroy", tags=TAGS, responses={204: None}),
)
class OAuthAppDetailView(RetrieveUpdateDestroyView):
    """``GET``/``PUT``/``DELETE /api/v1/oauth/apps/:client_id``. Deleting revokes every token at once."""

    required_scope = "oauthapps"
    serializer_class = OAuthAppSerializer
    lookup_field = "client_id"
    http_method_names = ["get", "put", "delete", "head", "options"]

    def get_queryset(self) -> Any:
        return owned_applications(self.request)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        application = self.get_object()
        incoming = OAuthAppUpdateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        services.oauth_app_update(application=application, ip=client_ip(request), **incoming.validated_data)
        return Response(OAuthAppSerializer(self.get_object()).data)

    def perform_destroy(self, instance: Any) -> None:
        services.oauth_app_delete(application=instance, ip=client_ip(self.request))


class OAuthAppSecretView(ApiView):
    """``POST /api/v1/oauth/apps/:client_id/rotate-secret``: a new client secret, shown once in
    the answer; the old one stops working at once. A public client has none (400)."""

    required_scope = "oauthapps"

    @extend_schema(
        operation_id="oauth_apps_rotate_secret", tags=TAGS, request=None, responses={200: OAuthAppCreatedSerializer}
    )
    def post(self, request: Request, client_id: str) -> Response:
        application = get_object_or_404(owned_applications(request), client_id=client_id)
        issued = services.oauth_app_secret_rotate(application=application, ip=client_ip(request))
        return no_store(
            Response({**OAuthAppSerializer(issued.application).data, "client_secret": issued.client_secret})
        )


class AuthorizationSerializer(serializers.Serializer):
    client_id = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


@extend_schema_view(get=extend_schema(operation_id="oauth_authorizations_list", tags=TAGS))
class AuthorizationListView(ListView):
    """``GET /api/v1/oauth/authorizations``: a page of the applications holding a token of yours."""

    required_scope = "oauthapps"
    serializer_class = AuthorizationSerializer

    def get_queryset(self) -> Any:
        return services.oauth_authorizations(user_id=request_user_id(self.request))


class AuthorizationDetailView(ApiView):
    """``DELETE /api/v1/oauth/authorizations/:client_id``: revoke every token of yours for the app."""

    required_scope = "oauthapps"

    @extend_schema(operation_id="oauth_authorizations_destroy", tags=TAGS, responses={204: None})
    def delete(self, request: Request, client_id: str) -> Response:
        user_id = request_user_id(request)
        application = get_object_or_404(services.oauth_authorizations(user_id=user_id), client_id=client_id)
        services.oauth_grant_revoke(user_id=user_id, application=application, ip=client_ip(request))
        return Response(status=status.HTTP_204_NO_CONTENT)

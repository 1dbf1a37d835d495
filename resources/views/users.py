"""Users (§3): your own profile, anyone's public one, and ``PUT /user/profile``."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from auth.principal import request_user_id
from core.client import client_ip
from core.views import ApiView
from resources import selectors
from resources import serializers as s
from resources.services.profile import profile_update
from resources.views.common import caller_id, user_or_404


class UserView(ApiView):
    """``GET /user``: the caller's own profile, full form. Any credential, any scope."""

    # any credential, any scope: the pipeline refuses anonymous callers (no allow_anonymous_read)

    @extend_schema(operation_id="user_self", tags=["users"], responses=s.UserSerializer)
    def get(self, request: Request) -> Response:
        return Response(s.UserSerializer(selectors.user_get(user_id=request_user_id(request))).data)


class UserDetailView(ApiView):
    """``GET /user/~name``: your own profile in full, anyone else's public fields."""

    allow_anonymous_read = True

    @extend_schema(operation_id="user_detail", tags=["users"], responses=s.UserSerializer)
    def get(self, request: Request, username: str) -> Response:
        user = user_or_404(username)
        serializer = s.UserSerializer if user.pk == caller_id(request) else s.UserPublicSerializer
        return Response(serializer(user).data)


class ProfileView(ApiView):
    """``GET``/``PUT /user/profile``; PUT takes ``email, url, location, bio, use_pgp_key``."""

    required_scope = "profile"

    @extend_schema(operation_id="profile_retrieve", tags=["users"], responses=s.UserSerializer)
    def get(self, request: Request) -> Response:
        return Response(s.UserSerializer(selectors.user_get(user_id=request_user_id(request))).data)

    @extend_schema(
        operation_id="profile_update", tags=["users"], request=s.ProfileUpdateSerializer, responses=s.UserSerializer
    )
    def put(self, request: Request) -> Response:
        incoming = s.ProfileUpdateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        user = profile_update(
            user=selectors.user_get(user_id=request_user_id(request)),
            changes=incoming.validated_data,
            ip=client_ip(request),
            base_url=request.build_absolute_uri("/"),
        )
        return Response(s.UserSerializer(user).data)

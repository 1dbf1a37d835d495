"""SSH and PGP keys (§3): your keys, adding and removing them, and anyone's look-ups."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from auth.principal import load_user, request_user_id
from core.client import client_ip
from resources import selectors
from resources import serializers as s
from resources.models import PGPKey, SSHKey
from resources.services import keys
from resources.views.common import body_schema, caller_id, required_text


def found(key: SSHKey | PGPKey | None) -> Any:
    if key is None:
        raise Http404
    return key


# ------------------------------------------------------------------- SSH keys


@extend_schema_view(get=extend_schema(operation_id="ssh_keys_list", tags=["keys"]))
class SSHKeyListView(generics.ListAPIView):
    """``GET``/``POST /user/ssh-keys``: POST ``{"ssh-key": "<authorized_keys line>"}``."""

    required_scope = "keys"
    serializer_class = s.SSHKeySerializer

    def get_queryset(self) -> Any:
        return selectors.ssh_key_list(owner_id=request_user_id(self.request))

    @extend_schema(
        operation_id="ssh_keys_create",
        tags=["keys"],
        request=body_schema("ssh-key", "an authorized_keys line"),
        responses={201: s.SSHKeySerializer},
    )
    def post(self, request: Request) -> Response:
        text = required_text(request, "ssh-key", "ssh-key is required: an authorized_keys line")
        key = keys.ssh_key_add(owner=load_user(request), text=text, ip=client_ip(request))
        return Response(s.SSHKeySerializer(key).data, status=status.HTTP_201_CREATED)


class SSHKeyDetailView(APIView):
    """``GET``/``DELETE /user/ssh-keys/:id`` (your own keys)."""

    required_scope = "keys"

    @extend_schema(operation_id="ssh_keys_retrieve", tags=["keys"], responses=s.SSHKeySerializer)
    def get(self, request: Request, pk: str) -> Response:
        key = found(selectors.ssh_key_get(owner_id=request_user_id(request), key_id=int(pk)))
        return Response(s.SSHKeySerializer(key).data)

    @extend_schema(operation_id="ssh_keys_destroy", tags=["keys"], responses={204: None})
    def delete(self, request: Request, pk: str) -> Response:
        key = found(selectors.ssh_key_get(owner_id=request_user_id(request), key_id=int(pk)))
        keys.ssh_key_remove(key=key, ip=client_ip(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class SSHKeyLookupView(APIView):
    """``GET /ssh-key/:b64``: anyone may look a key up by its base64 blob."""

    allow_anonymous_read = True

    @extend_schema(operation_id="ssh_key_lookup", tags=["keys"], responses=s.SSHKeySerializer)
    def get(self, request: Request, blob: str) -> Response:
        key = found(selectors.ssh_key_lookup(blob=blob))
        data = s.SSHKeySerializer(key).data
        if key.owner_id != caller_id(request):
            data["last_used"] = None  # shown to the owner only
        return Response(data)


# ------------------------------------------------------------------- PGP keys


@extend_schema_view(get=extend_schema(operation_id="pgp_keys_list", tags=["keys"]))
class PGPKeyListView(generics.ListAPIView):
    """``GET``/``POST /user/pgp-keys``: POST ``{"pgp-key": "<ASCII-armored public key>"}``."""

    required_scope = "keys"
    serializer_class = s.PGPKeySerializer

    def get_queryset(self) -> Any:
        return selectors.pgp_key_list(owner_id=request_user_id(self.request))

    @extend_schema(
        operation_id="pgp_keys_create",
        tags=["keys"],
        request=body_schema("pgp-key", "an ASCII-armored OpenPGP public key"),
        responses={201: s.PGPKeySerializer},
    )
    def post(self, request: Request) -> Response:
        text = required_text(request, "pgp-key", "pgp-key is required: an ASCII-armored public key")
        key = keys.pgp_key_add(owner=load_user(request), text=text, ip=client_ip(request))
        return Response(s.PGPKeySerializer(key).data, status=status.HTTP_201_CREATED)


class PGPKeyDetailView(APIView):
    """``GET``/``DELETE /user/pgp-keys/:id`` (your own keys)."""

    required_scope = "keys"

    @extend_schema(operation_id="pgp_keys_retrieve", tags=["keys"], responses=s.PGPKeySerializer)
    def get(self, request: Request, pk: str) -> Response:
        key = found(selectors.pgp_key_get(owner_id=request_user_id(request), key_id=int(pk)))
        return Response(s.PGPKeySerializer(key).data)

    @extend_schema(operation_id="pgp_keys_destroy", tags=["keys"], responses={204: None})
    def delete(self, request: Request, pk: str) -> Response:
        key = found(selectors.pgp_key_get(owner_id=request_user_id(request), key_id=int(pk)))
        keys.pgp_key_remove(key=key, ip=client_ip(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PGPKeyLookupView(APIView):
    """``GET /pgp-key/:fingerprint``: anyone may look a key up by fingerprint (or key id)."""

    allow_anonymous_read = True

    @extend_schema(operation_id="pgp_key_lookup", tags=["keys"], responses=s.PGPKeySerializer)
    def get(self, request: Request, fingerprint: str) -> Response:
        return Response(s.PGPKeySerializer(found(selectors.pgp_key_lookup(fingerprint=fingerprint))).data)

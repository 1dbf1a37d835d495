"""SSH and PGP keys (§3): your keys, adding and removing them, and anyone's look-ups."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from auth.principal import load_user, request_user_id
from core.client import client_ip
from core.views import ApiView, ListView
from resources import selectors
from resources import serializers as s
from resources.models import PGPKey, SSHKey
from resources.services import keys
from resources.views.common import body_schema, caller_id, required_text


def found(key: SSHKey | PGPKey | None) -> Any:
    if key is None:
        raise Http404
    return key


@dataclass(frozen=True)
class KeyKind:
    """What the SSH and PGP key views differ in: the rest is :class:`KeyListView` and :class:`KeyDetailView`."""

    name: str  # operation ids: "<name>_keys_list", "<name>_keys_create", ...
    field: str  # the POST body's one key
    describes: str  # its OpenAPI description
    missing: str  # the 400's reason when it is absent or blank
    serializer: type[Serializer]
    list: Callable[..., Any]  # selector (owner_id=) -> rows
    get: Callable[..., Any]  # selector (owner_id=, key_id=) -> key or None
    add: Callable[..., Any]  # service (owner=, text=, ip=) -> key
    remove: Callable[..., None]  # service (key=, ip=)


SSH = KeyKind(
    name="ssh", field="ssh-key", describes="an authorized_keys line",
    missing="ssh-key is required: an authorized_keys line", serializer=s.SSHKeySerializer,
    list=selectors.ssh_key_list, get=selectors.ssh_key_get, add=keys.ssh_key_add, remove=keys.ssh_key_remove,
)  # fmt: skip
PGP = KeyKind(
    name="pgp", field="pgp-key", describes="an ASCII-armored OpenPGP public key",
    missing="pgp-key is required: an ASCII-armored public key", serializer=s.PGPKeySerializer,
    list=selectors.pgp_key_list, get=selectors.pgp_key_get, add=keys.pgp_key_add, remove=keys.pgp_key_remove,
)  # fmt: skip


class KeyListView(ListView):
    """``GET``/``POST /user/<kind>-keys``: your keys, and adding one."""

    required_scope = "keys"
    kind: ClassVar[KeyKind]

    def get_serializer_class(self) -> type[Serializer]:
        return self.kind.serializer

    def get_queryset(self) -> Any:
        return self.kind.list(owner_id=request_user_id(self.request))

    def post(self, request: Request) -> Response:
        kind = self.kind
        text = required_text(request, kind.field, kind.missing)
        key = kind.add(owner=load_user(request), text=text, ip=client_ip(request))
        return Response(kind.serializer(key).data, status=status.HTTP_201_CREATED)


class KeyDetailView(ApiView):
    """``GET``/``DELETE /user/<kind>-keys/:id`` (your own keys)."""

    required_scope = "keys"
    kind: ClassVar[KeyKind]

    def get(self, request: Request, pk: str) -> Response:
        key = found(self.kind.get(owner_id=request_user_id(request), key_id=int(pk)))
        return Response(self.kind.serializer(key).data)

    def delete(self, request: Request, pk: str) -> Response:
        key = found(self.kind.get(owner_id=request_user_id(request), key_id=int(pk)))
        self.kind.remove(key=key, ip=client_ip(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


def key_list_schema(kind: KeyKind) -> Callable[[type], type]:
    return extend_schema_view(
        get=extend_schema(operation_id=f"{kind.name}_keys_list", tags=["keys"]),
        post=extend_schema(
            operation_id=f"{kind.name}_keys_create", tags=["keys"], request=body_schema(kind.field, kind.describes),
            responses={201: kind.serializer},
        ),
    )  # fmt: skip


def key_detail_schema(kind: KeyKind) -> Callable[[type], type]:
    return extend_schema_view(
        get=extend_schema(operation_id=f"{kind.name}_keys_retrieve", tags=["keys"], responses=kind.serializer),
        delete=extend_schema(operation_id=f"{kind.name}_keys_destroy", tags=["keys"], responses={204: None}),
    )


# ------------------------------------------------------------------- SSH keys


@key_list_schema(SSH)
class SSHKeyListView(KeyListView):
    """``GET``/``POST /user/ssh-keys``: POST ``{"ssh-key": "<authorized_keys line>"}``."""

    kind = SSH


@key_detail_schema(SSH)
class SSHKeyDetailView(KeyDetailView):
    """``GET``/``DELETE /user/ssh-keys/:id`` (your own keys)."""

    kind = SSH


class SSHKeyLookupView(ApiView):
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


@key_list_schema(PGP)
class PGPKeyListView(KeyListView):
    """``GET``/``POST /user/pgp-keys``: POST ``{"pgp-key": "<ASCII-armored public key>"}``."""

    kind = PGP


@key_detail_schema(PGP)
class PGPKeyDetailView(KeyDetailView):
    """``GET``/``DELETE /user/pgp-keys/:id`` (your own keys)."""

    kind = PGP


class PGPKeyLookupView(ApiView):
    """``GET /pgp-key/:fingerprint``: anyone may look a key up by fingerprint (or key id)."""

    allow_anonymous_read = True

    @extend_schema(operation_id="pgp_key_lookup", tags=["keys"], responses=s.PGPKeySerializer)
    def get(self, request: Request, fingerprint: str) -> Response:
        return Response(s.PGPKeySerializer(found(selectors.pgp_key_lookup(fingerprint=fingerprint))).data)

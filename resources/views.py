"""Resource endpoints (§3): thin views over the services, in sourcehut's shapes."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apiservice.api.client import client_ip
from auth.permissions import ScopePermission
from auth.principal import load_user
from resources import serializers as s
from resources.models import AuditLogEntry, PGPKey, Repository, SSHKey, User
from resources.parsing.pgp import InvalidPGPKey
from resources.parsing.ssh import InvalidSSHKey
from resources.services import keys, profile, repos

Visibility = Repository.Visibility


# Only the columns the representations use: no password hash or README text per row, and
# two fewer timestamps to parse per embedded owner (the list path's main cost).
REPO_COLUMNS = ("id", "created", "updated", "name", "description", "visibility", "owner_id", "owner__username")
SSH_COLUMNS = (
    "id",
    "authorized",
    "comment",
    "fingerprint",
    "fingerprint_sha256",
    "key",
    "last_used",
    "owner_id",
    "owner__username",
)
PGP_COLUMNS = ("id", "key", "key_id", "fingerprint", "email", "authorized", "expiration", "owner_id", "owner__username")


class OwnerRow:
    """The owner part of a ``.values()`` row, shaped as the serializers read a User."""

    __slots__ = ("username",)

    def __init__(self, username: str) -> None:
        self.username = username

    @property
    def canonical_name(self) -> str:
        return f"~{self.username}"


class RepositoryRow:
    """A repository read with ``.values()``: the list path skips model instantiation
    (the largest per-row cost in the profile) yet goes through the same serializer."""

    __slots__ = ("id", "created", "updated", "name", "description", "visibility", "owner")

    def __init__(self, row: dict[str, Any]) -> None:
        for name in ("id", "created", "updated", "name", "description", "visibility"):
            setattr(self, name, row[name])
        self.owner = OwnerRow(row["owner__username"])


class RepositoryPageMixin:
    """Lists of repositories: rows come from ``.values()`` and are wrapped for the serializer."""

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rows = self.paginate_queryset(self.get_queryset().values(*REPO_VALUES))
        data = s.RepositorySerializer([RepositoryRow(row) for row in rows], many=True).data
        return self.get_paginated_response(data)


REPO_VALUES = ("id", "created", "updated", "name", "description", "visibility", "owner__username")


def caller_id(request: Request) -> int | None:
    return request.user.pk if request.auth is not None else None


def user_by_name(username: str) -> User:
    user = User.objects.select_related("use_pgp_key").filter(username=username, is_active=True).first()
    if user is None:
        raise Http404
    return user


def body_schema(field: str, description: str) -> dict[str, Any]:
    """A JSON body with one hyphenated key (sourcehut's names), for the OpenAPI document."""
    return {
        "application/json": {
            "type": "object",
            "required": [field],
            "properties": {field: {"type": "string", "description": description}},
        }
    }


def required_text(request: Request, field: str, reason: str) -> str:
    value = request.data.get(field) if isinstance(request.data, dict) else None
    if not isinstance(value, str) or not value.strip():
        raise exceptions.ValidationError({field: [reason]})
    return value


# ---------------------------------------------------------------------- users


class UserView(APIView):
    """``GET /user``: the caller's own profile, full form. Any credential, any scope."""

    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="user_self", tags=["users"], responses=s.UserSerializer)
    def get(self, request: Request) -> Response:
        user = User.objects.select_related("use_pgp_key").get(pk=request.user.pk)
        return Response(s.UserSerializer(user).data)


class UserDetailView(APIView):
    """``GET /user/~name``: your own profile in full, anyone else's public fields."""

    permission_classes = [ScopePermission]
    allow_anonymous_read = True

    @extend_schema(operation_id="user_detail", tags=["users"], responses=s.UserSerializer)
    def get(self, request: Request, username: str) -> Response:
        user = user_by_name(username)
        serializer = s.UserSerializer if user.pk == caller_id(request) else s.UserPublicSerializer
        return Response(serializer(user).data)


class ProfileView(APIView):
    """``GET``/``PUT /user/profile``; PUT takes ``email, url, location, bio, use_pgp_key``."""

    required_scope = "profile"

    @extend_schema(operation_id="profile_retrieve", tags=["users"], responses=s.UserSerializer)
    def get(self, request: Request) -> Response:
        user = User.objects.select_related("use_pgp_key").get(pk=request.user.pk)
        return Response(s.UserSerializer(user).data)

    @extend_schema(
        operation_id="profile_update", tags=["users"], request=s.ProfileUpdateSerializer, responses=s.UserSerializer
    )
    def put(self, request: Request) -> Response:
        incoming = s.ProfileUpdateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            user = profile.profile_update(
                user=load_user(request), changes=incoming.validated_data, ip=client_ip(request)
            )
        except profile.UnknownPGPKey as exc:
            raise exceptions.ValidationError({"use_pgp_key": [str(exc)]}) from None
        return Response(s.UserSerializer(user).data)


class AuditLogView(generics.ListAPIView):
    """``GET /user/audit-log``: every change and credential use, newest first (read only)."""

    required_scope = "audit"
    serializer_class = s.AuditLogEntrySerializer

    def get_queryset(self) -> QuerySet[AuditLogEntry]:
        return AuditLogEntry.objects.filter(user_id=self.request.user.pk)

    @extend_schema(operation_id="audit_log_list", tags=["audit"])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


# ------------------------------------------------------------------- SSH keys


def ssh_key_data(key: SSHKey, request: Request) -> dict[str, Any]:
    data = s.SSHKeySerializer(key).data
    if key.owner_id != caller_id(request):
        data["last_used"] = None  # shown to the owner only
    return data


class SSHKeyListView(generics.ListAPIView):
    """``GET``/``POST /user/ssh-keys``: POST ``{"ssh-key": "<authorized_keys line>"}``."""

    required_scope = "keys"
    serializer_class = s.SSHKeySerializer

    def get_queryset(self) -> QuerySet[SSHKey]:
        return SSHKey.objects.filter(owner_id=self.request.user.pk).select_related("owner").only(*SSH_COLUMNS)

    @extend_schema(operation_id="ssh_keys_list", tags=["keys"])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="ssh_keys_create",
        tags=["keys"],
        request=body_schema("ssh-key", "an authorized_keys line"),
        responses={201: s.SSHKeySerializer},
    )
    def post(self, request: Request) -> Response:
        text = required_text(request, "ssh-key", "ssh-key is required: an authorized_keys line")
        try:
            key = keys.ssh_key_add(owner=load_user(request), text=text, ip=client_ip(request))
        except (InvalidSSHKey, keys.DuplicateKey) as exc:
            raise exceptions.ValidationError({"ssh-key": [str(exc)]}) from None
        return Response(s.SSHKeySerializer(key).data, status=status.HTTP_201_CREATED)


class SSHKeyDetailView(generics.RetrieveDestroyAPIView):
    """``GET``/``DELETE /user/ssh-keys/:id`` (your own keys)."""

    required_scope = "keys"
    serializer_class = s.SSHKeySerializer

    def get_queryset(self) -> QuerySet[SSHKey]:
        return SSHKey.objects.filter(owner_id=self.request.user.pk).select_related("owner")

    @extend_schema(operation_id="ssh_keys_retrieve", tags=["keys"])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(operation_id="ssh_keys_destroy", tags=["keys"], responses={204: None})
    def delete(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().delete(request, *args, **kwargs)

    def perform_destroy(self, instance: SSHKey) -> None:
        keys.ssh_key_remove(key=instance, ip=client_ip(self.request))


class SSHKeyLookupView(APIView):
    """``GET /ssh-key/:b64``: anyone may look a key up by its base64 blob."""

    permission_classes = [ScopePermission]
    allow_anonymous_read = True

    @extend_schema(operation_id="ssh_key_lookup", tags=["keys"], responses=s.SSHKeySerializer)
    def get(self, request: Request, blob: str) -> Response:
        key = SSHKey.objects.select_related("owner").filter(key__endswith=" " + blob, owner__is_active=True).first()
        if key is None:
            raise Http404
        return Response(ssh_key_data(key, request))


# ------------------------------------------------------------------- PGP keys


class PGPKeyListView(generics.ListAPIView):
    """``GET``/``POST /user/pgp-keys``: POST ``{"pgp-key": "<ASCII-armored public key>"}``."""

    required_scope = "keys"
    serializer_class = s.PGPKeySerializer

    def get_queryset(self) -> QuerySet[PGPKey]:
        return PGPKey.objects.filter(owner_id=self.request.user.pk).select_related("owner").only(*PGP_COLUMNS)

    @extend_schema(operation_id="pgp_keys_list", tags=["keys"])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="pgp_keys_create",
        tags=["keys"],
        request=body_schema("pgp-key", "an ASCII-armored OpenPGP public key"),
        responses={201: s.PGPKeySerializer},
    )
    def post(self, request: Request) -> Response:
        text = required_text(request, "pgp-key", "pgp-key is required: an ASCII-armored public key")
        try:
            key = keys.pgp_key_add(owner=load_user(request), text=text, ip=client_ip(request))
        except (InvalidPGPKey, keys.DuplicateKey) as exc:
            raise exceptions.ValidationError({"pgp-key": [str(exc)]}) from None
        return Response(s.PGPKeySerializer(key).data, status=status.HTTP_201_CREATED)


class PGPKeyDetailView(generics.RetrieveDestroyAPIView):
    """``GET``/``DELETE /user/pgp-keys/:id`` (your own keys)."""

    required_scope = "keys"
    serializer_class = s.PGPKeySerializer

    def get_queryset(self) -> QuerySet[PGPKey]:
        return PGPKey.objects.filter(owner_id=self.request.user.pk).select_related("owner")

    @extend_schema(operation_id="pgp_keys_retrieve", tags=["keys"])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(operation_id="pgp_keys_destroy", tags=["keys"], responses={204: None})
    def delete(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().delete(request, *args, **kwargs)

    def perform_destroy(self, instance: PGPKey) -> None:
        keys.pgp_key_remove(key=instance, ip=client_ip(self.request))


class PGPKeyLookupView(APIView):
    """``GET /pgp-key/:fingerprint``: anyone may look a key up by fingerprint (or key id)."""

    permission_classes = [ScopePermission]
    allow_anonymous_read = True

    @extend_schema(operation_id="pgp_key_lookup", tags=["keys"], responses=s.PGPKeySerializer)
    def get(self, request: Request, fingerprint: str) -> Response:
        wanted = fingerprint.replace(" ", "").upper()
        key = (
            PGPKey.objects.select_related("owner")
            .filter(Q(fingerprint=wanted) | Q(key_id=wanted), owner__is_active=True)
            .first()
        )
        if key is None:
            raise Http404
        return Response(s.PGPKeySerializer(key).data)


# --------------------------------------------------------------- repositories


def visible_repos(owner_id: int, request: Request, *, listing: bool) -> QuerySet[Repository]:
    """Your own repos: all. Others': public in lists; public and unlisted by name; never private."""
    queryset = Repository.objects.filter(owner_id=owner_id).select_related("owner").only(*REPO_COLUMNS)
    if owner_id == caller_id(request):
        return queryset
    if listing:
        return queryset.filter(visibility=Visibility.PUBLIC)
    return queryset.exclude(visibility=Visibility.PRIVATE)


def repo_error(exc: repos.RepositoryError) -> exceptions.ValidationError:
    return exceptions.ValidationError({exc.field: [exc.reason]})


class RepositoryListView(RepositoryPageMixin, generics.ListAPIView):
    """``GET``/``POST /repos``: your repositories; POST ``{name, description?, visibility?}``."""

    required_scope = "repos"
    serializer_class = s.RepositorySerializer

    def get_queryset(self) -> QuerySet[Repository]:
        return Repository.objects.filter(owner_id=self.request.user.pk).select_related("owner").only(*REPO_COLUMNS)

    @extend_schema(operation_id="repos_list", tags=["repositories"])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="repos_create",
        tags=["repositories"],
        request=s.RepositoryWriteSerializer,
        responses={201: s.RepositorySerializer},
    )
    def post(self, request: Request) -> Response:
        incoming = s.RepositoryWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        try:
            repo = repos.repo_create(
                owner=load_user(request), name=data.get("name", ""), description=data.get("description", ""),
                visibility=data.get("visibility", ""), ip=client_ip(request),
            )  # fmt: skip
        except repos.RepositoryError as exc:
            raise repo_error(exc) from None
        return Response(s.RepositorySerializer(repo).data, status=status.HTTP_201_CREATED)


class UserRepositoryListView(RepositoryPageMixin, generics.ListAPIView):
    """``GET /~name/repos``: a user's public repositories (all of them, if they are yours)."""

    required_scope = "repos"
    allow_anonymous_read = True
    serializer_class = s.RepositorySerializer

    def get_queryset(self) -> QuerySet[Repository]:
        return visible_repos(user_by_name(self.kwargs["username"]).pk, self.request, listing=True)

    @extend_schema(operation_id="user_repos_list", tags=["repositories"])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class RepositoryDetailView(APIView):
    """``GET``/``PUT``/``DELETE /repos/:name``; PUT may rename, ``""`` means unchanged."""

    required_scope = "repos"

    def repo(self, request: Request, name: str) -> Repository:
        repo = Repository.objects.select_related("owner").filter(owner_id=request.user.pk, name=name).first()
        if repo is None:
            raise Http404
        return repo

    @extend_schema(operation_id="repos_retrieve", tags=["repositories"], responses=s.RepositorySerializer)
    def get(self, request: Request, name: str) -> Response:
        return Response(s.RepositorySerializer(self.repo(request, name)).data)

    @extend_schema(
        operation_id="repos_update",
        tags=["repositories"],
        request=s.RepositoryWriteSerializer,
        responses=s.RepositorySerializer,
    )
    def put(self, request: Request, name: str) -> Response:
        repo = self.repo(request, name)
        incoming = s.RepositoryWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            repo = repos.repo_update(repo=repo, changes=incoming.validated_data, ip=client_ip(request))
        except repos.RepositoryError as exc:
            raise repo_error(exc) from None
        return Response(s.RepositorySerializer(repo).data)

    @extend_schema(operation_id="repos_destroy", tags=["repositories"], responses={204: None})
    def delete(self, request: Request, name: str) -> Response:
        repos.repo_delete(repo=self.repo(request, name), ip=client_ip(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class UserRepositoryDetailView(APIView):
    """``GET /~name/repos/:name``: public and unlisted repositories by name; private ones are 404."""

    required_scope = "repos"
    allow_anonymous_read = True

    @extend_schema(operation_id="user_repos_retrieve", tags=["repositories"], responses=s.RepositorySerializer)
    def get(self, request: Request, username: str, name: str) -> Response:
        owner = user_by_name(username)
        repo = visible_repos(owner.pk, request, listing=False).filter(name=name).first()
        if repo is None:
            raise Http404
        return Response(s.RepositorySerializer(repo).data)


class ReadmeView(RepositoryDetailView):
    """``GET``/``PUT``/``DELETE /repos/:name/readme``: the README override, ``{"readme": "..."}``."""

    @extend_schema(operation_id="repos_readme_retrieve", tags=["repositories"], responses=s.ReadmeSerializer)
    def get(self, request: Request, name: str) -> Response:
        repo = self.repo(request, name)
        if repo.readme is None:
            raise exceptions.NotFound("this repository has no README override")
        return Response({"readme": repo.readme})

    @extend_schema(
        operation_id="repos_readme_update", tags=["repositories"], request=s.ReadmeSerializer, responses={204: None}
    )
    def put(self, request: Request, name: str) -> Response:
        repo = self.repo(request, name)
        incoming = s.ReadmeSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        repos.repo_readme_set(repo=repo, readme=incoming.validated_data["readme"], ip=client_ip(request))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(operation_id="repos_readme_destroy", tags=["repositories"], responses={204: None})
    def delete(self, request: Request, name: str) -> Response:
        repo = self.repo(request, name)
        if repo.readme is not None:
            repos.repo_readme_set(repo=repo, readme=None, ip=client_ip(request))
        return Response(status=status.HTTP_204_NO_CONTENT)

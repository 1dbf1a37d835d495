"""Repositories (§3): yours, anyone's public ones, renames, and the README override."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response

from auth.principal import load_user, request_user_id
from core.client import client_ip
from core.views import ApiView, ListView
from resources import serializers as s
from resources.models import Repository
from resources.selectors import RepoQuery
from resources.services import repos
from resources.views.common import caller_id, user_id_or_404


def found(row: dict[str, Any] | Repository | None) -> dict[str, Any] | Repository:
    if row is None:
        raise Http404
    return row


def own_repos(request: Request) -> RepoQuery:
    caller = request_user_id(request)
    return RepoQuery(owner_id=caller, viewer_id=caller)


def own_repo(request: Request, name: str) -> Repository:
    repo = own_repos(request).one(name)
    if repo is None:
        raise Http404
    return repo


@extend_schema_view(get=extend_schema(operation_id="repos_list", tags=["repositories"]))
class RepositoryListView(ListView):
    """``GET``/``POST /repos``: your repositories; POST ``{name, description?, visibility?}``."""

    required_scope = "repos"
    serializer_class = s.RepositorySerializer

    def get_queryset(self) -> Any:
        return own_repos(self.request)

    @extend_schema(
        operation_id="repos_create",
        tags=["repositories"],
        request=s.RepositoryCreateSerializer,
        responses={201: s.RepositorySerializer},
    )
    def post(self, request: Request) -> Response:
        incoming = s.RepositoryCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        repo = repos.repo_create(owner=load_user(request), ip=client_ip(request), **incoming.validated_data)
        return Response(s.RepositorySerializer(repo).data, status=status.HTTP_201_CREATED)


@extend_schema_view(get=extend_schema(operation_id="user_repos_list", tags=["repositories"]))
class UserRepositoryListView(ListView):
    """``GET /~name/repos``: a user's public repositories (all of them, if they are yours)."""

    required_scope = "repos"
    allow_anonymous_read = True
    serializer_class = s.RepositorySerializer

    def get_queryset(self) -> Any:
        return RepoQuery(owner_id=user_id_or_404(self.kwargs["username"]), viewer_id=caller_id(self.request))


class RepositoryDetailView(ApiView):
    """``GET``/``PUT``/``DELETE /repos/:name``; PUT may rename, ``""`` means unchanged."""

    required_scope = "repos"

    @extend_schema(operation_id="repos_retrieve", tags=["repositories"], responses=s.RepositorySerializer)
    def get(self, request: Request, name: str) -> Response:
        return Response(s.RepositorySerializer(found(own_repos(request).row(name))).data)

    @extend_schema(
        operation_id="repos_update",
        tags=["repositories"],
        request=s.RepositoryUpdateSerializer,
        responses=s.RepositorySerializer,
    )
    def put(self, request: Request, name: str) -> Response:
        repo = own_repo(request, name)
        incoming = s.RepositoryUpdateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        repo = repos.repo_update(repo=repo, changes=incoming.changes(), ip=client_ip(request))
        return Response(s.RepositorySerializer(repo).data)

    @extend_schema(operation_id="repos_destroy", tags=["repositories"], responses={204: None})
    def delete(self, request: Request, name: str) -> Response:
        repos.repo_delete(repo=own_repo(request, name), ip=client_ip(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class UserRepositoryDetailView(ApiView):
    """``GET /~name/repos/:name``: public and unlisted repositories by name; private ones are 404."""

    required_scope = "repos"
    allow_anonymous_read = True

    @extend_schema(operation_id="user_repos_retrieve", tags=["repositories"], responses=s.RepositorySerializer)
    def get(self, request: Request, username: str, name: str) -> Response:
        theirs = RepoQuery(owner_id=user_id_or_404(username), viewer_id=caller_id(request))
        return Response(s.RepositorySerializer(found(theirs.row(name))).data)


class ReadmeView(ApiView):
    """``GET``/``PUT``/``DELETE /repos/:name/readme``: the README override, ``{"readme": "..."}``."""

    required_scope = "repos"

    @extend_schema(operation_id="repos_readme_retrieve", tags=["repositories"], responses=s.ReadmeSerializer)
    def get(self, request: Request, name: str) -> Response:
        repo = own_repo(request, name)
        if repo.readme is None:
            raise exceptions.NotFound("this repository has no README override")
        return Response({"readme": repo.readme})

    @extend_schema(
        operation_id="repos_readme_update", tags=["repositories"], request=s.ReadmeSerializer, responses={204: None}
    )
    def put(self, request: Request, name: str) -> Response:
        repo = own_repo(request, name)
        incoming = s.ReadmeSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        repos.repo_readme_set(repo=repo, readme=incoming.validated_data["readme"], ip=client_ip(request))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(operation_id="repos_readme_destroy", tags=["repositories"], responses={204: None})
    def delete(self, request: Request, name: str) -> Response:
        repo = own_repo(request, name)
        if repo.readme is not None:
            repos.repo_readme_set(repo=repo, readme=None, ip=client_ip(request))
        return Response(status=status.HTTP_204_NO_CONTENT)

"""Scope enforcement (§2.6) declared by views in one line.

    class RepoList(generics.ListCreateAPIView):
        permission_classes = [ScopePermission]
        required_scope = "repos"            # GET needs repos:read, other methods repos:write
        allow_anonymous_read = True         # anonymous GETs reach the view (public data only)

A missing scope is a 403 naming the scope needed; no credential where one is needed is a 401.
"""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS, BasePermission

from auth.credentials import Credential
from auth.scopes import grants


def needed_scope(view: Any, method: str) -> str | None:
    scope = getattr(view, "required_scope", None)
    if scope is None:
        return None
    if ":" in scope:
        return scope
    return f"{scope}:{'read' if method in SAFE_METHODS else 'write'}"


class ScopePermission(BasePermission):
    def has_permission(self, request: Any, view: Any) -> bool:
        credential = request.auth
        if not isinstance(credential, Credential):
            if request.method in SAFE_METHODS and getattr(view, "allow_anonymous_read", False):
                return True
            raise exceptions.NotAuthenticated("authentication required: send Authorization: Bearer <token or API key>")
        scope = needed_scope(view, request.method)
        if scope is not None and not grants(credential.scopes, scope):
            raise exceptions.PermissionDenied(f"this credential lacks the {scope} scope")
        return True

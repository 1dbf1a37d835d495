"""DRF's default permission: the API pipeline authorized this request for this route.

Views declare what they need as class attributes, which :func:`auth.steps.authorize` reads
before anything could answer from storage (an idempotent replay, say)::

    class RepoList(generics.ListAPIView):
        required_scope = "repos"            # GET needs repos:read, other methods repos:write
        allow_anonymous_read = True         # anonymous GETs reach the view (public data only)

A view reached any other way (no pipeline ran, so nothing was checked) is refused.
"""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission

from core.context import api_context


class Authorized(BasePermission):
    def has_permission(self, request: Any, view: Any) -> bool:
        context = api_context()
        return context is not None and context.authorized

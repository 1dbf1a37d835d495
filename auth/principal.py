"""The user of a JWT-authenticated request, built from the token's claims without a query.

Views that need the row load it with :func:`load_user`; most need only ``request.user.pk``.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from rest_framework import exceptions

from auth.credentials import Credential


class TokenUser:
    """A stand-in for the User row: ``pk``, ``id``, ``username``, authenticated and active."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False

    def __init__(self, user_id: int, username: str) -> None:
        self.pk = self.id = user_id
        self.username = username

    def __str__(self) -> str:
        return self.username

    def __eq__(self, other: object) -> bool:
        return getattr(other, "pk", None) == self.pk and hasattr(other, "username")

    def __hash__(self) -> int:
        return hash(self.pk)


def load_user(request: Any) -> Any:
    """The full User row of the request's user (one query for JWT requests, none otherwise)."""
    user = request.user
    if isinstance(user, TokenUser):
        user = get_user_model().objects.get(pk=user.pk)
        request.user = user
    return user


def request_credential(request: Any) -> Credential:
    """The verified credential of a request that needs one (views with a ``required_scope``)."""
    credential = request.auth
    if not isinstance(credential, Credential):
        raise exceptions.NotAuthenticated("authentication required: send Authorization: Bearer <token or API key>")
    return credential


def request_user_id(request: Any) -> int:
    """The id of the user whose credential the request presented."""
    return request_credential(request).user_id

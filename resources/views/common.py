"""What the resource views share: the caller's id, a user looked up by name, hyphenated bodies."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from rest_framework import exceptions
from rest_framework.request import Request

from accounts.models import User
from resources import selectors


def caller_id(request: Request) -> int | None:
    """The authenticated caller's user id, or None for anonymous requests."""
    return request.user.pk if request.auth is not None else None


def user_or_404(username: str) -> User:
    user = selectors.user_get_by_name(username=username)
    if user is None:
        raise Http404
    return user


def user_id_or_404(username: str) -> int:
    user_id = selectors.user_id_by_name(username=username)
    if user_id is None:
        raise Http404
    return user_id


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

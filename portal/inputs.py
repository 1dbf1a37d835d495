"""The portal's input: the API's own serializers validate a form, and their errors and a
service's (:class:`core.errors.ServiceError`) become one message per field for the page.

    data, errors = validated(ApiKeyCreateSerializer, {"name": "", "scopes": []})
    errors == {"name": "name may not be blank", "scopes": "scopes may not be empty"}

An error no single field is at fault for is under :data:`FORM`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework.serializers import Serializer

from core.errors import ServiceError, flatten

Errors = dict[str, str]
FORM = "form"  # the key of an error about the whole form (a template cannot read "__all__")


def serializer_errors(errors: Any) -> Errors:
    """The first reason for each field, in the API's one voice (``core.errors.flatten``): the page
    says what the API would say for the same input."""
    found: Errors = {}
    for error in flatten(errors):
        field = error.get("field")
        found.setdefault(FORM if field is None else field.split(".")[0], error["reason"])
    return found


def validated(serializer: type[Serializer], data: Mapping[str, Any]) -> tuple[dict[str, Any] | None, Errors]:
    """``(validated data, {})``, or ``(None, errors)``."""
    incoming = serializer(data=data)
    if incoming.is_valid():
        return dict(incoming.validated_data), {}
    return None, serializer_errors(incoming.errors)


def service_errors(exc: ServiceError) -> Errors:
    return {exc.field or FORM: exc.reason}

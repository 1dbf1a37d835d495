"""The portal's input: the API's own serializers validate a form, and their errors and a
service's (:class:`core.errors.ServiceError`) become one message per field for the page.

    data, errors = validated(ApiKeyCreateSerializer, {"name": "", "scopes": []})
    errors == {"name": "This field may not be blank.", "scopes": "This list may not be empty."}

An error no single field is at fault for is under :data:`FORM`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework.serializers import Serializer

from core.errors import ServiceError

Errors = dict[str, str]
FORM = "form"  # the key of an error about the whole form (a template cannot read "__all__")
NON_FIELD = frozenset({"non_field_errors", "__all__"})


def first_message(problems: Any) -> str:
    """The first message of a field's errors: a list, or a list field's ``{index: [...]}``."""
    if isinstance(problems, Mapping):
        return first_message(next(iter(problems.values()), ""))
    if isinstance(problems, list | tuple):
        return first_message(problems[0]) if problems else ""
    return str(problems)


def serializer_errors(errors: Any) -> Errors:
    if not isinstance(errors, Mapping):
        return {FORM: first_message(errors)}
    return {FORM if field in NON_FIELD else field: first_message(problems) for field, problems in errors.items()}


def validated(serializer: type[Serializer], data: Mapping[str, Any]) -> tuple[dict[str, Any] | None, Errors]:
    """``(validated data, {})``, or ``(None, errors)``."""
    incoming = serializer(data=data)
    if incoming.is_valid():
        return dict(incoming.validated_data), {}
    return None, serializer_errors(incoming.errors)


def service_errors(exc: ServiceError) -> Errors:
    return {exc.field or FORM: exc.reason}

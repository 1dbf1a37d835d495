"""OpenAPI additions: ``?fields=``, the sourcehut error shape, conditional requests and idempotency keys.

Every operation shares them, so they are added here rather than on each view: GETs take
``If-None-Match``/``If-Modified-Since`` and may answer 304 with an ``ETag`` (§1.12); PUT and
DELETE take ``If-Match`` and may answer 412; every write takes ``Idempotency-Key`` and may
answer 409 or 422 (§1.13).
"""

from __future__ import annotations

from typing import Any

from core.headers import (
    ETAG,
    IDEMPOTENCY_KEY,
    IDEMPOTENT_REPLAYED,
    IF_MATCH,
    IF_MODIFIED_SINCE,
    IF_NONE_MATCH,
    LAST_MODIFIED,
)

ERROR_SCHEMA = {
    "type": "object",
    "required": ["errors"],
    "properties": {
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["reason"],
                "properties": {"field": {"type": "string"}, "reason": {"type": "string"}},
            },
        }
    },
}


def postprocess(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """Document what every endpoint shares: ``?fields=`` on GETs, errors in sourcehut's shape."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR_SCHEMA
    error_ref = {"$ref": "#/components/schemas/Error"}
    # Routes match with or without a trailing slash; document the canonical form, without.
    result["paths"] = {path.rstrip("/") or path: item for path, item in result.get("paths", {}).items()}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method == "get":
                params = operation.setdefault("parameters", [])
                if not any(p.get("name") == "fields" for p in params):
                    params.append(
                        {
                            "name": "fields",
                            "in": "query",
                            "required": False,
                            "description": "Comma-separated keys to keep in each returned object.",
                            "schema": {"type": "string"},
                        }
                    )
            responses = operation.setdefault("responses", {})
            for code in ("400", "401", "403", "404", "405", "406", "413", "415", "429", "500", "503"):
                responses.setdefault(
                    code,
                    {
                        "description": "Error in sourcehut's shape",
                        "content": {"application/json": {"schema": error_ref}},
                    },
                )
    document_conditional_requests(result, error_ref)
    document_idempotency(result, error_ref)
    document_negotiation(result)
    relax_for_fields(components)
    return result


def header(name: str, description: str, **schema: Any) -> dict[str, Any]:
    return {"name": name, "in": "header", "required": False, "description": description, "schema": schema}


def add_parameter(operation: dict[str, Any], parameter: dict[str, Any]) -> None:
    params = operation.setdefault("parameters", [])
    if not any(p.get("name") == parameter["name"] and p.get("in") == "header" for p in params):
        params.append(parameter)


def add_error(operation: dict[str, Any], code: str, description: str, error_ref: dict[str, Any]) -> None:
    operation.setdefault("responses", {}).setdefault(
        code, {"description": description, "content": {"application/json": {"schema": error_ref}}}
    )


STRING = {"schema": {"type": "string"}}
ETAG_HEADER = {"description": "Strong entity tag of this representation (a hash of its bytes).", **STRING}
LAST_MODIFIED_HEADER = {"description": "When the resource last changed (resources with `updated`).", **STRING}
REPLAYED_HEADER = {"description": "`true` on the stored answer to a retried Idempotency-Key.", **STRING}
WRITE_METHODS = ("post", "put", "patch", "delete")


def document_conditional_requests(result: dict[str, Any], error_ref: dict[str, Any]) -> None:
    """GETs: If-None-Match / If-Modified-Since, ETag, 304. PUT/DELETE: If-Match, 412."""
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method == "get":
                add_parameter(operation, header(IF_NONE_MATCH, "ETags you hold; a match answers 304.", type="string"))
                add_parameter(
                    operation,
                    header(IF_MODIFIED_SINCE, "An HTTP date; unchanged since answers 304.", type="string"),
                )
                responses = operation.setdefault("responses", {})
                for code, response in responses.items():
                    if code == "200":
                        response.setdefault("headers", {}).update(
                            {ETAG: ETAG_HEADER, LAST_MODIFIED: LAST_MODIFIED_HEADER}
                        )
                responses.setdefault(
                    "304",
                    {
                        "description": "Not modified: your copy is current. No body; costs no rate-limit quota.",
                        "headers": {ETAG: ETAG_HEADER, LAST_MODIFIED: LAST_MODIFIED_HEADER},
                    },
                )
            elif method in ("put", "patch", "delete"):
                add_parameter(
                    operation, header(IF_MATCH, "Proceed only if the resource still has this ETag.", type="string")
                )
                add_error(operation, "412", "Precondition failed: the resource changed (If-Match)", error_ref)


def document_idempotency(result: dict[str, Any], error_ref: dict[str, Any]) -> None:
    """Writes: Idempotency-Key, Idempotent-Replayed on success, 409 and 422."""
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in WRITE_METHODS:
                continue
            add_parameter(
                operation,
                header(
                    IDEMPOTENCY_KEY,
                    "A unique key (at most 255 characters) that makes a retry of this request safe for 24 h.",
                    type="string",
                    minLength=1,
                    maxLength=255,
                ),
            )
            for code, response in operation.setdefault("responses", {}).items():
                if code.startswith("2"):
                    response.setdefault("headers", {})[IDEMPOTENT_REPLAYED] = REPLAYED_HEADER
            add_error(operation, "409", "Conflict: a request with this Idempotency-Key is still in progress", error_ref)
            add_error(operation, "422", "The Idempotency-Key was used for a different request", error_ref)


def document_negotiation(result: dict[str, Any]) -> None:
    """Every JSON body is also served as YAML (``Accept: application/yaml`` or ``?format=yaml``)."""
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            for response in operation.get("responses", {}).values():
                content = response.get("content", {})
                if "application/json" in content:
                    content.setdefault("application/yaml", content["application/json"])


def relax_for_fields(components: dict[str, Any]) -> None:
    """``?fields=`` may leave out any key of a returned object, so response objects list no
    required keys (request components, suffixed ``Request``, and ``Error`` keep theirs)."""
    for name, component in components.items():
        if name == "Error" or name.endswith("Request"):
            continue
        component.pop("required", None)


def spectacular_settings(
    *, title: str, version: str, docs_client_id: str, enum_name_overrides: dict[str, str]
) -> dict[str, Any]:
    """drf-spectacular's ``SPECTACULAR_SETTINGS``: the document, Swagger UI and Redoc served from
    the service itself (§1.14: nothing from outside), Swagger's *Authorize* as ``docs_client_id``."""
    return {
        "TITLE": title,
        "DESCRIPTION": (
            "A sourcehut-style developer API: users, SSH and PGP keys, an audit log and "
            "repositories; API keys and JWTs; Redis-backed rate limits; Ed25519-signed webhooks."
        ),
        "VERSION": version,
        "SERVE_INCLUDE_SCHEMA": False,
        "SCHEMA_PATH_PREFIX": "/api/v1",
        "SWAGGER_UI_DIST": "SIDECAR",
        "REDOC_DIST": "SIDECAR",
        "COMPONENT_SPLIT_REQUEST": True,
        # validatorUrl: no badge fetched from validator.swagger.io
        "SWAGGER_UI_SETTINGS": {"persistAuthorization": True, "validatorUrl": None},
        # "Authorize" runs the authorization-code flow with PKCE as the seeded public demo client.
        "SWAGGER_UI_OAUTH2_CONFIG": {"usePkceWithAuthorizationCodeGrant": True, "clientId": docs_client_id},
        "ENUM_NAME_OVERRIDES": enum_name_overrides,
        "POSTPROCESSING_HOOKS": [
            "drf_spectacular.hooks.postprocess_schema_enums",
            "core.schema.postprocess",
            "core.schema_security.postprocess",  # open padlocks where a credential is optional
        ],
    }

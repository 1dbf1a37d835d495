"""OpenAPI additions: ``?fields=``, the sourcehut error shape, conditional requests and idempotency keys.

Every operation shares them, so they are added here rather than on each view: GETs take
``If-None-Match``/``If-Modified-Since`` and may answer 304 with an ``ETag`` (§1.12); PUT and
DELETE take ``If-Match`` and may answer 412; every write takes ``Idempotency-Key`` and may
answer 409 or 422 (§1.13).

The document is also what SDK generators read (issue 26.10: ``tests/test_sdk.py`` builds a
typed client from it with openapi-python-client and runs it under mypy), so it says what a
typed client needs: response objects list their ``required`` keys; ids in paths have the
type of the ids in bodies; every enum value has a name (``x-enum-varnames``); only JSON is
documented (YAML, which the service also serves by ``Accept``, is said in the description:
a second media type, or DRF's ``?format=``, makes generated clients mis-parse answers).
"""

from __future__ import annotations

import re
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
    "description": "Every answer of status 400 or more (§1.7): one entry per fault, every bad field listed.",
    "required": ["errors"],
    "properties": {"errors": {"type": "array", "items": {"$ref": "#/components/schemas/ErrorDetail"}}},
}
ERROR_DETAIL_SCHEMA = {
    "type": "object",
    "description": "One fault: the request field at fault, if any, and why, in words.",
    "required": ["reason"],
    "properties": {
        "field": {
            "type": "string",
            "description": "The request field at fault (dotted when nested); absent when none is.",
        },
        "reason": {"type": "string", "description": 'What is wrong, e.g. "name is required".'},
    },
}
# Path parameters that are ids (core.routing.PATH_IDS), typed as the ids in bodies are.
PATH_ID_SCHEMAS: dict[str, dict[str, Any]] = {
    "id": {"type": "integer", "format": "int64", "minimum": 0},
    "webhook_id": {"type": "integer", "format": "int64", "minimum": 0},
    "delivery_id": {"type": "string", "format": "uuid"},
    "uuid": {"type": "string", "format": "uuid"},
    "fingerprint": {"type": "string", "pattern": "^[0-9A-Fa-f ]+$"},
}
NEGOTIATION = (
    "\n\nEvery answer documented here is JSON. The same resources are served as YAML with "
    "`Accept: application/yaml` and as a browsable HTML page with `Accept: text/html`."
)


def postprocess(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """Document what every endpoint shares: ``?fields=`` on GETs, errors in sourcehut's shape."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR_SCHEMA
    components["ErrorDetail"] = ERROR_DETAIL_SCHEMA
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
                            "description": (
                                "Comma-separated keys to keep in each returned object (§1.4); the objects "
                                "then carry only those keys, so they may lack keys the schema marks required."
                            ),
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
    type_path_ids(result)
    require_request_bodies(result)
    name_enum_values(components)
    markdown_descriptions(result)
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
    """JSON only: no ``?format=`` parameter and no second media type on any operation; the
    description says that YAML and HTML are served by ``Accept`` too."""
    info = result.setdefault("info", {})
    info["description"] = (info.get("description") or "") + NEGOTIATION
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            params = operation.get("parameters", [])
            operation["parameters"] = [p for p in params if not (p.get("in") == "query" and p.get("name") == "format")]
            if not operation["parameters"]:
                del operation["parameters"]
            bodies = [operation.get("requestBody", {}), *operation.get("responses", {}).values()]
            for each in bodies:
                content = each.get("content")
                if content and "application/json" in content:
                    each["content"] = {"application/json": content["application/json"]}


def type_path_ids(result: dict[str, Any]) -> None:
    """An id in a path has the type of the id in the body (an integer, a UUID): routes match any
    segment there so that a malformed id is a 400 (``core.routing``), which would otherwise
    make drf-spectacular document a string of any character."""
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            for param in operation.get("parameters", []):
                if param.get("in") == "path" and param.get("name") in PATH_ID_SCHEMAS:
                    param["schema"] = dict(PATH_ID_SCHEMAS[param["name"]])


def require_request_bodies(result: dict[str, Any]) -> None:
    """Every documented request body is required (an update of nothing is ``{}``), except the
    key exchange's, whose key may come in the query string instead."""
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            body = operation.get("requestBody")
            if body is not None and operation.get("operationId") != "authenticate":
                body["required"] = True


def enum_value_name(value: Any) -> str:
    """``"repos:read"`` -> ``REPOS_READ``, ``"*"`` -> ``ALL``, ``""`` -> ``BLANK``: a name a
    generated client can use (openapi-python-client would say ``VALUE_0``)."""
    if value == "*":
        return "ALL"
    name = re.sub(r"[^A-Za-z0-9]+", "_", str(value)).strip("_").upper()
    return name if name and not name[0].isdigit() else f"VALUE_{name}" if name else "BLANK"


def markdown_descriptions(node: Any) -> None:
    """Descriptions taken from docstrings, in Markdown: RST's ````code```` becomes ```code```."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "description" and isinstance(value, str):
                node[key] = value.replace("``", "`")
            else:
                markdown_descriptions(value)
    elif isinstance(node, list):
        for each in node:
            markdown_descriptions(each)


def name_enum_values(components: dict[str, Any]) -> None:
    for component in components.values():
        values = component.get("enum")
        if values and "x-enum-varnames" not in component:
            component["x-enum-varnames"] = [enum_value_name(value) for value in values]


def spectacular_settings(
    *, title: str, version: str, docs_client_id: str, enum_name_overrides: dict[str, str], hooks: list[str]
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
        # "" in a choice field that allows it is documented in the field, not as a BlankEnum member
        "ENUM_ADD_EXPLICIT_BLANK_NULL_CHOICE": False,
        "POSTPROCESSING_HOOKS": [
            "drf_spectacular.hooks.postprocess_schema_enums",
            "core.schema.postprocess",
            *hooks,  # the wiring's (each operation's summary and description)
            "core.schema_security.postprocess",  # open padlocks where a credential is optional
        ],
    }

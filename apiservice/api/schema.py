"""OpenAPI additions: the ``?fields=`` parameter and the sourcehut error shape on every operation."""

from __future__ import annotations

from typing import Any

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
    document_negotiation(result)
    relax_for_fields(components)
    return result


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

"""OpenAPI: how to present a credential, for Swagger UI's "Authorize" and for client generators;
and the fields that take a list or a whitespace-separated string (``WordsField``).

Two schemes: ``bearer`` (a JWT, an API key or an OAuth access token pasted in) and
``oauth2`` (the authorization-code flow, which Swagger UI runs with PKCE as the public
``apiservice-docs`` client, which ``migrate`` creates: ``auth.oauth.docs_client``).
"""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerFieldExtension

from auth.oauth.scopes import describe
from auth.scopes import ALL_SCOPES
from auth.steps import needed_scope


class CredentialAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "auth.authentication.ContextAuthentication"
    name = ["bearer", "oauth2"]

    def get_security_requirement(self, auto_schema):  # type: ignore[no-untyped-def]
        # Either scheme (OR); the oauth2 alternative names the scope the operation needs.
        scope = needed_scope(getattr(auto_schema.view, "required_scope", None), auto_schema.method.upper())
        return [{"bearer": []}, {"oauth2": [scope] if scope else []}]

    def get_security_definition(self, auto_schema):  # type: ignore[no-untyped-def]
        return [
            {
                "type": "http",
                "scheme": "bearer",
                "description": (
                    "A JWT from POST /api/v1/authenticate, an API key itself, or an OAuth access token. "
                    "Sourcehut's `Authorization: token <credential>` is accepted too."
                ),
            },
            {
                "type": "oauth2",
                "description": "Authorization code with PKCE (S256); see docs/authentication.md.",
                "flows": {
                    "authorizationCode": {
                        "authorizationUrl": "/authorize",
                        "tokenUrl": "/api/v1/oauth/token",
                        "refreshUrl": "/api/v1/oauth/token",
                        "scopes": {scope: describe(scope) for scope in ALL_SCOPES},
                    }
                },
            },
        ]


class WordsFieldSchema(OpenApiSerializerFieldExtension):
    """``oneOf``: the list as any ``ListField`` is documented, or one whitespace-separated string."""

    target_class = "auth.oauth.serializers.WordsField"

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        listed = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        listed.pop("description", None)  # the field's help text: given once, beside the oneOf
        words = {"type": "string", "description": "the same items in one string, separated by whitespace"}
        return {"oneOf": [listed, words]}

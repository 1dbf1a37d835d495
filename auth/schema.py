"""OpenAPI: how to present a credential, for Swagger UI's "Authorize" and for client generators."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class CredentialAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "auth.authentication.CredentialAuthentication"
    name = "bearer"

    def get_security_definition(self, auto_schema):  # type: ignore[no-untyped-def]
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "A JWT from POST /api/v1/authenticate, or an API key itself. "
                "Sourcehut's `Authorization: token <credential>` is accepted too."
            ),
        }

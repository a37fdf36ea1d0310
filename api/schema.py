"""OpenAPI additions: the session-token scheme, and the error envelope on every operation, so a
client generated from the schema can read every answer the API gives."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension

ERROR_ENVELOPE = {
    "type": "object",
    "required": ["status", "errors"],
    "properties": {
        "status": {"type": "integer"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["code", "message", "param"],
                "properties": {
                    "code": {"type": "string", "description": "Stable, snake_case."},
                    "message": {"type": "string", "description": "For people."},
                    "param": {
                        "type": "string",
                        "nullable": True,
                        "description": "The field (dotted path) or header it is about.",
                    },
                },
            },
        },
    },
}
ERRORS = {
    "400": "Invalid input",
    "401": "Not signed in",
    "403": "Not allowed inside this family",
    "404": "Not found, or not yours to see",
    "405": "Method not allowed",
    "409": "Not possible in the current state",
    "415": "Body is not JSON",
    "422": "Idempotency-Key reused for another request",
    "429": "Too many requests",
    "500": "Server error; nothing was saved",
}


class SessionTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]  # untyped base
    target_class = "api.authentication.SessionTokenAuthentication"
    name = "sessionToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "X-Session-Token",
            "description": "allauth's app-client session token (POST /_allauth/app/v1/auth/login).",
        }


class CsrfSessionScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]  # untyped base
    target_class = "api.authentication.CsrfSessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": "sessionid",
            "description": "allauth's browser-client session; unsafe methods need X-CSRFToken.",
        }


def add_error_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook."""
    result.setdefault("components", {}).setdefault("schemas", {})["ErrorEnvelope"] = ERROR_ENVELOPE
    ref = {"$ref": "#/components/schemas/ErrorEnvelope"}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status, description in ERRORS.items():
                responses.setdefault(
                    status,
                    {"description": description, "content": {"application/json": {"schema": ref}}},
                )
    return result

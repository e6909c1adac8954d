"""The OpenAPI schema as clients see it: what every operation answers, errors included."""

from typing import Any

from drf_spectacular.views import SpectacularAPIView
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Every client error: a stable machine code, a human message, and the "
                   "fields at fault (validation errors).",
    "properties": {"error": {
        "type": "object",
        "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                       "fields": {"type": "object", "additionalProperties": True}},
        "required": ["code", "message", "fields"],
    }},
    "required": ["error"],
}

# The OpenAI-compatible door (/v1) answers errors in OpenAI's own shape, which its SDKs parse.
OPENAI_ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Every /v1 error, as OpenAI's SDKs parse it (plus Castline's own code).",
    "properties": {"error": {
        "type": "object",
        "properties": {"message": {"type": "string"}, "type": {"type": "string"},
                       "param": {"type": "string", "nullable": True},
                       "code": {"type": "string", "nullable": True}},
        "required": ["message", "type"],
        "additionalProperties": True,
    }},
    "required": ["error"],
}


def error_responses_add(result: dict[str, Any], generator: Any, request: Any, public: bool
                        ) -> dict[str, Any]:
    """POSTPROCESSING_HOOK: every status an operation does not list answers the error shape.

    Operations list their successes; 4xx (and 503 when a service is down) can come from
    anywhere (authentication, throttling, validation, a missing row), always in one shape.
    """
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"], schemas["OpenAIError"] = ERROR_SCHEMA, OPENAI_ERROR_SCHEMA
    for path, item in result.get("paths", {}).items():
        name = "OpenAIError" if path.startswith("/v1/") else "Error"
        reference = {"$ref": f"#/components/schemas/{name}"}
        for operation in item.values():
            operation.setdefault("responses", {}).setdefault("default", {
                "description": "An error, in this door's error shape.",
                "content": {"application/json": {"schema": reference}}})
    return result


class SchemaView(SpectacularAPIView):
    """The schema in YAML (or JSON with ?format=json); its own errors always in JSON."""

    def finalize_response(self, request: Request, response: Any, *args: Any,
                          **kwargs: Any) -> Any:
        if isinstance(response, Response) and response.status_code >= 400:
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = "application/json"
        return super().finalize_response(request, response, *args, **kwargs)

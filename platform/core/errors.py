"""One error shape for every client error: {"error": {"code", "message", "fields"}}.

Services raise `DomainError` subclasses with a stable machine code; the DRF exception handler
and the plain-Django handlers below turn everything into that shape.
"""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler


class DomainError(Exception):
    """A refusal a client can cause; `code` is stable and documented, `message` is human."""

    status_code: int = status.HTTP_400_BAD_REQUEST

    def __init__(self, code: str, message: str, *, status_code: int | None = None,
                 fields: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.fields = fields or {}
        if status_code is not None:
            self.status_code = status_code


class NotFoundError(DomainError):
    status_code = status.HTTP_404_NOT_FOUND


class ConflictError(DomainError):
    status_code = status.HTTP_409_CONFLICT


class ForbiddenError(DomainError):
    status_code = status.HTTP_403_FORBIDDEN


def error_body(code: str, message: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


_DRF_CODES: list[tuple[type[exceptions.APIException], str]] = [
    (exceptions.ParseError, "request.malformed"),
    (exceptions.UnsupportedMediaType, "request.unsupported_media_type"),
    (exceptions.NotAuthenticated, "auth.not_authenticated"),
    (exceptions.AuthenticationFailed, "auth.invalid_token"),
    (exceptions.PermissionDenied, "permission_denied"),
    (exceptions.NotFound, "not_found"),
    (exceptions.MethodNotAllowed, "request.method_not_allowed"),
    (exceptions.NotAcceptable, "request.not_acceptable"),
    (exceptions.Throttled, "rate_limited"),
]


def _flatten_fields(detail: Any) -> dict[str, Any]:
    if isinstance(detail, dict):
        return {key: _flatten_fields(value) if isinstance(value, dict) else
                [str(item) for item in (value if isinstance(value, list) else [value])]
                for key, value in detail.items()}
    return {"non_field_errors": [str(item) for item in detail]} if isinstance(detail, list) else {}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        return Response(error_body(exc.code, exc.message, exc.fields), status=exc.status_code)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    if isinstance(exc, exceptions.ValidationError):
        response.data = error_body("validation_error", "The request has invalid fields.",
                                   _flatten_fields(exc.detail))
        return response
    code = next((c for cls, c in _DRF_CODES if isinstance(exc, cls)), "request.error")
    message = str(exc.detail) if not isinstance(exc.detail, (dict, list)) else "Request error."
    if isinstance(exc, exceptions.AuthenticationFailed) and isinstance(exc.detail, dict):
        message = str(exc.detail.get("detail", "Invalid or expired token."))
    response.data = error_body(code, message)
    return response


def json_bad_request(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse(error_body("request.malformed", "Bad request."), status=400)


def json_not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse(error_body("not_found", "Not found."), status=404)


def json_server_error(request: HttpRequest) -> JsonResponse:
    return JsonResponse(error_body("server_error", "Something went wrong on our side."),
                        status=500)


def axes_lockout_response(request: HttpRequest, original_response: object = None,
                          credentials: object = None) -> JsonResponse:
    """django-axes lock-outs in the common error shape."""
    return JsonResponse(error_body("auth.locked_out",
                                   "Too many failed attempts; try again later."), status=429)

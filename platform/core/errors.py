"""One error shape for every client error: {"error": {"code", "message", "fields"}}.

Services raise `DomainError` subclasses with a stable machine code; the DRF exception handler
and the plain-Django handlers below turn everything into that shape.
"""

import logging
import sys
from typing import Any

import redis
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import InterfaceError as DatabaseInterfaceError
from django.db import OperationalError as DatabaseOperationalError
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

logger = logging.getLogger(__name__)


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


class ServiceUnavailableError(DomainError):
    """A service we depend on (Postgres, Redis) cannot be reached: a 503 with Retry-After."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE


SERVICE_UNAVAILABLE = "service.unavailable"
RETRY_AFTER_S = 5
# What a dropped Postgres or Redis raises (a refused or timed-out connection, a connection
# cut mid-query): the request cannot be served now but can be retried.
DEPENDENCY_ERRORS: tuple[type[Exception], ...] = (
    DatabaseOperationalError, DatabaseInterfaceError, redis.ConnectionError, redis.TimeoutError)


def service_unavailable_error() -> ServiceUnavailableError:
    return ServiceUnavailableError(SERVICE_UNAVAILABLE, "A service we depend on is unavailable "
                                   "for a moment; please retry shortly.")


def _service_unavailable_body(exc: Exception) -> dict[str, Any]:
    logger.warning("dependency unavailable", extra={"error": type(exc).__name__})
    error = service_unavailable_error()
    return error_body(error.code, error.message)


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
    if isinstance(exc, DEPENDENCY_ERRORS):
        return Response(_service_unavailable_body(exc), status=503,
                        headers={"Retry-After": str(RETRY_AFTER_S)})
    if isinstance(exc, DomainError):
        headers = ({"Retry-After": str(RETRY_AFTER_S)}
                   if isinstance(exc, ServiceUnavailableError) else None)
        return Response(error_body(exc.code, exc.message, exc.fields), status=exc.status_code,
                        headers=headers)
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
    """Django's handler500, called while the exception is being handled: a dependency that
    failed outside a DRF view (middleware, sessions, plain views) is a 503 too."""
    exc = sys.exc_info()[1]
    if isinstance(exc, DEPENDENCY_ERRORS):
        response = JsonResponse(_service_unavailable_body(exc), status=503)
        response["Retry-After"] = str(RETRY_AFTER_S)
        return response
    return JsonResponse(error_body("server_error", "Something went wrong on our side."),
                        status=500)


def axes_lockout_response(request: HttpRequest, original_response: object = None,
                          credentials: object = None) -> JsonResponse:
    """django-axes lock-outs in the common error shape."""
    return JsonResponse(error_body("auth.locked_out",
                                   "Too many failed attempts; try again later."), status=429)

"""OpenAI's error shape, {"error": {"message", "type", "param", "code"}}, with the statuses the
SDKs turn into their exception classes. The app's errors are made first (core.errors) and
translated here, so both doors refuse the same things for the same reasons."""

import math
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from core.errors import api_exception_handler

# Castline code -> (HTTP status, OpenAI type, OpenAI code); the rest go by their status.
_BY_CODE: dict[str, tuple[int, str, str]] = {
    "validation_error": (400, "invalid_request_error", "invalid_value"),
    "request.malformed": (400, "invalid_request_error", "invalid_json"),
    "moderation.prompt_blocked": (400, "invalid_request_error", "moderation_blocked"),
    "billing.insufficient_credits": (429, "insufficient_quota", "insufficient_quota"),
    "billing.account_in_debt": (429, "insufficient_quota", "insufficient_quota"),
    "auth.not_authenticated": (401, "invalid_request_error", "missing_api_key"),
    "auth.invalid_token": (401, "invalid_request_error", "invalid_api_key"),
    "rate_limited": (429, "requests", "rate_limit_exceeded"),
    "generation.too_many_active_jobs": (429, "requests", "rate_limit_exceeded"),
    "generation.teen_daily_limit": (429, "requests", "rate_limit_exceeded"),
    "not_found": (404, "invalid_request_error", "not_found"),
    # A value outside the listed ones, as OpenAI names it ("Invalid value: '5'. Supported
    # values are: ..."); Castline's own code stays in `castline_code`.
    "openai.unknown_model": (400, "invalid_request_error", "invalid_value"),
    "openai.unsupported_size": (400, "invalid_request_error", "invalid_value"),
    "openai.unsupported_seconds": (400, "invalid_request_error", "invalid_value"),
}
MISSING = "missing_required_parameter"
_BY_STATUS = {400: "invalid_request_error", 401: "invalid_request_error",
              403: "permission_error", 404: "invalid_request_error", 409: "conflict_error",
              413: "invalid_request_error", 415: "invalid_request_error",
              422: "invalid_request_error", 429: "requests"}
# When a job slot frees up, at the earliest: about one short job.
ACTIVE_JOBS_RETRY_S = 10


def _free_refill_seconds(now: datetime | None = None) -> int:
    """Until the daily free allowance tops up: when too little credit stops waiting."""
    now = now or datetime.now(UTC)
    reset = now.replace(hour=settings.CREDITS_FREE_RESET_HOUR_UTC, minute=0, second=0,
                        microsecond=0)
    if reset <= now:
        reset += timedelta(days=1)
    return max(1, math.ceil((reset - now).total_seconds()))


def openai_error(*, status: int, message: str, type_: str, code: str | None,
                 param: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"error": {"message": message, "type": type_, "param": param, "code": code,
                      **extra}}


def _param(fields: dict[str, Any]) -> str | None:
    if not fields:
        return None
    name = next(iter(fields))
    return None if name in ("non_field_errors", "codes", "required", "available", "debt") \
        else name


def _missing_field(exc: Exception | None) -> str | None:
    """The field named by a validation error's first entry, when that entry says it is
    missing (DRF's `required` / `null`): the message then speaks of that field alone."""
    if not isinstance(exc, ValidationError) or not isinstance(exc.detail, dict):
        return None
    codes = exc.get_codes()
    if not isinstance(codes, dict) or not codes:
        return None
    name, field_codes = next(iter(codes.items()))
    if isinstance(field_codes, list) and field_codes and field_codes[0] in ("required", "null"):
        return str(name)
    return None


def translate(response: Response, exc: Exception | None = None) -> Response:
    """Rewrite one of core.errors' responses into OpenAI's shape (headers kept)."""
    body = response.data.get("error", {}) if isinstance(response.data, dict) else {}
    castline_code = str(body.get("code", "request.error"))
    message = str(body.get("message", "Request error."))
    fields: dict[str, Any] = dict(body.get("fields") or {})
    status, type_, code = _BY_CODE.get(castline_code, (
        response.status_code, _BY_STATUS.get(response.status_code, "server_error"),
        castline_code))
    extra: dict[str, Any] = {"castline_code": castline_code}
    param = _param(fields)
    if castline_code == "validation_error":
        details = [f"{name}: {' '.join(map(str, v)) if isinstance(v, list) else v}"
                   for name, v in fields.items()]
        message = f"Invalid request: {'; '.join(details)}" if details else message
        missing = _missing_field(exc)
        if missing is not None:  # OpenAI's words for it, and its code
            code, param, message = MISSING, missing, f"Missing required parameter: '{missing}'."
    if castline_code == "moderation.prompt_blocked":
        param = "prompt"
        extra["reason_codes"] = list(fields.get("codes", []))
    response.status_code = status
    response.data = openai_error(status=status, message=message, type_=type_, code=code,
                                 param=param, **extra)
    if status == 429:
        _retry_headers(response, castline_code)
    elif status == 409:
        # The SDKs retry 409s (lock timeouts at OpenAI); ours are states that a retry within
        # seconds does not change (a source still generating, a reused Idempotency-Key).
        response["x-should-retry"] = "false"
    return response


def _retry_headers(response: Response, castline_code: str) -> None:
    if castline_code.startswith("billing."):
        seconds = float(_free_refill_seconds())
        # Waiting minutes inside a client helps nobody: tell the SDKs not to retry.
        response["x-should-retry"] = "false"
    elif response.has_header("Retry-After"):
        seconds = float(response["Retry-After"])
    else:
        seconds = float(ACTIVE_JOBS_RETRY_S)
    response["Retry-After"] = str(max(1, math.ceil(seconds)))
    response["Retry-After-Ms"] = str(max(1, math.ceil(seconds * 1000)))


def openai_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    response = api_exception_handler(exc, context)
    if response is None:
        return None
    return translate(response, exc)


def openai_not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse(openai_error(status=404, message=f"Unknown path {request.path}.",
                                     type_="invalid_request_error", code="unknown_url"),
                        status=404)

"""DRF's rate limits (kept in the cache: Redis when configured), with a stated direction for
when Redis cannot be reached.

- Credit-spending writes (the scopes in FAIL_CLOSED_SCOPES) fail closed: 503
  `service.unavailable` with Retry-After. They cannot be counted, and the jobs they start
  need the broker, which is the same Redis.
- Everything else fails open: served without a limit, with a warning line per request.
  Credits, the active-jobs limit and the login lock-out live in Postgres and still hold.
"""

import logging
from typing import Any

import redis
from rest_framework import throttling
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request

logger = logging.getLogger(__name__)
FAIL_CLOSED_SCOPES = frozenset({"video_create"})
CACHE_ERRORS = (redis.ConnectionError, redis.TimeoutError)


class _StatedFailure(throttling.SimpleRateThrottle):
    def allow_request(self, request: Request, view: Any) -> bool:
        try:
            return super().allow_request(request, view)
        except CACHE_ERRORS as exc:
            if getattr(view, "throttle_scope", None) in FAIL_CLOSED_SCOPES and \
                    request.method not in SAFE_METHODS:
                # imported here: core.errors imports DRF's views, which import this module
                from .errors import service_unavailable_error

                raise service_unavailable_error() from exc
            logger.warning("rate limit not applied: cache unavailable",
                           extra={"path": request.path, "error": type(exc).__name__})
            return True


class AnonRateThrottle(_StatedFailure, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(_StatedFailure, throttling.UserRateThrottle):
    pass


class ScopedRateThrottle(_StatedFailure, throttling.ScopedRateThrottle):
    pass

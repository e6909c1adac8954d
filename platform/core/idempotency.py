"""`Idempotency-Key` for POSTs that spend credits.

Same key + same body: the first response is replayed. Same key + another body: 409.
The record is written in the same transaction as the work, so a failed attempt leaves no
record and can be retried with the same key.
"""

import functools
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.facade import request_user

from .errors import ConflictError, DomainError
from .models import IdempotencyRecord

MAX_KEY_LENGTH = 255
ViewMethod = Callable[..., Response]


def _request_fingerprint(request: Request) -> str:
    def plain(value: Any) -> Any:
        if isinstance(value, UploadedFile):
            return {"file": value.name, "size": value.size}
        return value

    data = request.data
    items = data.lists() if hasattr(data, "lists") else data.items()
    body = {key: [plain(v) for v in value] if isinstance(value, list) else plain(value)
            for key, value in items}
    canonical = json.dumps([request.path, body], sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def idempotent(scope: str) -> Callable[[ViewMethod], ViewMethod]:
    def decorator(method: ViewMethod) -> ViewMethod:
        @functools.wraps(method)
        def wrapper(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
            key = request.headers.get("Idempotency-Key")
            if key is None:
                return method(self, request, *args, **kwargs)
            if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
                raise DomainError("idempotency.invalid_key",
                                  f"Idempotency-Key must be 1-{MAX_KEY_LENGTH} printable chars.")
            fingerprint = _request_fingerprint(request)
            user = request_user(request)
            existing = IdempotencyRecord.objects.filter(user=user, scope=scope,
                                                        key=key).first()
            if existing is not None:
                return _replay(existing, fingerprint)
            try:
                with transaction.atomic():
                    response = method(self, request, *args, **kwargs)
                    IdempotencyRecord.objects.create(
                        user=user, scope=scope, key=key, request_hash=fingerprint,
                        status_code=response.status_code, response_body=response.data)
                    return response
            except IntegrityError:
                # A concurrent request with the same key won the race; answer like it did.
                winner = IdempotencyRecord.objects.get(user=user, scope=scope, key=key)
                return _replay(winner, fingerprint)

        return wrapper

    return decorator


def _replay(record: IdempotencyRecord, fingerprint: str) -> Response:
    if record.request_hash != fingerprint:
        raise ConflictError("idempotency.key_reused",
                            "This Idempotency-Key was already used with a different request.")
    return Response(record.response_body, status=record.status_code,
                    headers={"Idempotent-Replayed": "true"})

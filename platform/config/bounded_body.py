"""Django's ASGI handler for HTTP, with two changes to how it reads a request body.

Django reads the whole body into a temporary file before any view runs, with no bound, and
parses only a body whose `Content-Length` was declared. So a chunked upload (a streamed
request body: OkHttp, URLSession, the openai npm SDK given a stream) arrived empty, its fields
"required", its PATCH a silent no-op; and a chunked body of any size was spooled to disk
whole before a view could refuse it.
- A body over `MAX_REQUEST_BODY_BYTES` (the largest upload bound plus the multipart envelope)
  is a 413 `upload.too_large` at once when declared, and as soon as that many bytes arrived
  when chunked; nothing more is read or stored.
- A chunked body, once read, gets the `CONTENT_LENGTH` it has, so it is parsed like any other.
The views' own, smaller bounds still answer first with their own codes.
"""

import os
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import IO, Any

from django.conf import settings
from django.core.handlers.asgi import ASGIHandler, ASGIRequest
from django.http import HttpResponse, HttpResponseBase, JsonResponse

Message = Mapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

# The /v1 door answers in OpenAI's error shape (openai_api/errors.py); the rest in ours.
OPENAI_PREFIX = "/v1/"


class BodyTooLargeError(Exception):
    """More body bytes arrived than MAX_REQUEST_BODY_BYTES."""


def declared_length(scope: dict[str, Any]) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server's HTTP parser refuses these before us
    return None


def too_large_response(path: str) -> HttpResponse:
    limit = settings.MAX_REQUEST_BODY_BYTES
    message = f"The request body is too large (at most {limit} bytes)."
    if path.startswith(OPENAI_PREFIX):
        body: dict[str, Any] = {"error": {"message": message, "type": "invalid_request_error",
                                          "param": None, "code": "request_too_large",
                                          "castline_code": "upload.too_large"}}
    else:
        body = {"error": {"code": "upload.too_large", "message": message, "fields": {}}}
    response = JsonResponse(body, status=413)
    response["X-Request-ID"] = uuid.uuid4().hex
    response["Connection"] = "close"  # the rest of the body is never read
    return response


class BoundedBodyASGIHandler(ASGIHandler):
    async def handle(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:  # type: ignore[override]
        declared = declared_length(scope)
        if declared is not None and declared > settings.MAX_REQUEST_BODY_BYTES:
            await self.send_response(too_large_response(scope["path"]), send)
            return
        try:
            await super().handle(scope, receive, send)
        except BodyTooLargeError:
            await self.send_response(too_large_response(scope["path"]), send)

    async def read_body(self, receive: Receive) -> IO[bytes]:
        limit = settings.MAX_REQUEST_BODY_BYTES
        received = 0

        async def bounded() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise BodyTooLargeError
            return message

        return await super().read_body(bounded)

    def create_request(self, scope: Mapping[str, Any], body_file: IO[bytes]
                       ) -> tuple[ASGIRequest, None] | tuple[None, HttpResponseBase]:
        made = super().create_request(scope, body_file)
        request = made[0]
        if request is not None and "CONTENT_LENGTH" not in request.META:
            size = body_file.seek(0, os.SEEK_END)
            body_file.seek(0)
            if size:
                request.META["CONTENT_LENGTH"] = str(size)
        return made

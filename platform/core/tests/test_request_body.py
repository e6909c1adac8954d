"""Request bodies through the real ASGI application (config.asgi), sent as a streaming client
sends them: chunked (no Content-Length), or declared larger than any door takes."""

import json
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator
from django.contrib.auth import get_user_model

from config.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)


def http_call(method: str, path: str, chunks: list[bytes], headers: list[tuple[bytes, bytes]]
              ) -> tuple[int, dict[str, Any]]:
    """One request whose body arrives in `chunks` (ASGI `more_body` messages)."""
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": method, "scheme": "http", "path": path, "raw_path": path.encode(),
             "query_string": b"", "root_path": "", "headers": [(b"host", b"testserver"),
                                                               *headers],
             "client": ("127.0.0.1", 50000), "server": ("testserver", 80)}

    async def run() -> tuple[int, dict[str, Any]]:
        app = ApplicationCommunicator(application, scope)
        for i, chunk in enumerate(chunks):
            await app.send_input({"type": "http.request", "body": chunk,
                                  "more_body": i < len(chunks) - 1})
        start = await app.receive_output(timeout=30)
        body = b""
        while True:
            message = await app.receive_output(timeout=30)
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        await app.wait(timeout=5)
        return start["status"], json.loads(body)

    return async_to_sync(run)()


def split(data: bytes, size: int) -> list[bytes]:
    return [data[i:i + size] for i in range(0, len(data), size)] or [b""]


def test_chunked_json_body_is_parsed():
    body = json.dumps({"email": "chunked@example.com", "password": "Sup3r-secret-pass!",
                       "handle": "chunked_user", "birthdate": "1990-01-01"}).encode()
    status, answer = http_call("POST", "/api/v1/auth/register", split(body, 17),
                               [(b"content-type", b"application/json"),
                                (b"transfer-encoding", b"chunked")])
    assert status == 201, answer
    assert get_user_model().objects.filter(handle="chunked_user").exists()


def test_chunked_multipart_body_is_parsed():
    """A streamed multipart upload reaches the view with its fields (before: "required")."""
    boundary = b"castlineboundary"
    body = (b"--" + boundary + b"\r\nContent-Disposition: form-data; name=\"file\"; "
            b"filename=\"x.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            + b"not a video at all" * 100 + b"\r\n--" + boundary + b"--\r\n")
    status, answer = http_call("POST", "/api/v1/provenance/verify", split(body, 256), [
        (b"content-type", b"multipart/form-data; boundary=" + boundary),
        (b"transfer-encoding", b"chunked")])
    # The file arrived and was read: unreadable as a video, not "No file was submitted."
    assert status == 400, answer
    assert answer["error"]["code"] == "provenance.unreadable"


def test_declared_body_past_the_bound_is_refused_unread(settings):
    settings.MAX_REQUEST_BODY_BYTES = 1000
    # Declared, never sent: the answer may not wait for the body.
    status, answer = http_call("POST", "/api/v1/provenance/verify", [], [
        (b"content-type", b"multipart/form-data; boundary=x"), (b"content-length", b"5000")])
    assert status == 413
    assert answer["error"]["code"] == "upload.too_large" and "fields" in answer["error"]


def test_chunked_body_past_the_bound_is_refused(settings):
    settings.MAX_REQUEST_BODY_BYTES = 1000
    chunks = [b"x" * 600] * 5
    status, answer = http_call("POST", "/api/v1/provenance/verify", chunks, [
        (b"content-type", b"multipart/form-data; boundary=x"),
        (b"transfer-encoding", b"chunked")])
    assert status == 413 and answer["error"]["code"] == "upload.too_large"
    # The OpenAI door answers in OpenAI's shape.
    status, answer = http_call("POST", "/v1/files", chunks, [
        (b"content-type", b"multipart/form-data; boundary=x"),
        (b"transfer-encoding", b"chunked")])
    assert status == 413
    assert answer["error"]["code"] == "request_too_large"
    assert answer["error"]["type"] == "invalid_request_error"

"""`input_reference` as the SDKs send it: an uploaded file (multipart), or an object with
`image_url` (a data URL) or `file_id`, in JSON or as multipart `input_reference[...]` fields."""

import base64
import binascii
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from rest_framework.request import Request

from accounts.facade import User, request_user
from core.errors import DomainError

from .file_services import file_bytes

DATA_URL_PREFIX = "data:"


def _refuse(message: str, param: str = "input_reference") -> DomainError:
    return DomainError("openai.invalid_input_reference", message, fields={param: [message]})


def _from_data_url(url: str) -> bytes:
    header, sep, payload = url.partition(",")
    if not sep or not header.endswith(";base64") or not header.startswith("data:image/"):
        raise _refuse("image_url must be a base64 data URL of an image "
                      "(data:image/png;base64,...).", "input_reference.image_url")
    if len(payload) * 3 // 4 > settings.OPENAI_MAX_REFERENCE_BYTES:
        raise _refuse("The reference image is too large.", "input_reference.image_url")
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise _refuse("image_url is not valid base64.", "input_reference.image_url") from None


def _from_object(user: User, value: dict[str, Any]) -> bytes:
    image_url, file_id = value.get("image_url"), value.get("file_id")
    if image_url and file_id:
        raise _refuse("Give image_url or file_id, not both.")
    if isinstance(image_url, str) and image_url:
        if not image_url.startswith(DATA_URL_PREFIX):
            raise _refuse("Only data: URLs are accepted as image_url here; upload the image "
                          "as input_reference instead.", "input_reference.image_url")
        return _from_data_url(image_url)
    if isinstance(file_id, str) and file_id:
        try:
            return file_bytes(user=user, public_id=file_id)
        except DomainError:
            raise _refuse(f"No such file: '{file_id[:60]}'.", "input_reference.file_id") from None
    raise _refuse("input_reference needs a file, an image_url or a file_id.")


def reference_bytes(request: Request) -> bytes | None:
    upload = request.FILES.get("input_reference")
    if isinstance(upload, UploadedFile):
        if upload.size is not None and upload.size > settings.OPENAI_MAX_REFERENCE_BYTES:
            raise _refuse("The reference image is too large.")
        return upload.read()
    value = request.data.get("input_reference")
    if value is None:
        nested = {key: request.data.get(f"input_reference[{key}]")
                  for key in ("image_url", "file_id")}
        if not any(nested.values()):
            return None
        value = nested
    if not isinstance(value, dict):
        raise _refuse("input_reference is a file upload or an object with image_url or "
                      "file_id.")
    return _from_object(request_user(request), value)


def source_video_id(request: Request) -> str:
    """`video` of extensions and edits: {"id": ...} in JSON, `video[id]` in multipart. An
    uploaded file is refused: only videos made here can be continued (their provenance)."""
    if request.FILES.get("video") is not None:
        raise _refuse("Upload is not supported here: pass {\"id\": ...} of a completed video.",
                      "video")
    value = request.data.get("video")
    if value is None:
        value = {"id": request.data.get("video[id]")}
    if not isinstance(value, dict) or not isinstance(value.get("id"), str) or not value["id"]:
        raise _refuse("video must be {\"id\": ...} of a completed video.", "video")
    return str(value["id"])

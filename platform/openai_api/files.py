"""/v1/files as the SDK's `client.files` calls it, for images only (file_services.py)."""

from typing import Any

from django.conf import settings
from django.http import HttpResponseBase
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.facade import request_user
from core.api import validated
from core.errors import DomainError
from generation import facade as generation

from .file_services import file_create, file_delete, file_get, file_object
from .models import DoorFile
from .views import MAX_LIST_LIMIT, OpenAIView

TAGS = ["v1 (OpenAI-compatible)"]


class OpenAIFileIn(serializers.Serializer[None]):
    file = serializers.FileField()
    purpose = serializers.CharField(max_length=20)


class OpenAIFileListIn(serializers.Serializer[None]):
    after = serializers.CharField(max_length=40, required=False)
    limit = serializers.IntegerField(min_value=1, max_value=MAX_LIST_LIMIT, required=False,
                                     default=20)


class FilesView(OpenAIView):
    throttle_scope = "upload"

    def get_throttles(self):  # type: ignore[no-untyped-def]
        self.throttle_scope = "upload" if self.request.method == "POST" else ""
        return super().get_throttles()

    @extend_schema(operation_id="openai_files_list", parameters=[OpenAIFileListIn], responses=dict,
                   tags=TAGS)
    def get(self, request: Request) -> Response:
        data = validated(OpenAIFileListIn, request.query_params)
        rows = DoorFile.objects.filter(owner=request_user(request)).order_by("-id")
        if data.get("after"):
            anchor = rows.filter(public_id=data["after"]).values_list("id", flat=True).first()
            rows = rows.filter(id__lt=anchor) if anchor else rows.none()
        page = list(rows[:data["limit"] + 1])
        return Response({"object": "list", "data": [file_object(r) for r in page[:data["limit"]]],
                         "has_more": len(page) > data["limit"]})

    @extend_schema(operation_id="openai_files_create",
                   request={"multipart/form-data": OpenAIFileIn}, responses=dict, tags=TAGS)
    def post(self, request: Request) -> Response:
        if int(request.META.get("CONTENT_LENGTH") or 0) > \
                settings.OPENAI_MAX_REFERENCE_BYTES + 64 * 1024:
            raise DomainError("openai.file_too_large", "The file is too large.",
                              fields={"file": ["Too large."]})
        data = validated(OpenAIFileIn, request.data)
        upload = data["file"]
        if upload.size > settings.OPENAI_MAX_REFERENCE_BYTES:
            raise DomainError("openai.file_too_large", "The file is too large.",
                              fields={"file": ["Too large."]})
        row = file_create(user=request_user(request), name=upload.name or "upload",
                          data=upload.read(), purpose=data["purpose"])
        return Response(file_object(row))


class FileView(OpenAIView):
    @extend_schema(operation_id="openai_files_retrieve", responses=dict, tags=TAGS)
    def get(self, request: Request, file_id: str) -> Response:
        return Response(file_object(file_get(user=request_user(request), public_id=file_id)))

    @extend_schema(operation_id="openai_files_delete", responses={200: dict}, tags=TAGS)
    def delete(self, request: Request, file_id: str) -> Response:
        file_delete(user=request_user(request), public_id=file_id)
        return Response({"id": file_id, "object": "file", "deleted": True})


class FileContentView(OpenAIView):
    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(operation_id="openai_files_content", responses={(200, "image/*"): bytes},
                   tags=TAGS)
    def get(self, request: Request, file_id: str) -> HttpResponseBase:
        row = file_get(user=request_user(request), public_id=file_id)
        return generation.ranged_file_response(row.content, content_type="application/octet-stream",
                                               range_header=request.headers.get("Range"))

"""The mobile contract for videos: each view validates, calls one service, shapes output."""

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django.db.models import QuerySet
from django.http import HttpResponseBase
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.facade import request_user
from core.api import DeleteNoContentView, validated
from core.errors import DomainError
from core.idempotency import ViewMethod, idempotent
from core.pagination import CreatedCursorPagination
from generation import relay, selectors, services, specs
from generation.models import Video

from .ranges import ranged_file_response
from .serializers import ExtendIn, PresetOut, RemixIn, VideoCreateIn, VideoOut


def starts_video_job(scope: str, request: Any) -> Callable[[ViewMethod], ViewMethod]:
    """What every call that starts a video job shares: its schema (202 with the video) and its
    Idempotency-Key replay (scope generation.<scope>)."""
    def decorate(method: ViewMethod) -> ViewMethod:
        schema = extend_schema(request=request, responses={202: VideoOut},
                               parameters=[OpenApiParameter("Idempotency-Key", str, "header")])
        return schema(idempotent(f"generation.{scope}")(method))
    return decorate


def job_accepted(video: Video) -> Response:
    return Response(VideoOut(video).data, status=status.HTTP_202_ACCEPTED)


# A view whose POST starts a video job: counted against the create throttle. (A comment, not a
# docstring: the schema shows a view's docstring as its description.)
class VideoJobView(APIView):
    throttle_scope = "video_create"


class VideoListCreateView(generics.ListAPIView[Video]):
    serializer_class = VideoOut
    pagination_class = CreatedCursorPagination

    def get_queryset(self) -> QuerySet[Video]:
        return selectors.videos_of_owner(user=request_user(self.request))

    def get_throttles(self):  # type: ignore[no-untyped-def]
        self.throttle_scope = "video_create" if self.request.method == "POST" else ""
        return super().get_throttles()

    def list(self, request: Request, *args: object, **kwargs: object) -> Response:
        page = self.paginate_queryset(self.get_queryset()) or []
        # The page's chains of authors in one query, not one per video.
        serializer = VideoOut(page, many=True, context={"authors": relay.authors_of(videos=page)})
        return self.get_paginated_response(serializer.data)

    @starts_video_job("video_create", VideoCreateIn)
    def post(self, request: Request) -> Response:
        data = validated(VideoCreateIn, request.data)
        data["with_audio"] = data.pop("audio")
        data["shots"] = [dict(shot) for shot in data.get("shots", [])]
        video = services.video_create(user=request_user(request),
                                      request=services.VideoRequest(**data))
        return job_accepted(video)


class VideoDetailView(DeleteNoContentView):
    on_delete = staticmethod(services.video_delete)

    @extend_schema(responses=VideoOut)
    def get(self, request: Request, video_id: UUID) -> Response:
        video = selectors.video_get_for_owner(user=request_user(request), video_id=video_id)
        return Response(VideoOut(video).data)


class VideoCancelView(APIView):
    @extend_schema(request=None, responses={202: VideoOut})
    def post(self, request: Request, video_id: UUID) -> Response:
        video = services.video_cancel(user=request_user(request), video_id=video_id)
        return job_accepted(video)


class VideoRemixView(VideoJobView):
    @starts_video_job("video_remix", RemixIn)
    def post(self, request: Request, video_id: UUID) -> Response:
        data = validated(RemixIn, request.data)
        video = services.video_remix(user=request_user(request), source_id=video_id,
                                     prompt=data["prompt"])
        return job_accepted(video)


class VideoExtendView(VideoJobView):
    """A story relay: continue this video (your own, or a published one whose creator allows
    it) from its last frame and sound."""

    @starts_video_job("video_extend", ExtendIn)
    def post(self, request: Request, video_id: UUID) -> Response:
        data = validated(ExtendIn, request.data)
        video = services.video_extend(user=request_user(request), source_id=video_id,
                                      prompt=data["prompt"], seconds=data.get("seconds"),
                                      shots=[dict(shot) for shot in data.get("shots", [])])
        return job_accepted(video)


class VideoContentView(APIView):
    @extend_schema(parameters=[OpenApiParameter("variant", str, enum=["video", "thumbnail"])],
                   responses={(200, "video/mp4"): bytes, (206, "video/mp4"): bytes,
                              (200, "image/jpeg"): bytes, (206, "image/jpeg"): bytes})
    def get(self, request: Request, video_id: UUID) -> HttpResponseBase:
        video = selectors.video_get_viewable(user=request_user(request), video_id=video_id)
        variant = request.query_params.get("variant", "video")
        if variant not in ("video", "thumbnail"):
            raise DomainError("content.invalid_variant", "variant is video or thumbnail.")
        if video.status != Video.Status.COMPLETED or not video.video_file:
            raise DomainError("content.not_ready", "The video is not ready.", status_code=409)
        if variant == "thumbnail":
            return ranged_file_response(video.thumbnail_file, content_type="image/jpeg",
                                        range_header=request.headers.get("Range"))
        return ranged_file_response(video.video_file, content_type="video/mp4",
                                    range_header=request.headers.get("Range"))


class PresetListView(APIView):
    @extend_schema(responses=PresetOut(many=True))
    def get(self, request: Request) -> Response:
        return Response([PresetOut(p).data for p in specs.presets().values()])

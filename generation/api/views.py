"""The mobile contract for videos: each view validates, calls one service, shapes output."""

from uuid import UUID

from django.db.models import QuerySet
from django.http import HttpResponseBase
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.facade import request_user
from core.api import validated
from core.errors import DomainError
from core.idempotency import idempotent
from core.pagination import CreatedCursorPagination
from generation import relay, selectors, services, specs
from generation.models import Video

from .ranges import ranged_file_response
from .serializers import ExtendIn, PresetOut, RemixIn, VideoCreateIn, VideoOut


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

    @extend_schema(request=VideoCreateIn, responses={202: VideoOut},
                   parameters=[OpenApiParameter("Idempotency-Key", str, "header")])
    @idempotent("generation.video_create")
    def post(self, request: Request) -> Response:
        data = validated(VideoCreateIn, request.data)
        data["with_audio"] = data.pop("audio")
        data["shots"] = [dict(shot) for shot in data.get("shots", [])]
        video = services.video_create(user=request_user(request),
                                      request=services.VideoRequest(**data))
        return Response(VideoOut(video).data, status=status.HTTP_202_ACCEPTED)


class VideoDetailView(APIView):
    @extend_schema(responses=VideoOut)
    def get(self, request: Request, video_id: UUID) -> Response:
        video = selectors.video_get_for_owner(user=request_user(request), video_id=video_id)
        return Response(VideoOut(video).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, video_id: UUID) -> Response:
        services.video_delete(user=request_user(request), video_id=video_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class VideoCancelView(APIView):
    @extend_schema(request=None, responses={202: VideoOut})
    def post(self, request: Request, video_id: UUID) -> Response:
        video = services.video_cancel(user=request_user(request), video_id=video_id)
        return Response(VideoOut(video).data, status=status.HTTP_202_ACCEPTED)


class VideoRemixView(APIView):
    throttle_scope = "video_create"

    @extend_schema(request=RemixIn, responses={202: VideoOut},
                   parameters=[OpenApiParameter("Idempotency-Key", str, "header")])
    @idempotent("generation.video_remix")
    def post(self, request: Request, video_id: UUID) -> Response:
        data = validated(RemixIn, request.data)
        video = services.video_remix(user=request_user(request), source_id=video_id,
                                     prompt=data["prompt"])
        return Response(VideoOut(video).data, status=status.HTTP_202_ACCEPTED)


class VideoExtendView(APIView):
    """A story relay: continue this video (your own, or a published one whose creator allows
    it) from its last frame and sound."""

    throttle_scope = "video_create"

    @extend_schema(request=ExtendIn, responses={202: VideoOut},
                   parameters=[OpenApiParameter("Idempotency-Key", str, "header")])
    @idempotent("generation.video_extend")
    def post(self, request: Request, video_id: UUID) -> Response:
        data = validated(ExtendIn, request.data)
        video = services.video_extend(user=request_user(request), source_id=video_id,
                                      prompt=data["prompt"], seconds=data.get("seconds"),
                                      shots=[dict(shot) for shot in data.get("shots", [])])
        return Response(VideoOut(video).data, status=status.HTTP_202_ACCEPTED)


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

"""/v1: each view reads OpenAI's request, calls one door service (itself one generation call)
and answers in OpenAI's shapes; errors are translated by errors.openai_exception_handler."""

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django.conf import settings
from django.http import HttpResponseBase
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import parsers, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from accounts.facade import request_user
from apikeys.facade import ApiKeyAuthentication, ReadOnlyKeyPermission
from core.api import validated
from core.errors import DomainError
from core.idempotency import ViewMethod, idempotent
from generation import facade as generation

from . import catalog, services
from .errors import openai_exception_handler
from .objects import parse_video_id, poll_after_ms, video_object, video_public_id
from .reference import reference_bytes, source_video_id

POLL_HEADER = "openai-poll-after-ms"
MAX_LIST_LIMIT = 100


class OpenAIView(APIView):
    """API keys first, then the app's own bearer tokens; OpenAI's error shape."""

    authentication_classes = [ApiKeyAuthentication,
                              *api_settings.DEFAULT_AUTHENTICATION_CLASSES]  # type: ignore[list-item]
    permission_classes = [IsAuthenticated, ReadOnlyKeyPermission]
    # OpenAI takes form bodies as well as JSON and multipart (`curl -d prompt=...`); a form
    # is a multipart body without files, read the same way.
    parser_classes = [*api_settings.DEFAULT_PARSER_CLASSES,  # type: ignore[list-item]
                      parsers.FormParser]

    def get_exception_handler(self):  # type: ignore[no-untyped-def]
        return openai_exception_handler


class OpenAIVideoCreateIn(serializers.Serializer[None]):
    prompt = serializers.CharField(max_length=4000)
    model = serializers.CharField(max_length=64, required=False, allow_blank=True)
    seconds = serializers.CharField(max_length=4, required=False, allow_blank=True)
    size = serializers.CharField(max_length=16, required=False, allow_blank=True)
    # Castline's extension: characters to cast (ids or names), like @id / @name in the prompt.
    characters = serializers.ListField(child=serializers.CharField(max_length=41),
                                       required=False, default=list, max_length=10)


def _characters(request: Request, data: dict[str, Any]) -> list[str]:
    """`characters` from JSON, or `characters[]` / `characters` fields of a multipart body."""
    if hasattr(request.data, "getlist"):
        return [*request.data.getlist("characters[]"), *request.data.getlist("characters")]
    return list(data.get("characters") or [])


class OpenAIRemixIn(serializers.Serializer[None]):
    prompt = serializers.CharField(max_length=4000)


class OpenAIListIn(serializers.Serializer[None]):
    after = serializers.CharField(max_length=64, required=False)
    limit = serializers.IntegerField(min_value=1, max_value=MAX_LIST_LIMIT, required=False,
                                     default=20)
    order = serializers.ChoiceField(choices=["asc", "desc"], required=False, default="desc")


class OpenAIVideoOut(serializers.Serializer[None]):
    """openai.types.Video (for the schema; the body is built by objects.video_object)."""

    id = serializers.CharField()
    object = serializers.CharField(default="video")
    created_at = serializers.IntegerField()
    completed_at = serializers.IntegerField(allow_null=True)
    expires_at = serializers.IntegerField(allow_null=True)
    error = serializers.DictField(allow_null=True)
    model = serializers.CharField()
    progress = serializers.IntegerField()
    prompt = serializers.CharField()
    remixed_from_video_id = serializers.CharField(allow_null=True)
    seconds = serializers.CharField()
    size = serializers.CharField()
    status = serializers.ChoiceField(choices=["queued", "in_progress", "completed", "failed"])


class OpenAIVideoListOut(serializers.Serializer[None]):
    object = serializers.CharField(default="list")
    data = OpenAIVideoOut(many=True)  # type: ignore[assignment]
    first_id = serializers.CharField(allow_null=True)
    last_id = serializers.CharField(allow_null=True)
    has_more = serializers.BooleanField()


def _video_response(view: services.DoorVideoView, code: int = status.HTTP_200_OK) -> Response:
    response = Response(video_object(view.info, view.model), status=code)
    wait = poll_after_ms(view.info)
    if wait is not None:
        response[POLL_HEADER] = str(wait)
    return response


def _view_of(info: generation.VideoInfo) -> services.DoorVideoView:
    return services.DoorVideoView(info=info, model=services.door_models([info.id]).get(
        info.id, info.model_name))


def _starts_video_job(name: str, request: Any) -> Callable[[ViewMethod], ViewMethod]:
    """What every /v1 call that starts a video job shares: its schema and its
    Idempotency-Key replay (scope openai.video_<name>)."""
    def decorate(method: ViewMethod) -> ViewMethod:
        schema = extend_schema(operation_id=f"openai_videos_{name}", request=request,
                               responses=OpenAIVideoOut, tags=["v1 (OpenAI-compatible)"],
                               parameters=[OpenApiParameter("Idempotency-Key", str, "header")])
        return schema(idempotent(f"openai.video_{name}")(method))
    return decorate


# A view whose POST starts a video job: counted against the create throttle. (A comment, not a
# docstring: the schema shows a view's docstring as its description.)
class VideoJobView(OpenAIView):
    throttle_scope = "video_create"


def _after_id(text: str) -> UUID:
    try:
        return parse_video_id(text, param="after")
    except DomainError:
        raise DomainError("pagination.unknown_after", "after is not a video id.",
                          fields={"after": ["Not a video id."]}) from None


class VideosView(OpenAIView):
    def get_throttles(self):  # type: ignore[no-untyped-def]
        self.throttle_scope = "video_create" if self.request.method == "POST" else ""
        return super().get_throttles()

    @extend_schema(operation_id="openai_videos_list", parameters=[OpenAIListIn],
                   responses=OpenAIVideoListOut, tags=["v1 (OpenAI-compatible)"])
    def get(self, request: Request) -> Response:
        data = validated(OpenAIListIn, request.query_params)
        after = _after_id(data["after"]) if data.get("after") else None
        infos, has_more = generation.videos_page(user=request_user(request), after=after,
                                                 limit=data["limit"],
                                                 ascending=data["order"] == "asc")
        models = services.door_models([info.id for info in infos])
        items = [video_object(info, models.get(info.id, info.model_name)) for info in infos]
        return Response({"object": "list", "data": items,
                         "first_id": items[0]["id"] if items else None,
                         "last_id": items[-1]["id"] if items else None, "has_more": has_more})

    @_starts_video_job("create", {"application/json": OpenAIVideoCreateIn,
                                  "multipart/form-data": OpenAIVideoCreateIn,
                                  "application/x-www-form-urlencoded": OpenAIVideoCreateIn})
    def post(self, request: Request) -> Response:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
        if declared > settings.OPENAI_MAX_REFERENCE_BYTES + 64 * 1024:
            raise DomainError("openai.request_too_large", "The request is too large.",
                              fields={"input_reference": ["Too large."]})
        data = validated(OpenAIVideoCreateIn, request.data)
        view = services.door_video_create(
            user=request_user(request), prompt=data["prompt"], model=data.get("model") or None,
            seconds=data.get("seconds"), size=data.get("size") or None,
            reference_image=reference_bytes(request), characters=_characters(request, data))
        return _video_response(view)


class VideoView(OpenAIView):
    @extend_schema(operation_id="openai_videos_retrieve", responses=OpenAIVideoOut,
                   tags=["v1 (OpenAI-compatible)"])
    def get(self, request: Request, video_id: str) -> Response:
        info = generation.video_get(user=request_user(request),
                                    video_id=parse_video_id(video_id))
        return _video_response(_view_of(info))

    @extend_schema(operation_id="openai_videos_delete", tags=["v1 (OpenAI-compatible)"],
                   # 200 with a body, as OpenAI answers (the schema's default for DELETE is 204)
                   responses={200: inline_serializer("OpenAIVideoDeleted", {
                       "id": serializers.CharField(), "object": serializers.CharField(),
                       "deleted": serializers.BooleanField()})})
    def delete(self, request: Request, video_id: str) -> Response:
        uuid = parse_video_id(video_id)
        services.door_video_delete(user=request_user(request), video_id=uuid)
        return Response({"id": video_public_id(uuid), "object": "video.deleted",
                         "deleted": True})


class VideoRemixView(VideoJobView):
    @_starts_video_job("remix", OpenAIRemixIn)
    def post(self, request: Request, video_id: str) -> Response:
        prompt = validated(OpenAIRemixIn, request.data)["prompt"]
        return _video_response(services.door_video_remix(
            user=request_user(request), source_id=parse_video_id(video_id), prompt=prompt))


class OpenAIExtendIn(serializers.Serializer[None]):
    prompt = serializers.CharField(max_length=4000)
    seconds = serializers.CharField(max_length=4)


def _source_video(request: Request) -> UUID:
    """The video an extension or an edit starts from: `video` in the body."""
    return parse_video_id(source_video_id(request), param="video")


class VideoExtensionsView(VideoJobView):
    @_starts_video_job("extend", OpenAIExtendIn)
    def post(self, request: Request) -> Response:
        data = validated(OpenAIExtendIn, request.data)
        return _video_response(services.door_video_extend(
            user=request_user(request), source_id=_source_video(request),
            prompt=data["prompt"], seconds=data["seconds"]))


class VideoEditsView(VideoJobView):
    @_starts_video_job("edit", OpenAIRemixIn)
    def post(self, request: Request) -> Response:
        prompt = validated(OpenAIRemixIn, request.data)["prompt"]
        return _video_response(services.door_video_edit(
            user=request_user(request), source_id=_source_video(request), prompt=prompt))


class VideoContentView(OpenAIView):
    def perform_content_negotiation(self, request: Request, force: bool = False
                                    ) -> Any:
        # The SDKs ask for `Accept: application/binary`; the file answers whatever was asked,
        # and an error answers in JSON.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(operation_id="openai_videos_download_content",
                   tags=["v1 (OpenAI-compatible)"],
                   parameters=[OpenApiParameter("variant", str,
                                                enum=list(generation.CONTENT_VARIANTS))],
                   responses={(200, "video/mp4"): bytes, (200, "image/jpeg"): bytes})
    def get(self, request: Request, video_id: str) -> HttpResponseBase:
        variant = request.query_params.get("variant", "video")
        file = generation.video_content(user=request_user(request),
                                        video_id=parse_video_id(video_id), variant=variant)
        return generation.ranged_file_response(file,
                                               content_type=generation.CONTENT_TYPES[variant],
                                               range_header=request.headers.get("Range"))


def _model_object(alias: catalog.ModelAlias) -> dict[str, Any]:
    return {"id": alias.id, "object": "model", "created": catalog.CREATED,
            "owned_by": "castline", "castline_model": generation.model_name(),
            "sizes": list(alias.sizes),
            "seconds": [str(s) for s in generation.ALLOWED_SECONDS]}


class ModelsView(OpenAIView):
    @extend_schema(operation_id="openai_models_list", responses=dict,
                   tags=["v1 (OpenAI-compatible)"])
    def get(self, request: Request) -> Response:
        return Response({"object": "list",
                         "data": [_model_object(a) for a in catalog.aliases().values()]})


class ModelView(OpenAIView):
    @extend_schema(operation_id="openai_models_retrieve", responses=dict,
                   tags=["v1 (OpenAI-compatible)"])
    def get(self, request: Request, model_id: str) -> Response:
        alias = catalog.aliases().get(model_id)
        if alias is None:
            raise DomainError("not_found", f"The model '{model_id[:80]}' does not exist.",
                              status_code=404, fields={"model": ["Unknown."]})
        return Response(_model_object(alias))

"""/v1/videos/characters as the SDK's `videos.create_character` / `get_character` call them,
plus list and delete (delete erases the reference frame). Rules live in cameo's facade."""

from typing import TYPE_CHECKING, Any

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.facade import request_user
from cameo import facade as cameo
from core.api import validated
from core.errors import DomainError

from .views import MAX_LIST_LIMIT, OpenAIView

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

TAGS = ["v1 (OpenAI-compatible)"]
OBJECT = "video.character"


class OpenAICharacterIn(serializers.Serializer[None]):
    name = serializers.CharField(max_length=80)
    video = serializers.FileField()
    audience = serializers.ChoiceField(choices=cameo.CHARACTER_AUDIENCES, required=False,
                                       default="only_me")


class OpenAICharacterOut(serializers.Serializer[None]):
    """openai.types.VideoCreateCharacterResponse, plus how to cast it and who may."""

    id = serializers.CharField()
    object = serializers.CharField(default=OBJECT)
    created_at = serializers.IntegerField()
    name = serializers.CharField()
    mention = serializers.CharField()
    audience = serializers.CharField()


class OpenAICharacterShareIn(serializers.Serializer[None]):
    audience = serializers.ChoiceField(choices=cameo.CHARACTER_AUDIENCES)


class OpenAICharacterListIn(serializers.Serializer[None]):
    after = serializers.CharField(max_length=40, required=False)
    limit = serializers.IntegerField(min_value=1, max_value=MAX_LIST_LIMIT, required=False,
                                     default=20)


def character_object(info: cameo.CharacterInfo) -> dict[str, Any]:
    return {"id": info.id, "object": OBJECT, "created_at": int(info.created_at.timestamp()),
            "name": info.name, "mention": f"@{info.mention or info.id}",
            "audience": info.audience}


def _approved_handles(request: Request) -> list[str]:
    """approved_handles as a list (the SDKs' `approved_handles[]` in multipart) or one
    comma-separated field."""
    values = [*request.data.getlist("approved_handles[]"),
              *request.data.getlist("approved_handles")] \
        if hasattr(request.data, "getlist") else request.data.get("approved_handles") or []
    if isinstance(values, str):
        values = [values]
    return [h for value in values for h in str(value).split(",") if h.strip()]


def _too_large() -> DomainError:
    return DomainError("character.video_too_large", "The video is larger than "
                       f"{settings.CHARACTER_MAX_UPLOAD_BYTES // (1024 * 1024)} MB.",
                       status_code=413, fields={"video": ["Too large."]})


class CharactersView(OpenAIView):
    def get_throttles(self):  # type: ignore[no-untyped-def]
        self.throttle_scope = "upload" if self.request.method == "POST" else ""
        return super().get_throttles()

    @extend_schema(operation_id="openai_videos_characters_list",
                   parameters=[OpenAICharacterListIn], responses=dict, tags=TAGS)
    def get(self, request: Request) -> Response:
        data = validated(OpenAICharacterListIn, request.query_params)
        infos, has_more = cameo.characters_page(user=request_user(request),
                                                after=data.get("after"), limit=data["limit"])
        items = [character_object(info) for info in infos]
        return Response({"object": "list", "data": items,
                         "first_id": items[0]["id"] if items else None,
                         "last_id": items[-1]["id"] if items else None, "has_more": has_more})

    @extend_schema(operation_id="openai_videos_create_character",
                   request={"multipart/form-data": OpenAICharacterIn},
                   responses=OpenAICharacterOut, tags=TAGS)
    def post(self, request: Request) -> Response:
        if int(request.META.get("CONTENT_LENGTH") or 0) > \
                settings.CHARACTER_MAX_UPLOAD_BYTES + 64 * 1024:
            raise _too_large()
        data = validated(OpenAICharacterIn, request.data)
        upload: UploadedFile = data["video"]
        if upload.size is None or upload.size > settings.CHARACTER_MAX_UPLOAD_BYTES:
            raise _too_large()
        info = cameo.character_create(
            user=request_user(request), name=data["name"],
            video=upload.read(settings.CHARACTER_MAX_UPLOAD_BYTES + 1),
            audience=data["audience"], approved_handles=_approved_handles(request))
        return Response(character_object(info))


class CharacterView(OpenAIView):
    @extend_schema(operation_id="openai_videos_get_character", responses=OpenAICharacterOut,
                   tags=TAGS)
    def get(self, request: Request, character_id: str) -> Response:
        return Response(character_object(cameo.character_get(user=request_user(request),
                                                             character_id=character_id)))

    @extend_schema(operation_id="openai_videos_share_character",
                   request=OpenAICharacterShareIn, responses=OpenAICharacterOut, tags=TAGS)
    def post(self, request: Request, character_id: str) -> Response:
        """Castline's extension: change who may cast it (`audience`, `approved_handles`)."""
        data = validated(OpenAICharacterShareIn, request.data)
        return Response(character_object(cameo.character_share(
            user=request_user(request), character_id=character_id,
            audience=data["audience"], approved_handles=_approved_handles(request))))

    @extend_schema(operation_id="openai_videos_delete_character", responses={200: dict}, tags=TAGS)
    def delete(self, request: Request, character_id: str) -> Response:
        cameo.character_delete(user=request_user(request), character_id=character_id)
        return Response({"id": character_id, "object": f"{OBJECT}.deleted", "deleted": True})

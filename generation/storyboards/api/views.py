"""The storyboards contract: each view validates, calls one service or selector, shapes output."""

from uuid import UUID

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.facade import request_user
from core.api import DeleteNoContentView, validated
from core.errors import DomainError
from generation.api.views import VideoJobView, job_accepted, starts_video_job

from .. import selectors, services
from .serializers import (
    CollaboratorIn,
    GenerateIn,
    ReorderIn,
    ShotAddIn,
    ShotChangeIn,
    StoryboardCreateIn,
    dialogue_plain,
)

LIST_LIMIT = 100


def _out(request: Request, storyboard_id: UUID, code: int = status.HTTP_200_OK) -> Response:
    storyboard, role = selectors.membership(user=request_user(request),
                                            storyboard_id=storyboard_id)
    return Response(selectors.storyboard_out(storyboard, role), status=code)


class StoryboardListCreateView(APIView):
    @extend_schema(responses={200: dict})
    def get(self, request: Request) -> Response:
        user = request_user(request)
        rows = selectors.storyboards_of(user=user)[:LIST_LIMIT]
        return Response({"data": [{"id": str(s.pk), "title": s.title, "owner": s.owner.handle,
                                   "revision": s.revision,
                                   "updated_at": s.updated_at.isoformat()} for s in rows]})

    @extend_schema(request=StoryboardCreateIn, responses={201: dict})
    def post(self, request: Request) -> Response:
        data = validated(StoryboardCreateIn, request.data)
        storyboard = services.storyboard_create(
            user=request_user(request), title=data["title"],
            shots=[dialogue_plain(dict(shot)) for shot in data["shots"]])
        return _out(request, storyboard.pk, status.HTTP_201_CREATED)


class StoryboardDetailView(APIView):
    @extend_schema(responses={200: dict})
    def get(self, request: Request, storyboard_id: UUID) -> Response:
        return _out(request, storyboard_id)


class ShotAddView(APIView):
    @extend_schema(request=ShotAddIn, responses={201: dict})
    def post(self, request: Request, storyboard_id: UUID) -> Response:
        data = dialogue_plain(validated(ShotAddIn, request.data))
        position = data.pop("position", None)
        shot = services.shot_add(user=request_user(request), storyboard_id=storyboard_id,
                                 shot=data, position=position)
        return Response(selectors.shot_out(shot, request_user(request).handle),
                        status=status.HTTP_201_CREATED)


def _version(request: Request, data: dict[str, object]) -> int | None:
    """The version the client read: `version` in the body, or the If-Match header."""
    if data.get("version") is not None:
        return int(str(data.pop("version")))
    data.pop("version", None)
    header = request.headers.get("If-Match", "").strip().strip('W/').strip('"')
    if not header:
        return None
    # ASCII digits only: str.isdigit() also passes superscripts ('²'), which int() refuses.
    if not (header.isascii() and header.isdigit()):
        raise DomainError("storyboards.bad_version", "If-Match must be the shot's version.",
                          fields={"version": ["Not a version."]})
    return int(header)


class ShotDetailView(APIView):
    @extend_schema(request=ShotChangeIn, responses={200: dict, 409: dict},
                   parameters=[OpenApiParameter("If-Match", str, "header")])
    def patch(self, request: Request, storyboard_id: UUID, shot_id: int) -> Response:
        data = dialogue_plain(validated(ShotChangeIn, request.data))
        version = _version(request, data)
        if version is None:
            raise DomainError("storyboards.version_required", "Send the version of the shot "
                              "you changed (`version` or If-Match).",
                              fields={"version": ["Required."]}, status_code=428)
        shot = services.shot_update(user=request_user(request), storyboard_id=storyboard_id,
                                    shot_id=shot_id, version=version, changes=data)
        return Response(selectors.shot_out(shot, request_user(request).handle))

    @extend_schema(responses={204: None},
                   parameters=[OpenApiParameter("If-Match", str, "header")])
    def delete(self, request: Request, storyboard_id: UUID, shot_id: int) -> Response:
        services.shot_delete(user=request_user(request), storyboard_id=storyboard_id,
                             shot_id=shot_id, version=_version(request, {}))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ShotReorderView(APIView):
    @extend_schema(request=ReorderIn, responses={200: dict})
    def post(self, request: Request, storyboard_id: UUID) -> Response:
        data = validated(ReorderIn, request.data)
        services.shots_reorder(user=request_user(request), storyboard_id=storyboard_id,
                               order=data["order"])
        return _out(request, storyboard_id)


class CollaboratorAddView(APIView):
    @extend_schema(request=CollaboratorIn, responses={200: dict})
    def post(self, request: Request, storyboard_id: UUID) -> Response:
        data = validated(CollaboratorIn, request.data)
        services.collaborator_add(user=request_user(request), storyboard_id=storyboard_id,
                                  handle=data["handle"], role=data["role"])
        return _out(request, storyboard_id)


class CollaboratorRemoveView(DeleteNoContentView):
    on_delete = staticmethod(services.collaborator_remove)


class StoryboardGenerateView(VideoJobView):
    @starts_video_job("storyboard_generate", GenerateIn)
    def post(self, request: Request, storyboard_id: UUID) -> Response:
        data = validated(GenerateIn, request.data)
        data["with_audio"] = data.pop("audio")
        video = services.storyboard_generate(user=request_user(request),
                                             storyboard_id=storyboard_id, options=data)
        return job_accepted(video)

"""The door's writes: each is one generation service call plus what only the door records."""

from dataclasses import dataclass
from uuid import UUID

from django.db import transaction

from accounts.facade import User
from generation import facade as generation

from .catalog import resolve_model, resolve_seconds, resolve_size
from .models import DoorVideo


@dataclass(frozen=True)
class DoorVideoView:
    info: generation.VideoInfo
    model: str  # the name the client used, or the deployment's model for app-made videos


@transaction.atomic
def door_video_create(*, user: User, prompt: str, model: str | None, seconds: object,
                      size: str | None, reference_image: bytes | None,
                      characters: list[str] | None = None) -> DoorVideoView:
    alias = resolve_model(model)
    chosen = resolve_size(alias, size)
    info = generation.video_create(
        user=user, prompt=prompt, seconds=resolve_seconds(seconds),
        aspect_ratio=chosen.aspect_ratio, resolution=chosen.resolution, width=chosen.width,
        height=chosen.height, reference_image=reference_image, characters=characters)
    DoorVideo.objects.create(video_id=info.id, model=alias.id)
    return DoorVideoView(info=info, model=alias.id)


def _door_video_from(source_id: UUID, info: generation.VideoInfo) -> DoorVideoView:
    """A video made from another (remix, extension, edit) keeps its source's /v1 model name."""
    model = door_models([source_id]).get(source_id, info.model_name)
    DoorVideo.objects.create(video_id=info.id, model=model)
    return DoorVideoView(info=info, model=model)


@transaction.atomic
def door_video_remix(*, user: User, source_id: UUID, prompt: str) -> DoorVideoView:
    return _door_video_from(source_id, generation.video_remix(user=user, source_id=source_id,
                                                              prompt=prompt))


@transaction.atomic
def door_video_extend(*, user: User, source_id: UUID, prompt: str, seconds: object
                      ) -> DoorVideoView:
    return _door_video_from(source_id, generation.video_extend(
        user=user, source_id=source_id, prompt=prompt, seconds=resolve_seconds(seconds)))


@transaction.atomic
def door_video_edit(*, user: User, source_id: UUID, prompt: str) -> DoorVideoView:
    return _door_video_from(source_id, generation.video_edit(user=user, source_id=source_id,
                                                             prompt=prompt))


def door_models(video_ids: list[UUID]) -> dict[UUID, str]:
    """The model names clients used for these videos, in one query."""
    return dict(DoorVideo.objects.filter(video_id__in=video_ids)
                .values_list("video_id", "model"))


def door_video_delete(*, user: User, video_id: UUID) -> None:
    generation.video_delete(user=user, video_id=video_id)

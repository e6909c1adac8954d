"""What other apps (the /v1 door) may use of generation: plain values, keyword arguments.

Every write goes through services.video_create / video_remix / video_delete, so credits,
moderation, cameo consent, provenance, limits and events apply whichever door was used.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.core.files import File
from django.core.files.storage import default_storage
from django.db.models import Q

from accounts.facade import User
from core.errors import ConflictError, DomainError, NotFoundError

from . import events, selectors, services, specs
from .api.ranges import ranged_file_response
from .media.reference import ReferenceImageError, reference_png
from .models import Video

STATUS_QUEUED = Video.Status.QUEUED.value
STATUS_IN_PROGRESS = Video.Status.IN_PROGRESS.value
STATUS_COMPLETED = Video.Status.COMPLETED.value
STATUS_FAILED = Video.Status.FAILED.value
STATUS_CANCELLED = Video.Status.CANCELLED.value
STATUS_BLOCKED = Video.Status.BLOCKED.value
ALLOWED_SECONDS = specs.ALLOWED_SECONDS
CONTENT_VARIANTS = ("video", "thumbnail", "spritesheet")
CONTENT_TYPES = {"video": "video/mp4", "thumbnail": "image/jpeg", "spritesheet": "image/jpeg"}


@dataclass(frozen=True)
class VideoInfo:
    id: UUID
    status: str
    progress: float
    prompt: str
    seconds: int
    width: int
    height: int
    model_name: str
    error_code: str
    error_message: str
    remix_of_id: UUID | None
    owner_id: int
    created_at: datetime
    finished_at: datetime | None


def _info(video: Video) -> VideoInfo:
    return VideoInfo(id=video.pk, status=video.status, progress=video.progress,
                     prompt=video.prompt, seconds=video.seconds, width=video.width,
                     height=video.height, model_name=video.model_name,
                     error_code=video.error_code, error_message=video.error_message,
                     remix_of_id=video.remix_of_id, owner_id=video.owner_id,
                     created_at=video.created_at,
                     finished_at=video.finished_at)


def status_listener_register(listener: Callable[[VideoInfo], None]) -> None:
    """`listener` runs inside the transaction of every status change of any video."""
    events.status_listener_register(lambda video: listener(_info(video)))


def reference_image_problem(data: bytes) -> str | None:
    """Why these bytes cannot be a first-frame reference (None: they can)."""
    try:
        reference_png(data)
    except ReferenceImageError as exc:
        return str(exc)
    return None


def model_name() -> str:
    """The Castline model this deployment runs."""
    return specs.model_name()


def video_create(*, user: User, prompt: str, seconds: int, aspect_ratio: str, resolution: str,
                 width: int, height: int, reference_image: bytes | None = None,
                 characters: list[str] | None = None) -> VideoInfo:
    return _info(services.video_create(user=user, request=services.VideoRequest(
        prompt=prompt, seconds=seconds, aspect_ratio=aspect_ratio, resolution=resolution,
        width=width, height=height, reference_image=reference_image,
        characters=characters or [])))


def video_remix(*, user: User, source_id: UUID, prompt: str) -> VideoInfo:
    return _info(services.video_remix(user=user, source_id=source_id, prompt=prompt))


def video_extend(*, user: User, source_id: UUID, prompt: str, seconds: int) -> VideoInfo:
    """seconds: the new segment; the video made is the stitched whole."""
    return _info(services.video_extend(user=user, source_id=source_id, prompt=prompt,
                                       seconds=seconds))


def video_edit(*, user: User, source_id: UUID, prompt: str) -> VideoInfo:
    return _info(services.video_edit(user=user, source_id=source_id, prompt=prompt))


def video_delete(*, user: User, video_id: UUID) -> None:
    services.video_delete(user=user, video_id=video_id)


def video_get(*, user: User, video_id: UUID) -> VideoInfo:
    """The owner's video; anyone else's is a 404."""
    return _info(selectors.video_get_for_owner(user=user, video_id=video_id))


def videos_page(*, user: User, after: UUID | None, limit: int, ascending: bool
                ) -> tuple[list[VideoInfo], bool]:
    """One page of the owner's videos by creation time (ties by id), after the video named
    by `after` in that order; and whether more follow."""
    rows = selectors.videos_of_owner(user=user)
    if after is not None:
        anchor = rows.filter(pk=after).values("created_at").first()
        if anchor is None:
            raise DomainError("pagination.unknown_after", "No such video to page after.",
                              fields={"after": ["Unknown video id."]})
        if ascending:
            rows = rows.filter(Q(created_at__gt=anchor["created_at"]) |
                               Q(created_at=anchor["created_at"], pk__gt=after))
        else:
            rows = rows.filter(Q(created_at__lt=anchor["created_at"]) |
                               Q(created_at=anchor["created_at"], pk__lt=after))
    order = ("created_at", "id") if ascending else ("-created_at", "-id")
    page = list(rows.order_by(*order)[:limit + 1])
    return [_info(video) for video in page[:limit]], len(page) > limit


def queued_ahead(*, video_id: UUID) -> int:
    """Queued jobs created before this one: how long a client should wait between polls."""
    created = Video.objects.filter(pk=video_id).values_list("created_at", flat=True).first()
    if created is None:
        return 0
    return Video.objects.filter(status=Video.Status.QUEUED, created_at__lt=created).count()


def video_content(*, user: User, video_id: UUID, variant: str) -> File:
    """The stored file of one variant of a completed video the user may see."""
    if variant not in CONTENT_VARIANTS:
        raise DomainError("content.invalid_variant",
                          f"variant is one of {', '.join(CONTENT_VARIANTS)}.",
                          fields={"variant": ["Unknown variant."]})
    video = selectors.video_get_viewable(user=user, video_id=video_id)
    if video.status != Video.Status.COMPLETED or not video.video_file:
        raise ConflictError("content.not_ready", "The video is not ready.")
    if variant == "video":
        return video.video_file
    if variant == "thumbnail":
        return video.thumbnail_file
    name = video.provenance.get("spritesheet")
    if not name:  # made before spritesheets existed
        raise NotFoundError("content.variant_missing", "This video has no spritesheet.")
    return File(default_storage.open(name, "rb"), name=name)


__all__ = [
    "ALLOWED_SECONDS",
    "CONTENT_TYPES",
    "CONTENT_VARIANTS",
    "STATUS_BLOCKED",
    "STATUS_CANCELLED",
    "STATUS_COMPLETED",
    "STATUS_FAILED",
    "STATUS_IN_PROGRESS",
    "STATUS_QUEUED",
    "VideoInfo",
    "model_name",
    "queued_ahead",
    "ranged_file_response",
    "reference_image_problem", "status_listener_register",
    "video_content",
    "video_create",
    "video_delete",
    "video_edit",
    "video_extend",
    "video_get",
    "video_remix",
    "videos_page",
]

"""The only generation module other apps import: plain values, frozen dataclasses, keyword
arguments.

- the /v1 door (openai_api): create, remix, extend, edit, delete, read and page videos. Every
  write goes through services, so credits, moderation, cameo consent, provenance, limits and
  events apply whichever door was used.
- cameo: the casting provider and the consent fence's verdicts, and the job moves a consent
  change makes (lock, park for an approval, block with a refund, enqueue).
- feed: the view / remix / extend / shown-changed rules, locking an own video to publish it,
  the handles of a relay's chain of authors.
- cameo: which videos continue a video (a consent withdrawn from it reaches them too).
- everyone: the content links of a video, its status constants.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.core.files import File
from django.core.files.storage import default_storage
from django.db.models import Q
from django.db.models.functions import Coalesce

from accounts.facade import User
from core.errors import ConflictError, DomainError, NotFoundError
from core.pagination import keyset_page

from . import events, selectors, services, specs
from .access import (
    VideoAccess,
    extend_rule_register,
    remix_rule_register,
    shown_changed_hook_register,
    video_access,
    view_rule_register,
)
from .api.ranges import ranged_file_response
from .casting import (
    FENCE_HOLDS,
    FENCE_PARKED,
    CastingProvider,
    CastMember,
    FenceOutcome,
    FenceVerdict,
    casting_provider_register,
)
from .consent import (
    job_block_for_consent,
    job_enqueue,
    job_park_for_approval,
    video_lock,
    video_prompts,
    video_status,
    videos_lock_for_consent_change,
)
from .links import content_links
from .media.reference import ReferenceImageError, reference_png
from .models import ACTIVE, Video
from .moderation_targets import video_describe, video_enforce, video_visible_to
from .relay import author_handles, author_ids, extensions_of

STATUS_QUEUED = Video.Status.QUEUED.value
STATUS_IN_PROGRESS = Video.Status.IN_PROGRESS.value
STATUS_COMPLETED = Video.Status.COMPLETED.value
STATUS_FAILED = Video.Status.FAILED.value
STATUS_CANCELLED = Video.Status.CANCELLED.value
STATUS_BLOCKED = Video.Status.BLOCKED.value
ACTIVE_STATUSES: frozenset[str] = frozenset(status.value for status in ACTIVE)
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


@dataclass(frozen=True)
class VideoToPublish(VideoAccess):
    remix_root_id: UUID | None
    remix_depth: int
    cast_handles: tuple[str, ...]
    author_ids: tuple[int, ...]  # whose footage is in the file, oldest first (a relay's chain)
    collaborators: tuple[str, ...]  # handles of who wrote its storyboard, as credited in C2PA


def video_lock_own(*, owner_id: int, video_id: UUID) -> VideoToPublish:
    """Lock the owner's video for the caller's transaction (publish, unpublish); anyone
    else's is a 404."""
    video = Video.objects.select_for_update().filter(pk=video_id, owner_id=owner_id).first()
    if video is None:
        raise NotFoundError("not_found", "No such video.")
    return VideoToPublish(**vars(video_access(video)), remix_root_id=video.remix_root_id,
                          remix_depth=video.remix_depth,
                          cast_handles=tuple(str(h) for h in video.cast_handles),
                          author_ids=tuple(author_ids(video)),
                          collaborators=tuple(str(h) for h in
                                              video.provenance.get("collaborators", [])))


def video_owner_ids(*, video_ids: list[UUID | None]) -> dict[UUID | None, int]:
    """Who owns each of these videos (None: no video, no query)."""
    wanted = [video_id for video_id in video_ids if video_id is not None]
    if not wanted:
        return {}
    return dict(Video.objects.filter(pk__in=wanted).values_list("pk", "owner_id"))


@dataclass(frozen=True)
class StoryVideo:
    """A completed video of a story (its remix tree): the feed decides who sees what."""

    id: UUID
    owner_id: int
    parent_id: UUID | None  # remix_of: None for the root
    depth: int
    extension: bool  # made by extend (it continues its parent), else a remix
    created_at: datetime
    deleted: bool


def story_videos(*, video_id: UUID, max_depth: int, limit: int) -> list[StoryVideo]:
    """The completed videos of the story `video_id` belongs to, its root first, then by depth
    and age (at most `limit`, at most `max_depth` below the root): one query. Empty when the
    video is unknown. A parent always comes before its children (depth grows by one)."""
    root = Video.objects.filter(pk=video_id).values(root=Coalesce("remix_root_id", "id"))
    rows = (Video.objects.filter(Q(pk__in=root) | Q(remix_root_id__in=root),
                                 status=Video.Status.COMPLETED, remix_depth__lte=max_depth)
            .order_by("remix_depth", "created_at", "id")
            .values_list("id", "owner_id", "remix_of_id", "remix_depth", "provenance__extends",
                         "created_at", "deleted_at")[:limit])
    return [StoryVideo(id=pk, owner_id=owner_id, parent_id=parent_id, depth=depth,
                       extension=extends is not None, created_at=created_at,
                       deleted=deleted_at is not None)
            for pk, owner_id, parent_id, depth, extends, created_at, deleted_at in rows]


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


def prompt_mentions(prompt: str) -> list[str]:
    """The @mentions of a prompt as casting reads them (lowercased, without the @)."""
    return specs.mentioned_handles(prompt)


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


def story_author_handles(*, chains: list[tuple[int, ...]]) -> dict[int, str]:
    """The handles of the authors in these chains (VideoToPublish.author_ids), one query."""
    return author_handles(chains=chains)


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
    order = ("created_at", "id") if ascending else ("-created_at", "-id")
    page = keyset_page(selectors.videos_of_owner(user=user), order=order,
                       after=None if after is None else Q(pk=after), limit=limit)
    if page is None:
        raise DomainError("pagination.unknown_after", "No such video to page after.",
                          fields={"after": ["Unknown video id."]})
    videos, more = page
    return [_info(video) for video in videos], more


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
    "ACTIVE_STATUSES",
    "ALLOWED_SECONDS",
    "CONTENT_TYPES",
    "CONTENT_VARIANTS",
    "FENCE_HOLDS",
    "FENCE_PARKED",
    "STATUS_BLOCKED",
    "STATUS_CANCELLED",
    "STATUS_COMPLETED",
    "STATUS_FAILED",
    "STATUS_IN_PROGRESS",
    "STATUS_QUEUED",
    "CastMember",
    "CastingProvider",
    "FenceOutcome",
    "FenceVerdict",
    "StoryVideo",
    "VideoAccess",
    "VideoInfo",
    "VideoToPublish",
    "casting_provider_register",
    "content_links",
    "extend_rule_register",
    "extensions_of",
    "job_block_for_consent",
    "job_enqueue",
    "job_park_for_approval",
    "model_name",
    "queued_ahead",
    "ranged_file_response",
    "reference_image_problem",
    "remix_rule_register",
    "shown_changed_hook_register",
    "status_listener_register",
    "story_author_handles",
    "story_videos",
    "video_content",
    "video_create",
    "video_delete",
    "video_describe",
    "video_edit",
    "video_enforce",
    "video_extend",
    "video_get",
    "video_lock",
    "video_lock_own",
    "video_owner_ids",
    "video_prompts",
    "video_remix",
    "video_status",
    "video_visible_to",
    "videos_lock_for_consent_change",
    "videos_page",
    "view_rule_register",
]

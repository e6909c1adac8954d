"""Generation writes: submit (one transaction: checks, consent, credits, row), cancel, delete.

The worker side (running a job) lives in pipeline.py; every status change goes through
transitions.video_transition.
"""

import io
import secrets
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from PIL import Image

from accounts.facade import User, is_blocked_between
from billing import facade as billing
from core.errors import DomainError, NotFoundError
from core.storage import files_delete_on_commit
from moderation import facade as moderation

from . import events, relay, specs
from .access import remix_allowed, shown_changed
from .casting import casting
from .dispatch import video_enqueue
from .media.reference import ReferenceImageError, reference_png
from .models import ACTIVE, Video
from .provenance.media import read_frames
from .transitions import video_transition


@dataclass(frozen=True)
class VideoRequest:
    prompt: str
    seconds: int | None = None
    aspect_ratio: str | None = None
    resolution: str | None = None
    style: str = ""
    negative_prompt: str = ""
    with_audio: bool = True
    seed: int | None = None
    shots: list[dict[str, Any]] = field(default_factory=list)
    cameos: list[str] = field(default_factory=list)
    # Characters by id or name, as `@id` / `@name` in the prompt also casts them (cameo app).
    characters: list[str] = field(default_factory=list)
    remix_of: UUID | None = None
    # Exact frame size (the OpenAI door's sizes); None: from aspect_ratio and resolution.
    width: int | None = None
    height: int | None = None
    reference_image: bytes | None = None  # a client's image for the first frame
    # Continue this completed video: `seconds` is the new segment's length; the video made is
    # the stitched whole (its seconds the total), the source its C2PA ingredient.
    extend_of: UUID | None = None
    # A storyboard written together: its id, and every collaborator's handle (the post and
    # the C2PA manifest credit them).
    storyboard_id: UUID | None = None
    collaborators: list[str] = field(default_factory=list)


def _check_limits(user: User, *, new_video_id: UUID | None = None) -> None:
    """`new_video_id`: the job being created, written already and not counted."""
    if moderation.user_is_suspended(user_id=user.pk):
        raise DomainError("moderation.account_suspended",
                          "Your account is suspended from creating videos.", status_code=403)
    others = Video.objects.filter(owner=user)
    if new_video_id is not None:
        others = others.exclude(pk=new_video_id)
    active = others.filter(status__in=ACTIVE).count()
    if active >= settings.GENERATION_MAX_CONCURRENT_JOBS:
        raise DomainError("generation.too_many_active_jobs",
                          f"At most {settings.GENERATION_MAX_CONCURRENT_JOBS} videos can be in "
                          "progress at once.", status_code=429)
    if user.is_teen:
        since = timezone.now() - timedelta(days=1)
        if others.filter(created_at__gte=since).count() >= settings.GENERATION_TEEN_DAILY_JOBS:
            raise DomainError("generation.teen_daily_limit",
                              "Teen accounts can make a limited number of videos per day.",
                              status_code=429)


def _resolve_shots(request: VideoRequest) -> tuple[int, list[dict[str, Any]]]:
    if not request.shots:
        seconds = request.seconds or 4
        if seconds not in specs.ALLOWED_SECONDS:
            raise DomainError("generation.invalid_duration",
                              f"seconds must be one of {specs.ALLOWED_SECONDS}.",
                              fields={"seconds": ["Unsupported duration."]})
        return seconds, [{"prompt": request.prompt, "seconds": seconds}]
    total = sum(int(shot["seconds"]) for shot in request.shots)
    if total not in specs.ALLOWED_SECONDS or (request.seconds and request.seconds != total):
        raise DomainError("generation.invalid_duration",
                          f"The shots must add up to one of {specs.ALLOWED_SECONDS} seconds.",
                          fields={"shots": [f"They add up to {total} s."]})
    return total, [{**{key: s[key] for key in specs.SHOT_DIRECTION if key in s},
                    "prompt": s["prompt"], "seconds": int(s["seconds"])} for s in request.shots]


def _check_prompts(user: User, texts: list[str]) -> list[str]:
    """Blocks with a 4xx naming the reason codes; returns the codes that need review."""
    review_codes: list[str] = []
    for text in texts:
        if len(text) > settings.GENERATION_MAX_PROMPT_CHARS:
            raise DomainError("generation.prompt_too_long",
                              f"Prompts are limited to {settings.GENERATION_MAX_PROMPT_CHARS} "
                              "characters.", fields={"prompt": ["Too long."]})
        decision = moderation.prompt_check(text=text, teen=user.is_teen)
        decision.raise_if_blocked()
        if decision.needs_review:
            review_codes.extend(decision.codes)
    return review_codes


def _remix_source(user: User, source_id: UUID) -> Video:
    source = Video.objects.filter(pk=source_id, deleted_at__isnull=True).first()
    if source is None or is_blocked_between(user.pk, source.owner_id) or \
            not remix_allowed(user_id=user.pk, video=source):
        raise NotFoundError("not_found", "No such video to remix.")
    if source.status != Video.Status.COMPLETED:
        raise DomainError("generation.remix_source_unfinished",
                          "Only completed videos can be remixed.", status_code=409)
    return source


def _frame_size(request: VideoRequest, aspect: str, resolution: str) -> tuple[int, int]:
    if request.width is None and request.height is None:
        return specs.frame_size(aspect, resolution)
    if request.width is None or request.height is None or \
            not specs.exact_size_allowed(request.width, request.height):
        raise DomainError("generation.invalid_size",
                          f"Width and height must be even and at most {specs.MAX_SIDE}.",
                          fields={"size": ["Unsupported size."]})
    return request.width, request.height


def _reference(request: VideoRequest) -> bytes | None:
    if request.reference_image is None:
        return None
    try:
        return reference_png(request.reference_image)
    except ReferenceImageError as exc:
        raise DomainError("generation.invalid_reference_image", str(exc),
                          fields={"input_reference": [str(exc)]}) from None


def _extension(user: User, request: VideoRequest) -> tuple[VideoRequest, Video | None]:
    """An extension is made like a remix of its source, at the source's exact size, with
    every cameo of the source cast (and consenting, a new receipt each) again. Its shots, if
    any, are the new segment's."""
    if request.extend_of is None:
        return request, None
    source = relay.extend_source(user=user, source_id=request.extend_of)
    return replace(request, remix_of=source.pk, aspect_ratio=source.aspect_ratio,
                   resolution=source.resolution, width=source.width, height=source.height,
                   style=request.style or source.style, with_audio=source.with_audio,
                   cameos=[*source.cast_handles, *request.cameos]), source


@transaction.atomic
def video_create(*, user: User, request: VideoRequest) -> Video:
    request, extended = _extension(user, request)
    source = extended or (_remix_source(user, request.remix_of) if request.remix_of else None)
    # Early and cheap; counted again under the lock below. After the source: a missing one is
    # a 404 however many jobs run (a 429 would send the client back to retry it).
    _check_limits(user)
    style = request.style or (source.style if source else "")
    if style and style not in specs.presets():
        raise DomainError("generation.unknown_style", "Unknown style preset.",
                          fields={"style": [f"One of: {', '.join(specs.presets())}."]})
    defaults = specs.presets()[style].defaults if style else {}
    aspect = request.aspect_ratio or defaults.get("aspect_ratio", "9:16")
    resolution = request.resolution or defaults.get("resolution", "480p")
    if resolution not in settings.GENERATION_RESOLUTIONS:
        raise DomainError("generation.resolution_unsupported",
                          f"This model supports {', '.join(settings.GENERATION_RESOLUTIONS)}.",
                          fields={"resolution": ["Unsupported here."]})
    seconds, shots = _resolve_shots(request)
    total = seconds + (extended.seconds if extended else 0)
    if total > specs.MAX_TOTAL_SECONDS:
        raise DomainError("generation.invalid_duration", f"An extended video is at most "
                          f"{specs.MAX_TOTAL_SECONDS} seconds.", fields={"seconds": ["Too long."]})
    review_codes = _check_prompts(user, [request.prompt, request.negative_prompt,
                                         *(t for s in shots for t in specs.shot_texts(s) if t)])
    handles = list(dict.fromkeys([h.lower().removeprefix("@")
                                  for h in [*request.cameos, *request.characters]] +
                                 specs.mentioned_handles(" ".join([request.prompt] +
                                                                  [s["prompt"] for s in shots]))))
    if len(handles) > settings.CAMEO_MAX_PER_VIDEO:
        raise DomainError("cameo.too_many", f"At most {settings.CAMEO_MAX_PER_VIDEO} cameos "
                          "per video.", fields={"cameos": ["Too many."]})
    width, height = _frame_size(request, aspect, resolution)
    reference = _reference(request)
    model = specs.model_name()
    cost = billing.credits_quote(model=model, seconds=seconds, resolution=resolution,
                                 shots=len(shots))
    video = Video.objects.create(
        id=uuid4(), owner=user, prompt=request.prompt, negative_prompt=request.negative_prompt,
        style=style, seconds=total, aspect_ratio=aspect, resolution=resolution, width=width,
        height=height, fps=specs.FPS, with_audio=request.with_audio,
        seed=request.seed if request.seed is not None else secrets.randbits(31),
        shots=shots, model_name=model, cast_handles=handles, cost=cost,
        held_for_review=bool(review_codes), remix_of=source,
        remix_root=(source.remix_root or source) if source else None,
        remix_depth=source.remix_depth + 1 if source else 0)
    cast = casting().cast(requester_id=user.pk, video_id=video.pk, handles=handles,
                          prompt=request.prompt)
    if extended:
        video.provenance = {**video.provenance, "extends": str(extended.pk),
                            "authors": relay.extension_author_ids(source=extended,
                                                                  owner_id=user.pk)}
        video.save(update_fields=["provenance"])
    if request.storyboard_id:
        video.provenance = {**video.provenance, "storyboard": str(request.storyboard_id),
                            "collaborators": request.collaborators}
        video.save(update_fields=["provenance"])
    if cast:
        video.provenance = {**video.provenance,
            "cast": [{"handle": m.handle, "user_id": m.user_id, "receipt_id": m.receipt_id,
                      "receipt_sha256": m.receipt_sha256} for m in cast],
            "preferences": [m.preferences for m in cast if m.preferences]}
        video.save(update_fields=["provenance"])
    # Parallel requests of one user queue on their balance row, so each one counts the jobs
    # the others committed: the limits hold under concurrency. Taken after the cameo locks,
    # in the order a consent revocation takes them (cameo, then the requester's balance).
    billing.account_lock(user_id=user.pk)
    _check_limits(user, new_video_id=video.pk)
    billing.credits_reserve(user_id=user.pk, amount=cost, reference=video.reservation_reference,
                            reason="video")
    if reference is not None:
        # Stored before the commit so the worker finds it; the worker reads the name only.
        name = default_storage.save(f"references/{video.pk}.png", ContentFile(reference))
        video.provenance = {**video.provenance, "input_reference": name}
        video.save(update_fields=["provenance"])
    if review_codes:
        moderation.case_open_for_automatic_hit(
            target_type="video", target_id=str(video.pk), owner_id=user.pk,
            codes=list(dict.fromkeys(review_codes)), summary=request.prompt[:200])
    if extended:
        events.extended_publish(source=extended, extension=video, by=user)
    video_enqueue(video_id=video.pk)
    return video


def video_remix(*, user: User, source_id: UUID, prompt: str) -> Video:
    source = _remix_source(user, source_id)
    return video_create(user=user, request=VideoRequest(
        prompt=prompt, seconds=source.seconds, aspect_ratio=source.aspect_ratio,
        resolution=source.resolution, style=source.style,
        negative_prompt=source.negative_prompt, with_audio=source.with_audio, seed=source.seed,
        remix_of=source.pk, width=source.width, height=source.height))


def video_extend(*, user: User, source_id: UUID, prompt: str, seconds: int | None,
                 shots: list[dict[str, Any]] | None = None) -> Video:
    """A new segment of `seconds` (or of these shots) after the source's last frame, stored
    as the whole; both doors (/api/v1 extend, /v1 extensions) come here."""
    return video_create(user=user, request=VideoRequest(prompt=prompt, seconds=seconds,
                                                        shots=shots or [],
                                                        extend_of=source_id))


def video_edit(*, user: User, source_id: UUID, prompt: str) -> Video:
    """The source made again under a new prompt, starting from its first frame."""
    source = _remix_source(user, source_id)
    with source.video_file.open("rb") as handle:
        first = read_frames(handle.read(), max_frames=1)[0][0]
    buffer = io.BytesIO()
    Image.fromarray(first).save(buffer, format="PNG")
    return video_create(user=user, request=VideoRequest(
        prompt=prompt, seconds=source.seconds, aspect_ratio=source.aspect_ratio,
        resolution=source.resolution, style=source.style,
        negative_prompt=source.negative_prompt, with_audio=source.with_audio, seed=source.seed,
        remix_of=source.pk, width=source.width, height=source.height,
        reference_image=buffer.getvalue()))


def _own_video(user: User, video_id: UUID) -> Video:
    video = Video.objects.filter(pk=video_id, owner=user, deleted_at__isnull=True).first()
    if video is None:
        raise NotFoundError("not_found", "No such video.")
    return video


@transaction.atomic
def video_cancel(*, user: User, video_id: UUID) -> Video:
    """Queued: cancelled now. Running: the worker stops at its next step; if its heartbeat
    is old (the worker died or hangs), cancelled now too: a late store is refused anyway,
    since storing re-checks the status under the row lock."""
    video = _own_video(user, video_id)
    video = Video.objects.select_for_update().get(pk=video.pk)
    settle_before = timezone.now() - timedelta(seconds=settings.GENERATION_CANCEL_SETTLE_AFTER_S)
    worker_gone = video.status == Video.Status.IN_PROGRESS and (
        video.heartbeat_at is None or video.heartbeat_at < settle_before)
    if video.status == Video.Status.QUEUED or worker_gone:
        return video_transition(video_id=video.pk, to=Video.Status.CANCELLED, actor_id=user.pk,
                                reason="cancelled by owner")
    if video.status == Video.Status.IN_PROGRESS:
        video.cancel_requested = True
        video.save(update_fields=["cancel_requested"])
        return video
    raise DomainError("generation.not_cancellable", f"A {video.status} video cannot be "
                      "cancelled.", status_code=409)


@transaction.atomic
def video_delete(*, user: User, video_id: UUID) -> None:
    video = _own_video(user, video_id)
    if video.status in ACTIVE:
        video_cancel(user=user, video_id=video.pk)
    video.deleted_at = timezone.now()
    video.save(update_fields=["deleted_at"])
    shown_changed(video)
    files = [f.name for f in (video.video_file, video.thumbnail_file) if f]
    files += [name for key in ("input_reference", "spritesheet")
              if (name := video.provenance.get(key))]
    storage = video.video_file.storage
    files_delete_on_commit((storage, name) for name in files)

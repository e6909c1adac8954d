"""How moderation finds, shows and acts on videos (registered from GenerationConfig.ready)."""

import uuid
from typing import Any

from django.db import transaction

from core.ids import parse_uuid

from .access import can_view, shown_changed
from .links import content_links
from .models import Video
from .transitions import video_transition

S = Video.Status


def _ids(target_id: str) -> list[uuid.UUID]:
    parsed = parse_uuid(target_id)
    return [parsed] if parsed else []


def video_owner(target_id: str) -> int | None:
    return Video.objects.filter(pk__in=_ids(target_id)).values_list(
        "owner_id", flat=True).first()


def video_visible_to(target_id: str, user_id: int) -> bool:
    video = Video.objects.filter(pk__in=_ids(target_id)).first()
    return video is not None and can_view(user_id=user_id, video=video)


@transaction.atomic
def video_enforce(target_id: str, action: str) -> None:
    video = Video.objects.select_for_update().filter(pk__in=_ids(target_id)).first()
    if video is None:
        return
    if action == "remove":
        if video.status in (S.QUEUED, S.IN_PROGRESS, S.COMPLETED):
            video_transition(video_id=video.pk, to=S.BLOCKED, reason="moderation: removed",
                             error_code="moderation.removed",
                             error_message="Removed for breaking the content rules.")
    elif action == "unremove":
        if video.status == S.BLOCKED and video.video_file:
            video_transition(video_id=video.pk, to=S.COMPLETED, reason="appeal overturned")
    elif action in ("restrict", "unrestrict"):
        Video.objects.filter(pk=video.pk).update(restricted=action == "restrict")
    elif action in ("label", "unlabel"):
        Video.objects.filter(pk=video.pk).update(
            label="moderation.labelled" if action == "label" else "")
    if action in ("remove", "unremove", "restrict", "unrestrict", "clear"):
        Video.objects.filter(pk=video.pk).update(held_for_review=False)
    shown_changed(video)


def video_describe(target_id: str) -> dict[str, Any]:
    video = Video.objects.filter(pk__in=_ids(target_id)).first()
    if video is None:
        return {}
    described: dict[str, Any] = {"title": video.prompt[:80], "prompt": video.prompt,
                                 "text": f"status {video.status}, by @{video.owner.handle}",
                                 "provenance": video.provenance or None}
    if video.status == S.COMPLETED:
        links = content_links(video.pk)
        described["video_url"] = links["video"]
        described["thumbnails"] = [links["thumbnail"]]
    return described

"""Moderation target "cameo_use": one appearance of a likeness in a video (a receipt id).

Its owner (who answers for it) is the video's requester; enforcing acts on the video.
"""

from typing import Any

from django.utils import timezone

from core.ids import parse_uuid
from generation.facade import video_describe, video_enforce, video_visible_to

from .models import Receipt


def _receipt(target_id: str) -> Receipt | None:
    pk = parse_uuid(target_id)
    if pk is None:
        return None
    return Receipt.objects.select_related("owner", "requester").filter(pk=pk).first()


def cameo_use_owner(target_id: str) -> int | None:
    receipt = _receipt(target_id)
    return receipt.requester_id if receipt else None


def cameo_use_visible_to(target_id: str, user_id: int) -> bool:
    """The likeness owner and the requester, and whoever may see the video."""
    receipt = _receipt(target_id)
    return receipt is not None and (user_id in (receipt.owner_id, receipt.requester_id)
                                    or video_visible_to(str(receipt.video_id), user_id))


def cameo_use_enforce(target_id: str, action: str) -> None:
    receipt = _receipt(target_id)
    if receipt is None:
        return
    if action == "remove" and receipt.revoked_at is None:
        Receipt.objects.filter(pk=receipt.pk).update(revoked_at=timezone.now(),
                                                     revoke_reason="moderation.removed")
    video_enforce(str(receipt.video_id), action)


def cameo_use_describe(target_id: str) -> dict[str, Any]:
    receipt = _receipt(target_id)
    if receipt is None:
        return {}
    described = video_describe(str(receipt.video_id))
    text = f"uses @{receipt.owner.handle}'s cameo; {described.get('text', '')}"
    return {**described, "text": text}

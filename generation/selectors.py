"""Generation reads."""

from uuid import UUID

from django.db.models import QuerySet

from accounts.facade import User
from core.errors import NotFoundError

from .access import can_view
from .models import Video


def videos_of_owner(*, user: User) -> QuerySet[Video]:
    return Video.objects.filter(owner=user, deleted_at__isnull=True)


def video_get_for_owner(*, user: User, video_id: UUID) -> Video:
    video = Video.objects.filter(pk=video_id, owner=user, deleted_at__isnull=True).first()
    if video is None:
        raise NotFoundError("not_found", "No such video.")
    return video


def video_get_viewable(*, user: User, video_id: UUID) -> Video:
    """Someone else's private video is a 404, never a 403."""
    video = Video.objects.filter(pk=video_id).first()
    if video is None or not can_view(user_id=user.pk, video=video):
        raise NotFoundError("not_found", "No such video.")
    return video


def video_by_watermark(*, watermark_id: int) -> Video | None:
    return Video.objects.filter(watermark_id=watermark_id).select_related("owner").first()

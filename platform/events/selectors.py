from collections.abc import Iterable

from django.db.models import Max, QuerySet

from .models import Notification

REPLAY_PAGE = 1000


def notifications_list(*, user_id: int, unread_only: bool = False) -> QuerySet[Notification]:
    queryset = Notification.objects.filter(user_id=user_id)
    return queryset.filter(read_at__isnull=True) if unread_only else queryset


def notifications_after(*, user_id: int, after_id: int, limit: int = REPLAY_PAGE
                        ) -> list[Notification]:
    """What a reconnecting client missed, oldest first, one page."""
    return list(Notification.objects.filter(user_id=user_id, id__gt=after_id)
                .order_by("id")[:limit])


def notifications_newer_than(*, after_id: int, limit: int) -> list[Notification]:
    """Everyone's newest events, oldest first: the embedded mode's table tail."""
    return list(Notification.objects.filter(id__gt=after_id).order_by("id")[:limit])


def notification_latest_id() -> int:
    return Notification.objects.order_by("-id").values_list("id", flat=True).first() or 0


def notification_latest_id_of(*, user_id: int) -> int:
    return (Notification.objects.filter(user_id=user_id).order_by("-id")
            .values_list("id", flat=True).first() or 0)


def notifications_before(*, user_ids: Iterable[int], before_id: int) -> dict[int, int]:
    """Each user's newest event id below `before_id` (users without one are left out)."""
    return dict(Notification.objects.filter(user_id__in=set(user_ids), id__lt=before_id)
                .values("user_id").annotate(last=Max("id")).values_list("user_id", "last"))

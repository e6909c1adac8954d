from django.db.models import QuerySet

from .models import Notification

REPLAY_LIMIT = 1000


def notifications_list(*, user_id: int, unread_only: bool = False) -> QuerySet[Notification]:
    queryset = Notification.objects.filter(user_id=user_id)
    return queryset.filter(read_at__isnull=True) if unread_only else queryset


def notifications_after(*, user_id: int, after_id: int) -> list[Notification]:
    """What a reconnecting client missed, oldest first."""
    return list(Notification.objects.filter(user_id=user_id, id__gt=after_id)
                .order_by("id")[:REPLAY_LIMIT])

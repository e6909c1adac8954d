"""Publishing events: stored in the caller's transaction, pushed only after it commits."""

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .delivery import push_to_channel_layer
from .models import Notification


def event_publish(*, user_id: int, type: str, payload: dict[str, Any]) -> Notification:
    notification = Notification.objects.create(user_id=user_id, type=type, payload=payload)
    if settings.EVENTS_DELIVERY == "channel_layer":
        # robust: the event is stored; Redis down must not turn a committed write into a 500
        # (the app catches up with ?after= on reconnect)
        transaction.on_commit(lambda: push_to_channel_layer(notification), robust=True)
    return notification


def notifications_mark_read(*, user_id: int, ids: list[int] | None = None,
                            up_to_id: int | None = None) -> int:
    unread = Notification.objects.filter(user_id=user_id, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(id__in=ids)
    if up_to_id is not None:
        unread = unread.filter(id__lte=up_to_id)
    return unread.update(read_at=timezone.now())

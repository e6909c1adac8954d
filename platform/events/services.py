"""Publishing events: stored in the caller's transaction, pushed only after it commits."""

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from .models import Notification
from .outbox import outbox_event, outbox_sessions_ended
from .wire import LiveEvent, SessionsEnded, event_text


def _live(notification: Notification) -> LiveEvent:
    return LiveEvent(notification.user_id, notification.pk, event_text(notification.as_event()))


def event_publish(*, user_id: int, type: str, payload: dict[str, Any]) -> Notification:
    notification = Notification.objects.create(user_id=user_id, type=type, payload=payload)
    outbox_event(_live(notification))
    return notification


@transaction.atomic
def events_publish_many(*, events: Iterable[tuple[int, str, dict[str, Any]]]
                        ) -> list[Notification]:
    """Many events (user id, type, payload) in one INSERT and one bus message: for fan-outs
    (every reporter of a case, every follower). Ids come back on Postgres and SQLite."""
    notifications = Notification.objects.bulk_create(
        [Notification(user_id=user_id, type=type, payload=payload)
         for user_id, type, payload in events])
    for notification in notifications:
        outbox_event(_live(notification))
    return notifications


def sessions_ended_publish(*, user_id: int, session_ids: Iterable[int]) -> None:
    """After commit, the websockets of these sessions close on every web process."""
    ended = tuple(session_ids)
    if ended:
        outbox_sessions_ended(SessionsEnded(user_id, ended))


def notifications_mark_read(*, user_id: int, ids: list[int] | None = None,
                            up_to_id: int | None = None) -> int:
    unread = Notification.objects.filter(user_id=user_id, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(id__in=ids)
    if up_to_id is not None:
        unread = unread.filter(id__lte=up_to_id)
    return unread.update(read_at=timezone.now())

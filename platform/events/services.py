"""Publishing events: stored in the caller's transaction, pushed only after it commits.

Ids of one user's events are commit-ordered: a transaction takes a lock per user (Postgres
advisory, held until it ends; SQLite writes one transaction at a time anyway) before drawing
ids for that user, so an event with a lower id of the same user can never commit later. That
is what lets `?after=<id>` mean "everything up to this id": a reader that has seen id N of a
user has every earlier one of that user that will ever exist.
"""

from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from .models import Notification
from .outbox import outbox_event, outbox_sessions_ended
from .selectors import notifications_before
from .wire import LiveEvent, SessionsEnded, event_text

USER_LOCK_CLASS = 0x45564E54  # "EVNT": the advisory-lock namespace of per-user event order


def _lock_users(user_ids: list[int]) -> None:
    """Until this transaction ends, no other can draw event ids for these users. One statement,
    in ascending order (so two fan-outs over the same users never wait on each other in a
    cycle)."""
    if connection.vendor != "postgresql" or not user_ids:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(pg_advisory_xact_lock(%s, (u %% 2147483647)::int)) "
                       "FROM unnest(%s::bigint[]) AS u", [USER_LOCK_CLASS, user_ids])


def _store(events: list[tuple[int, str, dict[str, Any]]]) -> list[Notification]:
    """One INSERT; every event joins the transaction's bus message with its user's previous id."""
    user_ids = sorted({user_id for user_id, _, _ in events})
    _lock_users(user_ids)
    notifications = Notification.objects.bulk_create(
        [Notification(user_id=user_id, type=type, payload=payload)
         for user_id, type, payload in events])
    if not notifications:
        return notifications
    previous = notifications_before(user_ids=user_ids,
                                    before_id=min(n.pk for n in notifications))
    for notification in notifications:
        outbox_event(LiveEvent(notification.user_id, notification.pk,
                               previous.get(notification.user_id, 0),
                               event_text(notification.as_event())))
        previous[notification.user_id] = notification.pk
    return notifications


@transaction.atomic(savepoint=False)  # one batch with the caller's events
def event_publish(*, user_id: int, type: str, payload: dict[str, Any]) -> Notification:
    return _store([(user_id, type, payload)])[0]


@transaction.atomic(savepoint=False)  # one batch with the caller's events
def events_publish_many(*, events: Iterable[tuple[int, str, dict[str, Any]]]
                        ) -> list[Notification]:
    """Many events (user id, type, payload) in one INSERT and one bus message: for fan-outs
    (every reporter of a case, every follower). Ids come back on Postgres and SQLite."""
    return _store(list(events))


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

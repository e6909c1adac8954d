"""Publishing events: stored in the caller's transaction, pushed only after it commits.

Ids of one user's events follow commit order (ordering.py says how), so a reader that has seen
id N of a user has every earlier one of that user that will ever exist. On Postgres the rows
are written just before the caller's transaction commits: the Notification returned has its
id from then on.
"""

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from .models import Notification
from .ordering import store_in_commit_order
from .outbox import outbox_event, outbox_sessions_ended, outbox_unstored
from .wire import SessionsEnded


def _commits_later(connection: Any) -> bool:
    """The transaction will reach a COMMIT that runs the step before it: not on SQLite, and
    not inside a Django TestCase's transaction, which never commits (Django marks those
    blocks, as it does for durable atomics; there rows are stored at once, as on SQLite)."""
    return (getattr(connection, "runs_before_commit", False)
            and not any(block._from_testcase for block in connection.atomic_blocks))


def _store(events: list[tuple[int, str, dict[str, Any]]]) -> list[Notification]:
    notifications = [Notification(user_id=user_id, type=type, payload=payload)
                     for user_id, type, payload in events]
    if _commits_later(transaction.get_connection()):
        outbox_unstored(notifications)  # stored in the step before COMMIT
    else:
        for event in store_in_commit_order(notifications):
            outbox_event(event)
    return notifications


@transaction.atomic(savepoint=False)  # one batch with the caller's events
def event_publish(*, user_id: int, type: str, payload: dict[str, Any]) -> Notification:
    """The event, stored and pushed once the caller's transaction commits. Its `pk` is the
    id the sockets see, set by the time the transaction has committed (on Postgres not
    before: ids are drawn in the step before COMMIT; in autocommit, on return): read it
    after the `atomic` block, never inside it."""
    return _store([(user_id, type, payload)])[0]


@transaction.atomic(savepoint=False)  # one batch with the caller's events
def events_publish_many(*, events: Iterable[tuple[int, str, dict[str, Any]]]
                        ) -> list[Notification]:
    """Many events (user id, type, payload) in one INSERT and one bus message: for fan-outs
    (every reporter of a case, every follower). Their ids as event_publish says: read them
    once the transaction has committed."""
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

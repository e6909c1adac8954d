"""Storing events so that the ids of one user's events follow the order their transactions
commit: what lets `?after=<id>` mean "everything of this user up to this id".

On Postgres the rows are written in the transaction's last step before COMMIT (outbox.py's
`before_commit`, run by core/postgresql), and that step first takes every user of the
transaction at once, in ascending order:
1. the users' rows FOR KEY SHARE (what a foreign-key check takes), counted: a user that does
   not exist fails the transaction here, so the table needs no per-row foreign-key trigger
   (models.py),
2. then a transaction-scoped advisory lock per user, ascending, in the same statement,
3. then the INSERT, and COMMIT.
Ids are drawn only under the users' locks, which are held until COMMIT, so a lower id of a user
can never commit after a higher one. And it cannot deadlock: a transaction takes these locks
only in that one step, in one order, and once it holds them it waits for nothing (its row locks
are already its own), so no cycle can run through them. (When each call locked its users as it
went, two transactions publishing to the same two users in opposite orders deadlocked.)

On SQLite a writing transaction holds the whole database until it ends (IMMEDIATE), so rows
are written at once, in the caller's call, and their ids are commit-ordered already.
"""

from typing import Any

from django.db import IntegrityError, connection

from .models import Notification
from .selectors import notifications_before
from .wire import LiveEvent, event_text

USER_LOCK_CLASS = 0x45564E54  # "EVNT": the advisory-lock namespace of per-user event order


def _take_users_order(user_ids: list[int]) -> int:
    """Until this transaction ends, no other can draw event ids for these users, nor delete
    them; how many of them exist."""
    users = _users_model()._meta.db_table
    with connection.cursor() as cursor:
        # MATERIALIZED + the sort: every row lock is held before the first advisory lock
        cursor.execute(
            f"WITH held AS MATERIALIZED (SELECT id FROM {connection.ops.quote_name(users)} "  # noqa: S608
            "WHERE id = ANY(%s) FOR KEY SHARE) "
            "SELECT count(pg_advisory_xact_lock(%s, (id %% 2147483647)::int)) "
            "FROM (SELECT id FROM held ORDER BY id) AS ascending",
            [user_ids, USER_LOCK_CLASS])
        return int(cursor.fetchone()[0])


def _users_model() -> Any:
    return Notification._meta.get_field("user").related_model


def store_in_commit_order(notifications: list[Notification]) -> list[LiveEvent]:
    """One INSERT; each event comes back as it travels, with its user's previous id."""
    if not notifications:
        return []
    user_ids = sorted({n.user_id for n in notifications})
    # The foreign key's check, once for the whole batch: one statement instead of a trigger
    # per row run at COMMIT (5,000 of them held a 5,000-event COMMIT for ~30 ms)
    existing = (_take_users_order(user_ids) if connection.vendor == "postgresql"
                else _users_model()._base_manager.filter(pk__in=user_ids).count())
    if existing != len(user_ids):
        raise IntegrityError("events: an event for a user that does not exist")
    Notification.objects.bulk_create(notifications)
    previous = notifications_before(user_ids=user_ids,
                                    before_id=min(n.pk for n in notifications))
    events = []
    for notification in notifications:
        events.append(LiveEvent(notification.user_id, notification.pk,
                                previous.get(notification.user_id, 0),
                                event_text(notification.as_event())))
        previous[notification.user_id] = notification.pk
    return events

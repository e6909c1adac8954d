"""After-commit publishing: a transaction's events leave together, in one bus message.

Every event and ended session joins the batch of the transaction (savepoint) it was written
in; the batch is one on-commit hook, so it is published once, after commit, in one round trip
to the bus, and never when the transaction (or the savepoint around it) rolls back.
On Postgres the batch also holds the transaction's events until the step before COMMIT stores
them (ordering.py), all batches of the transaction in one step.
"""

import logging
from typing import TYPE_CHECKING

from django.db import DEFAULT_DB_ALIAS, transaction

from .bus import publisher
from .models import Notification
from .ordering import store_in_commit_order
from .wire import BusMessage, LiveEvent, RoomMessage, SessionsEnded

if TYPE_CHECKING:
    from collections.abc import Callable

logger = logging.getLogger(__name__)


class _Batch:
    """The on-commit hook holding one transaction's bus message."""

    def __init__(self) -> None:
        self.message = BusMessage()
        self.unstored: list[Notification] = []
        self.prepared: Callable[[], None] | None = None  # the message encoded before COMMIT

    @classmethod
    def before_commit(cls, batches: list["_Batch"]) -> None:
        """Called by core/postgresql just before COMMIT with the transaction's batches that
        are still due (not rolled back): their events are stored now, in one step."""
        due = [batch for batch in batches if batch.unstored]
        events = iter(store_in_commit_order([n for batch in due for n in batch.unstored]))
        for batch in due:
            batch.message.events.extend(next(events) for _ in batch.unstored)
            batch.unstored = []
            # encoded now, while nothing waits for it: after COMMIT only the send is left
            batch.prepared = publisher().prepare(batch.message)

    def __call__(self) -> None:
        try:
            if self.prepared is not None:
                self.prepared()
            else:
                publisher().publish(self.message)
        except Exception:  # committed and stored: a reconnect with ?after= replays it
            logger.exception("events: publishing %d events after commit failed",
                             len(self.message.events))


def _batch(using: str) -> _Batch:
    """The open batch of the current transaction, or a new hook.

    Django drops the on-commit hooks registered inside a savepoint that rolls back, keyed by
    the savepoint ids active at registration; so a batch is joined only while those ids are the
    same, and a batch never holds an event whose savepoint may roll back without it.
    """
    connection = transaction.get_connection(using)
    if connection.in_atomic_block and connection.run_on_commit:
        sids, hook, _ = connection.run_on_commit[-1]
        if isinstance(hook, _Batch) and sids == set(connection.savepoint_ids):
            return hook
    batch = _Batch()
    if connection.in_atomic_block:
        transaction.on_commit(batch, using=using)
    return batch


def _add(batch: _Batch, using: str) -> None:
    if not transaction.get_connection(using).in_atomic_block:
        batch()  # autocommit: already committed, publish now


def outbox_event(event: LiveEvent, using: str = DEFAULT_DB_ALIAS) -> None:
    batch = _batch(using)
    batch.message.events.append(event)
    _add(batch, using)


def outbox_unstored(notifications: list[Notification], using: str = DEFAULT_DB_ALIAS) -> None:
    """Events to store in the step before COMMIT (only inside a transaction)."""
    _batch(using).unstored.extend(notifications)


def outbox_sessions_ended(ended: SessionsEnded, using: str = DEFAULT_DB_ALIAS) -> None:
    batch = _batch(using)
    batch.message.sessions_ended.append(ended)
    _add(batch, using)


def outbox_room(message: RoomMessage, using: str = DEFAULT_DB_ALIAS) -> None:
    batch = _batch(using)
    batch.message.rooms.append(message)
    _add(batch, using)

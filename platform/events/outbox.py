"""After-commit publishing: a transaction's events leave together, in one bus message.

Every event and ended session joins the batch of the transaction (savepoint) it was written
in; the batch is one on-commit hook, so it is published once, after commit, in one round trip
to the bus, and never when the transaction (or the savepoint around it) rolls back.
"""

import logging

from django.db import DEFAULT_DB_ALIAS, transaction

from .bus import publisher
from .wire import BusMessage, LiveEvent, RoomMessage, SessionsEnded

logger = logging.getLogger(__name__)


class _Batch:
    """The on-commit hook holding one transaction's bus message."""

    def __init__(self) -> None:
        self.message = BusMessage()

    def __call__(self) -> None:
        try:
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


def outbox_sessions_ended(ended: SessionsEnded, using: str = DEFAULT_DB_ALIAS) -> None:
    batch = _batch(using)
    batch.message.sessions_ended.append(ended)
    _add(batch, using)


def outbox_room(message: RoomMessage, using: str = DEFAULT_DB_ALIAS) -> None:
    batch = _batch(using)
    batch.message.rooms.append(message)
    _add(batch, using)

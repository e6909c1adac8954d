"""Pushing stored events to connected websockets, with or without Redis.

With Redis, the process that committed the event sends it to the shared channel layer.
Without Redis (the embedded default) workers cannot reach the web process's in-memory layer,
so the web process tails the notifications table and pushes what is new: the table is the bus.
"""

import asyncio
import logging

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings

from .models import Notification

logger = logging.getLogger(__name__)
TAIL_BATCH = 500


def user_group(user_id: int) -> str:
    return f"events.user.{user_id}"


def push_to_channel_layer(notification: Notification) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    async_to_sync(layer.group_send)(user_group(notification.user_id),
                                    {"type": "event.deliver", "event": notification.as_event()})


class DatabaseTail:
    """One per web process: polls for notifications newer than the last one pushed."""

    def __init__(self) -> None:
        self._task: asyncio.Task[None] | None = None

    def ensure_running(self) -> None:
        if settings.EVENTS_DELIVERY != "database_tail":
            return
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())

    @database_sync_to_async
    def _latest_id(self) -> int:
        latest = Notification.objects.order_by("-id").values_list("id", flat=True).first()
        return latest or 0

    @database_sync_to_async
    def _newer_than(self, last_id: int) -> list[Notification]:
        return list(Notification.objects.filter(id__gt=last_id).order_by("id")[:TAIL_BATCH])

    async def _run(self) -> None:
        layer = get_channel_layer()
        assert layer is not None
        last_id = await self._latest_id()
        while True:
            try:
                batch = await self._newer_than(last_id)
                for notification in batch:
                    await layer.group_send(user_group(notification.user_id),
                                           {"type": "event.deliver",
                                            "event": notification.as_event()})
                    last_id = notification.pk
                if len(batch) < TAIL_BATCH:
                    await asyncio.sleep(settings.EVENTS_TAIL_INTERVAL_S)
            except asyncio.CancelledError:
                raise
            except Exception:  # keep tailing through a transient database error
                logger.exception("events tail failed; retrying")
                await asyncio.sleep(1)


database_tail = DatabaseTail()

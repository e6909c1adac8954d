"""Per web process: which local sockets belong to which user, and the bus subscription.

The bus brings every committed transaction to every web process once; the hub passes each
event to the sockets of its user on this process and closes the sockets of ended sessions.
One hub per event loop (one in a server process; tests run several loops one after another).
"""

import asyncio
import logging
import weakref
from collections import defaultdict
from collections.abc import Container, Iterable
from typing import Protocol

from channels.db import database_sync_to_async
from django.conf import settings

from accounts.facade import sessions_live

from .live_socket import CLOSE_RECONNECT, CLOSE_SESSION_ENDED, LiveSocket
from .wire import BusMessage, LiveEvent, RoomMessage

logger = logging.getLogger(__name__)


class BusUnavailableError(Exception):
    pass


class RoomListener(Protocol):
    """A socket in a room (rooms.py): it takes a room's messages without waiting."""

    key: str
    user_id: int
    session_id: int

    def room_message(self, message: RoomMessage) -> None: ...

    def room_close(self, code: int) -> None: ...


class Subscriber(Protocol):
    async def run(self, hub: "LocalHub") -> None: ...


def _subscriber() -> Subscriber:
    if settings.EVENTS_DELIVERY == "redis":
        from .bus.redis_pubsub import RedisSubscriber

        return RedisSubscriber(settings.REDIS_URL, settings.EVENTS_REDIS_CHANNEL)
    from .bus.local import DatagramSubscriber

    return DatagramSubscriber(settings.DATA_DIR)


class LocalHub:
    def __init__(self) -> None:
        self._sockets: dict[int, set[LiveSocket]] = defaultdict(set)
        self._rooms: dict[str, set[RoomListener]] = defaultdict(set)
        self._ready = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self.messages_received = 0

    def _ensure_running(self) -> None:
        if self._tasks:
            return
        loop = asyncio.get_running_loop()
        self._tasks = [loop.create_task(self._supervise(_subscriber())),
                       loop.create_task(self._check_sessions())]

    async def _supervise(self, subscriber: Subscriber) -> None:
        while True:
            try:
                await subscriber.run(self)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("events: bus subscriber failed; restarting")
                self.bus_lost()
                await asyncio.sleep(1)

    async def _wait_ready(self) -> None:
        self._ensure_running()
        try:
            await asyncio.wait_for(self._ready.wait(), settings.EVENTS_BUS_WAIT_S)
        except TimeoutError:
            raise BusUnavailableError from None

    async def join(self, socket: LiveSocket) -> None:
        """Receive live events from now on (raises BusUnavailableError when the bus is down)."""
        await self._wait_ready()
        self._sockets[socket.user_id].add(socket)

    def leave(self, socket: LiveSocket) -> None:
        sockets = self._sockets.get(socket.user_id)
        if sockets is not None:
            sockets.discard(socket)
            if not sockets:
                del self._sockets[socket.user_id]

    async def room_join(self, room: str, listener: RoomListener) -> None:
        """Receive the room's messages from now on (raises BusUnavailableError)."""
        await self._wait_ready()
        self._rooms[room].add(listener)

    def room_leave(self, room: str, listener: RoomListener) -> None:
        listeners = self._rooms.get(room)
        if listeners is not None:
            listeners.discard(listener)
            if not listeners:
                del self._rooms[room]

    def _deliver_rooms(self, message: BusMessage) -> None:
        for note in message.rooms:
            for listener in list(self._rooms.get(note.room, ())):
                if note.close_user_id:
                    if listener.user_id == note.close_user_id:
                        self.room_leave(note.room, listener)
                        listener.room_close(CLOSE_SESSION_ENDED)
                elif listener.key != note.sender and note.to in ("", listener.key):
                    listener.room_message(note)
        for ended in message.sessions_ended:
            for room, listeners in list(self._rooms.items()):
                for listener in list(listeners):
                    if (listener.user_id == ended.user_id
                            and listener.session_id in ended.session_ids):
                        self.room_leave(room, listener)
                        listener.room_close(CLOSE_SESSION_ENDED)
    @property
    def local_users(self) -> Container[int]:
        """Users with a socket on this process: the only events it needs to decode."""
        return self._sockets.keys()

    def bus_ready(self) -> None:
        self._ready.set()

    def bus_lost(self) -> None:
        """What was published meanwhile is unknown: every socket resyncs from the table."""
        self._ready.clear()
        for sockets in list(self._sockets.values()):
            for socket in list(sockets):
                self._end(socket, CLOSE_RECONNECT)
        for room, listeners in list(self._rooms.items()):  # they missed what the room said
            for listener in list(listeners):
                self.room_leave(room, listener)
                listener.room_close(CLOSE_RECONNECT)

    def deliver(self, message: BusMessage, events: Iterable[LiveEvent] | None = None) -> None:
        """Hand the message's events (or `events`, read from the bus one at a time) to the
        sockets of their users, then its notes."""
        self.messages_received += 1
        sockets_of = self._sockets.get
        for event in message.events if events is None else events:
            for socket in sockets_of(event.user_id, ()):
                socket.offer(event)
        for ended in message.sessions_ended:
            for socket in list(sockets_of(ended.user_id, ())):
                if socket.session_id in ended.session_ids:
                    self._end(socket, CLOSE_SESSION_ENDED)
        if self._rooms:
            self._deliver_rooms(message)

    def _end(self, socket: LiveSocket, code: int) -> None:
        self.leave(socket)
        socket.end(code)

    async def _check_sessions(self) -> None:
        """The safety net under the bus's session-ended messages (pub/sub and datagrams can
        drop one): every EVENTS_SESSION_CHECK_S, sockets whose session has ended close."""
        while True:
            await asyncio.sleep(settings.EVENTS_SESSION_CHECK_S)
            sockets = [s for group in self._sockets.values() for s in group]
            if not sockets:
                continue
            try:
                live = await database_sync_to_async(sessions_live)(
                    session_ids={s.session_id for s in sockets})
            except Exception:
                logger.exception("events: session check failed")
                continue
            for socket in sockets:
                if socket.session_id not in live:
                    self._end(socket, CLOSE_SESSION_ENDED)


_hubs: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, LocalHub]" = (
    weakref.WeakKeyDictionary())


def local_hub() -> LocalHub:
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None:
        hub = _hubs[loop] = LocalHub()
    return hub

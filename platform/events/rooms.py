"""Rooms: websockets gathered around one thing (a storyboard), told ephemeral messages.

A room message (presence, the live copy of a committed change, "this user's access ended")
rides the same bus as the stored events (wire.RoomMessage), so it reaches every web process in
the embedded mode (datagrams) and with Redis (pub/sub) alike; each process's hub hands it to
its own sockets in that room. Nothing is stored: a socket that misses one (a lost datagram, a
reconnect) reads the state again over REST; what must not be missed is also published as a
stored event to each user (services.event_publish).

A product app subclasses `RoomConsumer`: `room_name` names the room of the URL, `room_admit`
says whether the socket's user may come in, `presence` says what others see of the socket,
`room_received` takes the client's messages. Presence is ephemeral: a newcomer announces
itself (presence.join), each socket already there answers it alone (presence.here), a change
is presence.update, a socket gone is presence.leave. The socket listens before it is
admitted, so an access removal committed while it connects is not missed.
"""

import asyncio
import contextlib
import logging
from typing import Any
from uuid import uuid4

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from accounts.facade import sessions_live

from .bus import publisher
from .consumers import client_message, socket_authenticate
from .hub import BusUnavailableError, local_hub
from .live_socket import (
    CLOSE_BUS_UNAVAILABLE,
    CLOSE_RECONNECT,
    CLOSE_SESSION_ENDED,
    CLOSE_UNAUTHORIZED,
)
from .outbox import outbox_room
from .wire import BusMessage, RoomMessage, event_text

logger = logging.getLogger(__name__)
CLOSE_NOT_ADMITTED = 4404  # no such room for this user (not a member, or gone)
_NO_LAYER = "events.no-channel-layer"


def room_publish(*, room: str, payload: dict[str, Any]) -> None:
    """Tell every socket in `room` after the current transaction commits (now, outside one)."""
    outbox_room(RoomMessage(room=room, text=event_text(payload)))


def room_close_user(*, room: str, user_id: int) -> None:
    """After commit, close `user_id`'s sockets in `room` on every web process."""
    outbox_room(RoomMessage(room=room, text="", close_user_id=user_id))


class RoomConsumer(AsyncWebsocketConsumer):
    room = ""
    key = ""
    user_id = 0
    session_id = 0
    channel_layer_alias = _NO_LAYER  # the bus brings the messages: no channel per socket
    _writer: "asyncio.Task[None] | None" = None
    _closer: "asyncio.Task[None] | None" = None  # referenced while it runs

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._tasks: set[asyncio.Task[None]] = set()  # answers on their way (kept referenced)

    async def room_name(self) -> str:
        """The room this URL names (before any access check)."""
        raise NotImplementedError

    async def room_admit(self) -> bool:
        """Whether this socket's user may come in (no: closed with CLOSE_NOT_ADMITTED)."""
        raise NotImplementedError

    def presence(self) -> dict[str, Any]:
        """What the room's other sockets see of this one."""
        return {"user_id": self.user_id, "socket": self.key}

    async def room_received(self, content: dict[str, Any]) -> None:
        """A JSON object from the client (other than a ping)."""

    async def presence_changed(self) -> None:
        await self.room_say({"type": "presence.update", "user": self.presence()})

    async def connect(self) -> None:
        socket_user = await socket_authenticate(self.scope)
        if socket_user is None:
            await self.close(code=CLOSE_UNAUTHORIZED)
            return
        self.user_id, self.session_id, subprotocol = socket_user
        self.key = uuid4().hex
        self._queue: asyncio.Queue[str] = asyncio.Queue(maxsize=settings.EVENTS_SOCKET_QUEUE)
        room = await self.room_name()
        try:
            await local_hub().room_join(room, self)  # listen first, then check access
        except BusUnavailableError:
            await self.close(code=CLOSE_BUS_UNAVAILABLE)
            return
        self.room = room
        admitted = await self.room_admit()
        live = await database_sync_to_async(sessions_live)(session_ids={self.session_id})
        if not admitted or self.session_id not in live:
            local_hub().room_leave(room, self)
            self.room = ""
            await self.close(code=CLOSE_NOT_ADMITTED if self.session_id in live
                             else CLOSE_SESSION_ENDED)
            return
        await self.accept(subprotocol=subprotocol)
        loop = asyncio.get_running_loop()
        self._writer = loop.create_task(self._write())
        self._tasks.add(loop.create_task(self._recheck()))
        await self.room_say({"type": "presence.join", "user": self.presence()}, joined=True)

    async def _recheck(self) -> None:
        """The safety net under the bus's close messages (a datagram or a pub/sub message can
        be lost): every EVENTS_SESSION_CHECK_S the socket's access and session are read
        again, and a socket that lost either closes."""
        while self.room:
            await asyncio.sleep(settings.EVENTS_SESSION_CHECK_S)
            try:
                admitted = await self.room_admit()
                live = await database_sync_to_async(sessions_live)(
                    session_ids={self.session_id})
            except Exception:  # a database blip is no reason to drop the socket
                logger.exception("events: room access check failed")
                continue
            if not admitted or self.session_id not in live:
                local_hub().room_leave(self.room, self)
                self.room_close(CLOSE_SESSION_ENDED)  # as a removal or a logout closes it
                return

    async def disconnect(self, code: int) -> None:
        if self.room:
            local_hub().room_leave(self.room, self)
            await self.room_say({"type": "presence.leave", "user": self.presence()})
            self.room = ""
        if self._writer is not None:
            self._writer.cancel()
        for task in list(self._tasks):
            task.cancel()

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None
                      ) -> None:
        content = await client_message(self, text_data)
        if content is not None:
            await self.room_received(content)

    async def room_say(self, payload: dict[str, Any], *, to: str = "", joined: bool = False
                       ) -> None:
        """Tell the room's other sockets (or the one socket `to`) something ephemeral."""
        if not self.room:
            return
        message = BusMessage(rooms=[RoomMessage(room=self.room, text=event_text(payload),
                                                sender=self.key, to=to, joined=joined)])
        # A Redis PUBLISH is a blocking round trip: off the event loop.
        await sync_to_async(publisher().publish, thread_sensitive=False)(message)

    # The hub's side (RoomListener): never waits.
    def room_message(self, message: RoomMessage) -> None:
        try:
            self._queue.put_nowait(message.text)
        except asyncio.QueueFull:  # a client that does not read: it reloads over REST
            self.room_close(CLOSE_RECONNECT)
            return
        if message.joined:  # a newcomer: tell it, alone, that this socket is here
            self._tasks.add(task := asyncio.get_running_loop().create_task(self.room_say(
                {"type": "presence.here", "user": self.presence()}, to=message.sender)))
            task.add_done_callback(self._tasks.discard)

    def room_close(self, code: int) -> None:
        self._closer = asyncio.get_running_loop().create_task(self._close_quietly(code))

    async def _close_quietly(self, code: int) -> None:
        if self._writer is not None:
            self._writer.cancel()
        with contextlib.suppress(Exception):  # the client may be gone already
            await self.close(code=code)

    async def _write(self) -> None:
        while True:
            text = await self._queue.get()
            await self.send(text_data=text)

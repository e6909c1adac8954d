"""One websocket's outgoing side: a bounded queue and a writer of its own.

The bus hands events over without waiting (`offer`), so a client that reads slowly or not at
all only ever stalls its own writer. When its queue is full the socket is closed with
CLOSE_RECONNECT and `after=<last id sent>` as the reason: the client reconnects with
`?after=` and the table replays the rest, so nothing is lost and nothing waits on it.
"""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from .wire import LiveEvent

CLOSE_UNAUTHORIZED = 4401  # no valid token or session at connect: log in again
CLOSE_SESSION_ENDED = 4403  # logout, revocation, password change, deletion, ban
CLOSE_RECONNECT = 4429  # fell behind (or the bus dropped): reconnect with ?after=<reason's id>
CLOSE_BUS_UNAVAILABLE = 1013  # try again later
HANDOVER_GRACE_S = 30.0  # how long a live copy of a replayed event may still arrive

Send = Callable[[str], Awaitable[None]]
Close = Callable[[int, str], Awaitable[None]]


class LiveSocket:
    def __init__(self, *, user_id: int, session_id: int, send: Send, close: Close,
                 queue_limit: int) -> None:
        self.user_id = user_id
        self.session_id = session_id
        self.last_sent_id = 0
        self._send = send
        self._close = close
        self._queue: asyncio.Queue[LiveEvent] = asyncio.Queue(maxsize=queue_limit)
        self._replayed: set[int] = set()
        self._replayed_until = 0.0
        self._writer: asyncio.Task[None] | None = None
        self._closer: asyncio.Task[None] | None = None
        self.ended = False

    def offer(self, event: LiveEvent) -> None:
        """Queue a live event; never waits. A full queue ends the socket with a resync."""
        if self.ended:
            return
        try:
            self._queue.put_nowait(event)
        except asyncio.QueueFull:
            self.end(CLOSE_RECONNECT)

    async def send_replayed(self, event_id: int, text: str) -> None:
        """Send one event of the backlog; its live copy, if one is queued, is skipped."""
        self._replayed.add(event_id)
        await self._send(text)
        self.last_sent_id = event_id

    def start(self) -> None:
        """The backlog is out: from now on the queued live events flow."""
        self._replayed_until = asyncio.get_running_loop().time() + HANDOVER_GRACE_S
        self._writer = asyncio.get_running_loop().create_task(self._write())

    async def _write(self) -> None:
        loop = asyncio.get_running_loop()
        queue = self._queue
        while True:
            # what is queued already goes without a wait in between
            event = queue.get_nowait() if queue.qsize() else await queue.get()
            if self._replayed:
                if event.id in self._replayed:
                    continue
                if loop.time() > self._replayed_until:
                    self._replayed = set()
            await self._send(event.text)  # uvicorn's sans-I/O send waits, then writes
            self.last_sent_id = event.id

    def end(self, code: int) -> None:
        """Close with `code`; the events still queued stay in the table for the replay."""
        if self.ended:
            return
        self.ended = True
        if self._writer is not None:
            self._writer.cancel()
        reason = f"after={self.last_sent_id}" if code == CLOSE_RECONNECT else ""
        self._closer = asyncio.get_running_loop().create_task(self._close_quietly(code, reason))

    async def _close_quietly(self, code: int, reason: str) -> None:
        with contextlib.suppress(Exception):  # the client may be gone already
            await self._close(code, reason)

    def stop(self) -> None:
        """The socket is gone (disconnect): drop the writer."""
        self.ended = True
        if self._writer is not None:
            self._writer.cancel()

"""One websocket's outgoing side: a bounded queue, a writer of its own, and the user's order.

The bus hands events over without waiting (`offer`), so a client that reads slowly or not at
all only ever stalls its own writer. When its queue is full the socket is closed with
CLOSE_RECONNECT and `after=<last id sent>` as the reason: the client reconnects with
`?after=` and the table replays the rest, so nothing is lost and nothing waits on it.

The socket sends its user's events in id order, which is their commit order (services.py), so
`cursor` (the last id sent) always means "every event up to here is out". An event whose
`prev_id` is ahead of the cursor waits for the one in front of it (two transactions' bus
messages can cross on their way); if that does not come within GAP_WAIT_S (a lost datagram,
a dropped pub/sub message) the socket reads the gap from the table.
"""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine, Generator
from typing import Any

from .selectors import REPLAY_PAGE
from .wire import LiveEvent, asgi_send

logger = logging.getLogger(__name__)
CLOSE_BAD_REQUEST = 4400  # a malformed query at connect (`after` that is no event id)
CLOSE_UNAUTHORIZED = 4401  # no valid token or session at connect: log in again
CLOSE_SESSION_ENDED = 4403  # logout, revocation, password change, deletion, ban
CLOSE_RECONNECT = 4429  # fell behind (or the bus dropped): reconnect with ?after=<reason's id>
CLOSE_BUS_UNAVAILABLE = 1013  # try again later
GAP_WAIT_S = 0.5  # how long an event waits for the one in front of it before the table is read

Send = Callable[[dict[str, Any]], Coroutine[Any, Any, None]]  # the server's ASGI send
Close = Callable[[int, str], Awaitable[None]]
# (user id, after id) -> the next page of that user's stored events, oldest first: (id, text)
FetchAfter = Callable[[int, int], Awaitable[list[tuple[int, str]]]]
# frame -> written now (True), or not (the server's send must take it)
WriteNow = Callable[[bytes], bool]


class LiveSocket:
    def __init__(self, *, user_id: int, session_id: int, send: Send, close: Close,
                 fetch_after: FetchAfter, queue_limit: int, eager: bool = True,
                 prebuilt_frames: bool = True, write_now: WriteNow | None = None) -> None:
        self.user_id = user_id
        self.session_id = session_id
        self.cursor = 0  # the last event id sent: everything of this user up to it is out
        self._send = send
        self._close = close
        self._fetch_after = fetch_after
        self._limit = queue_limit
        self._queue: asyncio.Queue[LiveEvent] = asyncio.Queue(maxsize=queue_limit)
        self._waiting: dict[int, LiveEvent] = {}  # by prev_id: events whose predecessor is due
        self._writer: asyncio.Task[None] | None = None  # only while there is a backlog
        self._started = False
        self._eager = eager  # off: every event goes through the queue and a writer task
        self._frames = prebuilt_frames  # off: each socket's server frames each event itself
        # the server's plain-call write of a prebuilt frame (None: only the ASGI send)
        self._write_now = write_now if prebuilt_frames else None
        self._closer: asyncio.Task[None] | None = None
        self.ended = False

    def offer(self, event: LiveEvent) -> None:
        """Pass a live event on; never waits. In the common case (nothing queued in front,
        the transport writable, the event next in its user's order) it is written right here,
        in the caller's loop step: no queue and no task switch per socket and event. Otherwise
        it queues for the writer; a full queue ends the socket with a resync."""
        if self.ended:
            return
        if (self._eager and self._writer is None and self._started and not self._queue.qsize()
                and not self._waiting and self.cursor < event.id
                and event.prev_id <= self.cursor):
            if self._write_now is not None and self._write_now(event.frame):
                self.cursor = event.id  # no coroutine at all: the usual case
                return
            self._send_eagerly(event)
            return
        try:
            self._queue.put_nowait(event)
        except asyncio.QueueFull:
            self.end(CLOSE_RECONNECT)
            return
        self._wake_writer()

    def _send_eagerly(self, event: LiveEvent) -> None:
        """Run the send coroutine by hand (what Python 3.12's eager tasks do): uvicorn's send
        completes without suspending while the transport is writable; if it does suspend (the
        client reads slowly), a writer task carries it on and later events queue behind it."""
        coroutine = self._send(self._message(event))
        try:
            waiting = coroutine.send(None)
        except StopIteration:
            self.cursor = event.id
            return
        except OSError:  # the client is gone; disconnect() follows
            self.stop()
            return
        except Exception:
            logger.exception("events: send failed; closing the socket for a resync")
            self.end(CLOSE_RECONNECT)
            return
        self._writer = asyncio.get_running_loop().create_task(
            self._write(_Resume(coroutine, waiting), event.id))

    def _wake_writer(self) -> None:
        if self._writer is None and self._started and not self.ended:
            self._writer = asyncio.get_running_loop().create_task(self._write())

    async def replay(self, after_id: int) -> None:
        """Send what is stored after `after_id`, page by page; the cursor follows."""
        self.cursor = max(self.cursor, after_id)
        while not self.ended:
            page = await self._fetch_after(self.user_id, self.cursor)
            for event_id, text in page:
                if event_id > self.cursor:
                    await self._send(asgi_send(text, self._frames))
                    self.cursor = event_id
            if len(page) < REPLAY_PAGE:
                return

    def _message(self, event: LiveEvent) -> dict[str, Any]:
        return event.asgi_message if self._frames else asgi_send(event.text, False)

    def start(self) -> None:
        """The backlog is out: from now on live events flow."""
        self._started = True
        if self._queue.qsize():
            self._wake_writer()

    async def _write(self, unfinished: "_Resume | None" = None, unfinished_id: int = 0
                     ) -> None:
        """Drain the queue (and wait out gaps); the socket goes back to eager sends after."""
        try:
            if unfinished is not None:
                await unfinished
                self.cursor = unfinished_id
            await self._drain()
        except OSError:  # the client is gone (uvicorn's ClientDisconnected); disconnect() follows
            self.ended = True
        except Exception:  # e.g. the table read of a gap failed: the client resyncs instead
            logger.exception("events: socket writer failed; closing it for a resync")
            self.end(CLOSE_RECONNECT)
        finally:
            if asyncio.current_task() is self._writer:
                self._writer = None

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        queue = self._queue
        gap_since = 0.0
        while queue.qsize() or self._waiting:
            if queue.qsize():  # what is queued already goes without a wait in between
                event = queue.get_nowait()
            else:
                try:
                    event = await asyncio.wait_for(
                        queue.get(), max(0.0, gap_since + GAP_WAIT_S - loop.time()))
                except TimeoutError:
                    await self._fill_gap_from_table()
                    continue
            had_gap = bool(self._waiting)
            await self._take(event)
            if self._waiting and not had_gap:
                gap_since = loop.time()

    async def _take(self, event: LiveEvent) -> None:
        if event.id <= self.cursor:
            return  # out already (the replay, or the table read of a gap)
        if event.prev_id > self.cursor:
            self._waiting[event.prev_id] = event
            if len(self._waiting) > self._limit:
                self.end(CLOSE_RECONNECT)
            return
        await self._send(self._message(event))  # the server's send waits, then writes
        self.cursor = event.id
        while (after := self._waiting.pop(self.cursor, None)) is not None:
            await self._send(self._message(after))
            self.cursor = after.id

    async def _fill_gap_from_table(self) -> None:
        """The event in front is not coming by the bus: the table has it (it is stored first)."""
        waiting = sorted(self._waiting.values(), key=lambda e: e.id)
        self._waiting = {}
        await self.replay(self.cursor)
        for event in waiting:
            await self._take(event)

    def end(self, code: int) -> None:
        """Close with `code`; the events still queued stay in the table for the replay."""
        if self.ended:
            return
        self.ended = True
        if self._writer is not None:
            self._writer.cancel()
        reason = f"after={self.cursor}" if code == CLOSE_RECONNECT else ""
        self._closer = asyncio.get_running_loop().create_task(self._close_quietly(code, reason))

    async def _close_quietly(self, code: int, reason: str) -> None:
        with contextlib.suppress(Exception):  # the client may be gone already
            await self._close(code, reason)

    def stop(self) -> None:
        """The socket is gone (disconnect): drop the writer."""
        self.ended = True
        if self._writer is not None:
            self._writer.cancel()


class _Resume:
    """Awaiting this finishes a coroutine that was started by hand and suspended on the
    future `waiting`: the awaiting task waits on that future, then carries the coroutine on."""

    def __init__(self, coroutine: Coroutine[Any, Any, None], waiting: Any) -> None:
        self._coroutine, self._waiting = coroutine, waiting

    def __await__(self) -> Generator[Any, Any, None]:
        coroutine, waiting = self._coroutine, self._waiting
        while True:
            try:
                sent = yield waiting
            except BaseException as exc:  # cancellation reaches the coroutine too
                try:
                    waiting = coroutine.throw(exc)
                except StopIteration:
                    return
            else:
                try:
                    waiting = coroutine.send(sent)
                except StopIteration:
                    return

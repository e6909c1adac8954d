"""Embedded mode, no services: the committing process wakes the web processes itself.

Each web process binds a UNIX datagram socket in DATA_DIR/events-wake/; after commit, the
publisher (web or worker process) sends the transaction's bus message to every socket there,
so delivery waits for no poll. A datagram can be lost (a receiver's buffer full, a message too
big for one datagram, a process starting up), so each web process also tails the notifications
table every EVENTS_TAIL_INTERVAL_S: the table stays the source of truth and bounds the delay of
anything a datagram missed. Events seen both ways are passed on once.
"""

import asyncio
import contextlib
import functools
import logging
import os
import socket
import threading
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from channels.db import database_sync_to_async
from django.conf import settings

from ..selectors import notification_latest_id, notifications_before, notifications_newer_than
from ..wire import BusMessage, LiveEvent, decode, encode, event_text

if TYPE_CHECKING:
    from ..hub import LocalHub

logger = logging.getLogger(__name__)
TAIL_NOW = b"tail"  # a wake without content: read the table now
MAX_DATAGRAM = 60_000  # under the default socket buffers of Linux and macOS
RECEIVE_BUFFER = 4 << 20
TAIL_BATCH = 500
SEEN_IDS = 100_000  # ids remembered to pass each event on once, whichever way came first


def wake_dir(data_dir: Path) -> Path:
    return data_dir / "events-wake"


class DatagramPublisher:
    def __init__(self, data_dir: Path) -> None:
        self.directory = wake_dir(data_dir)
        self._local = threading.local()

    def _socket(self) -> socket.socket:
        sock: socket.socket | None = getattr(self._local, "sock", None)
        if sock is None:
            sock = self._local.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            sock.setblocking(False)
        return sock

    def prepare(self, message: BusMessage) -> Callable[[], None]:
        return functools.partial(self.publish, message)

    def publish(self, message: BusMessage) -> None:
        if not message or not settings.EVENTS_LOCAL_WAKE:
            return
        payloads = [encode(message)]
        if len(payloads[0]) > MAX_DATAGRAM:
            ended = BusMessage(sessions_ended=message.sessions_ended, rooms=message.rooms)
            payloads = ([encode(ended)] if ended else []) + [TAIL_NOW]
        try:
            receivers = [entry.path for entry in os.scandir(self.directory)
                         if entry.name.endswith(".sock")]
        except FileNotFoundError:
            return  # no web process has started: nobody to wake
        sock = self._socket()
        for path in receivers:
            for payload in payloads:
                try:
                    sock.sendto(payload, path)
                except (ConnectionRefusedError, FileNotFoundError):
                    with contextlib.suppress(OSError):
                        os.unlink(path)  # a web process that is gone
                    break
                except BlockingIOError:
                    break  # its buffer is full: its tail will find these in the table


def _tail_page(after_id: int) -> list[LiveEvent]:
    """The table's next events, each with its user's previous id (as services.py sends them)."""
    batch = notifications_newer_than(after_id=after_id, limit=TAIL_BATCH)
    if not batch:
        return []
    previous = notifications_before(user_ids={n.user_id for n in batch}, before_id=batch[0].pk)
    events = []
    for n in batch:
        events.append(LiveEvent(n.user_id, n.pk, previous.get(n.user_id, 0),
                                event_text(n.as_event())))
        previous[n.user_id] = n.pk
    return events


class DatagramSubscriber:
    def __init__(self, data_dir: Path) -> None:
        self.directory = wake_dir(data_dir)
        self._wake = asyncio.Event()
        self._seen: set[int] = set()
        self._seen_order: deque[int] = deque()
        self._last_id = 0

    def _first_time(self, event_id: int) -> bool:
        if event_id in self._seen:
            return False
        self._seen.add(event_id)
        self._seen_order.append(event_id)
        if len(self._seen_order) > SEEN_IDS:
            self._seen.discard(self._seen_order.popleft())
        return True

    def _pass_on(self, hub: "LocalHub", message: BusMessage) -> None:
        message.events = [e for e in message.events if self._first_time(e.id)]
        if message:
            hub.deliver(message)

    def _readable(self, sock: socket.socket, hub: "LocalHub") -> None:
        while True:
            try:
                data = sock.recv(MAX_DATAGRAM + 1)
            except BlockingIOError:
                return
            if data == TAIL_NOW:
                self._wake.set()
                continue
            try:
                self._pass_on(hub, decode(data, hub.local_users))
            except ValueError:
                logger.warning("events: unreadable wake datagram dropped")

    async def _tail(self, hub: "LocalHub") -> None:
        while True:
            events = await database_sync_to_async(_tail_page)(self._last_id)
            if events:
                self._last_id = events[-1].id
                self._pass_on(hub, BusMessage(events=events))
            if len(events) < TAIL_BATCH:
                return

    async def run(self, hub: "LocalHub") -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / f"{os.getpid()}-{id(self):x}.sock"
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        loop = asyncio.get_running_loop()
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)
            sock.setblocking(False)
            sock.bind(str(path))
            self._last_id = await database_sync_to_async(notification_latest_id)()
            loop.add_reader(sock.fileno(), self._readable, sock, hub)
            hub.bus_ready()
            while True:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), settings.EVENTS_TAIL_INTERVAL_S)
                self._wake.clear()
                try:
                    await self._tail(hub)
                except Exception:  # keep tailing through a transient database error
                    logger.exception("events: table tail failed; retrying")
                    await asyncio.sleep(1)
        finally:
            with contextlib.suppress(Exception):
                loop.remove_reader(sock.fileno())
            sock.close()
            with contextlib.suppress(OSError):
                path.unlink()

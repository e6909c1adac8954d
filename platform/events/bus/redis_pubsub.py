"""Redis pub/sub: one PUBLISH per committed transaction, one subscription per web process.

Fan-out happens per web process, not per group member: every web process receives each
transaction's message once and hands the events to its own sockets (hub.py). Pub/sub is
at-most-once, so a subscriber that loses its connection tells its sockets to reconnect with
`?after=` (replayed from the table) instead of guessing what it missed.
"""

import asyncio
import functools
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

import redis
import redis.asyncio

from core.redis_pool import SharedConnectionPool

from ..wire import BusMessage, chunks, decode_streaming, encode

if TYPE_CHECKING:
    from ..hub import LocalHub

logger = logging.getLogger(__name__)
# Events per message: a 20,000-event transaction goes as a pipeline of a few messages of a few
# hundred kB, well under Redis's pub/sub client output limits.
CHUNK_EVENTS = 2000


class RedisPublisher:
    def __init__(self, url: str, channel: str) -> None:
        self.client = redis.Redis(connection_pool=SharedConnectionPool.from_url(url))
        self.channel = channel

    def publish(self, message: BusMessage) -> None:
        self.prepare(message)()

    def prepare(self, message: BusMessage) -> Callable[[], None]:
        encoded = [encode(part) for part in chunks(message, CHUNK_EVENTS)] if message else []
        return functools.partial(self._send, encoded)

    def _send(self, encoded: list[bytes]) -> None:
        if len(encoded) == 1:
            self.client.publish(self.channel, encoded[0])
        elif encoded:
            pipe = self.client.pipeline(transaction=False)
            for data in encoded:
                pipe.publish(self.channel, data)
            pipe.execute()


class RedisSubscriber:
    def __init__(self, url: str, channel: str) -> None:
        self.url = url
        self.channel = channel

    async def run(self, hub: "LocalHub") -> None:
        backoff = 0.1
        while True:
            client = redis.asyncio.Redis.from_url(self.url, health_check_interval=15,
                                                  socket_keepalive=True)
            pubsub = client.pubsub()
            try:
                await pubsub.subscribe(self.channel)
                while (await pubsub.get_message(timeout=5) or {}).get("type") != "subscribe":
                    pass
                hub.bus_ready()  # from here on every PUBLISH reaches this process
                backoff = 0.1
                while True:
                    message = await pubsub.get_message(ignore_subscribe_messages=True,
                                                       timeout=None)
                    if message and message["type"] == "message":
                        try:
                            notes, events = decode_streaming(message["data"], hub.local_users)
                        except ValueError:
                            logger.warning("events: unreadable bus message dropped")
                            continue
                        hub.deliver(notes, events)
            except (redis.RedisError, OSError):
                logger.warning("events: Redis subscription lost; sockets resync", exc_info=True)
                hub.bus_lost()
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
            finally:
                await pubsub.aclose()
                await client.aclose()

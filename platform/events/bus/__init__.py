"""The bus between the processes that commit events and the web processes holding sockets.

`EVENTS_DELIVERY` picks one:
- `redis`: one Redis pub/sub channel; each web process subscribes once (bus/redis_pubsub.py).
- `local`: no services; UNIX datagrams in DATA_DIR wake the web processes, and the
  notifications table is tailed as the safety net (bus/local.py).
- `channel_layer`: channels' group_send per event (bus/channel_layer.py), the design this
  replaced, kept as the benchmark baseline.
"""

import functools
from collections.abc import Callable
from typing import Protocol

from django.conf import settings

from ..wire import BusMessage


class Publisher(Protocol):
    def publish(self, message: BusMessage) -> None: ...

    def prepare(self, message: BusMessage) -> Callable[[], None]:
        """The message made ready to go (encoded) now; calling the result publishes it. Run
        before COMMIT, it leaves only the send itself between COMMIT and the sockets."""
        ...


@functools.cache
def _publisher(delivery: str) -> Publisher:
    if delivery == "redis":
        from .redis_pubsub import RedisPublisher

        return RedisPublisher(settings.REDIS_URL, settings.EVENTS_REDIS_CHANNEL)
    if delivery == "local":
        from .local import DatagramPublisher

        return DatagramPublisher(settings.DATA_DIR)
    from .channel_layer import ChannelLayerPublisher

    return ChannelLayerPublisher()


def publisher() -> Publisher:
    return _publisher(settings.EVENTS_DELIVERY)

"""The former design, kept as bench/api.py's baseline: one channels group_send per event, to
a group per user, from whichever process committed (channels_redis, or channels'
RedisPubSubChannelLayer with `EVENTS_CHANNEL_LAYER=pubsub`)."""

import functools
from collections.abc import Callable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from ..wire import BusMessage


def user_group(user_id: int) -> str:
    return f"events.user.{user_id}"


class ChannelLayerPublisher:
    def prepare(self, message: BusMessage) -> Callable[[], None]:
        return functools.partial(self.publish, message)

    def publish(self, message: BusMessage) -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        for event in message.events:
            async_to_sync(layer.group_send)(user_group(event.user_id), {
                "type": "event.deliver", "id": event.id, "prev": event.prev_id,
                "text": event.text})
        for ended in message.sessions_ended:
            async_to_sync(layer.group_send)(user_group(ended.user_id), {
                "type": "sessions.ended", "session_ids": list(ended.session_ids)})

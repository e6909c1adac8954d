"""What other apps may use of events: publish a notification to a user after the commit that
decided it (each app's events.py builds its payloads and calls this), and rooms: websockets
around one thing, told ephemeral messages (rooms.py)."""

from .rooms import CLOSE_NOT_ADMITTED, RoomConsumer, room_close_user, room_publish
from .services import event_publish, events_publish_many, sessions_ended_publish

__all__ = ["CLOSE_NOT_ADMITTED", "RoomConsumer", "event_publish", "events_publish_many",
           "room_close_user", "room_publish", "sessions_ended_publish"]

"""What travels on the events bus: one message per committed transaction.

A message carries the transaction's events already encoded as the text each websocket sends,
so a web process forwards them without encoding anything again, and the sessions that ended in
it, so every web process closes their sockets.
"""

import functools
import json
from collections.abc import Container
from dataclasses import dataclass, field
from typing import Any

FRAME_KEY = "castline.frame"  # config/ws_protocol.py writes these bytes as they are
# The scope extension config/ws_protocol.py offers: write_now(frame) -> bool, written or not.
WRITE_NOW_KEY = "castline.write_now"


@dataclass(frozen=True)
class LiveEvent:
    user_id: int
    id: int
    # The id of this user's event just before this one (0: none). Ids of one user are
    # commit-ordered (ordering.py), so the chain of prev_ids
    # tells a socket whether anything in front of an event is still on its way.
    prev_id: int
    text: str  # the JSON the websocket sends: {"id", "type", "payload", "created_at"}

    @functools.cached_property
    def frame(self) -> bytes:
        """Built once per web process, shared by every socket of the user."""
        return text_frame(self.text)

    @functools.cached_property
    def asgi_message(self) -> dict[str, Any]:
        return {"type": "websocket.send", "text": self.text, FRAME_KEY: self.frame}


@dataclass(frozen=True)
class SessionsEnded:
    user_id: int
    session_ids: tuple[int, ...]


@dataclass(frozen=True)
class RoomMessage:
    """An ephemeral message to the sockets in a room (presence, a live copy of a change):
    never stored, so a socket that misses one reads the state again over REST."""

    room: str
    text: str  # the JSON the websocket sends
    sender: str = ""  # the key of the socket it came from ("": the server), not sent to it
    to: str = ""  # the key of the one socket it is for ("": every socket in the room)
    close_user_id: int = 0  # not 0: that user's sockets in the room close (access removed)
    joined: bool = False  # a newcomer's announcement: each socket there answers it alone


@dataclass
class BusMessage:
    events: list[LiveEvent] = field(default_factory=list)
    sessions_ended: list[SessionsEnded] = field(default_factory=list)
    rooms: list[RoomMessage] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.events or self.sessions_ended or self.rooms)


def event_text(event: dict[str, Any]) -> str:
    return json.dumps(event, separators=(",", ":"))


def text_frame(text: str) -> bytes:
    """A websocket text frame as a server sends it: final, unmasked, no extension (RFC 6455
    5.2)."""
    data = text.encode()
    size = len(data)
    if size < 126:
        header = bytes((0x81, size))
    elif size < 1 << 16:
        header = bytes((0x81, 126)) + size.to_bytes(2, "big")
    else:
        header = bytes((0x81, 127)) + size.to_bytes(8, "big")
    return header + data


def asgi_send(text: str, prebuilt_frame: bool = True) -> dict[str, Any]:
    message: dict[str, Any] = {"type": "websocket.send", "text": text}
    if prebuilt_frame:
        message[FRAME_KEY] = text_frame(text)
    return message


def encode(message: BusMessage) -> bytes:
    return json.dumps({"e": [[e.user_id, e.id, e.prev_id, e.text] for e in message.events],
                       "s": [[s.user_id, list(s.session_ids)] for s in message.sessions_ended],
                       "r": [[r.room, r.text, r.sender, r.to, r.close_user_id, r.joined]
                             for r in message.rooms]},
                      separators=(",", ":")).encode()


def decode(data: bytes, users: Container[int] | None = None) -> BusMessage:
    """The message, with only the events of `users` (None: everyone's): a web process builds
    nothing for the users it holds no socket of."""
    raw = json.loads(data)
    events = raw.get("e", ())
    return BusMessage(events=[LiveEvent(int(u), int(i), int(p), str(t))
                              for u, i, p, t in events if users is None or u in users],
                      sessions_ended=[SessionsEnded(int(u), tuple(int(s) for s in ids))
                                      for u, ids in raw.get("s", ())],
                      rooms=[RoomMessage(str(room), str(text), str(sender), str(to), int(close),
                                         bool(joined))
                             for room, text, sender, to, close, joined in raw.get("r", ())])


def chunks(message: BusMessage, size: int) -> list[BusMessage]:
    """A big transaction as several messages (sent in one pipeline), each at most `size`
    events, so no single message outgrows what a subscriber reads in one go."""
    if len(message.events) <= size:
        return [message]
    parts = [BusMessage(events=message.events[start:start + size])
             for start in range(0, len(message.events), size)]
    parts[-1].sessions_ended = message.sessions_ended
    parts[-1].rooms = message.rooms
    return parts

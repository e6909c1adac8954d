"""What travels on the events bus: one message per committed transaction.

A message carries the transaction's events already framed as each websocket sends them (built
once, by the publisher), so a web process forwards them without encoding anything again, and
the sessions that ended in it, so every web process closes their sockets.
"""

import json
import struct
from collections.abc import Container, Iterator
from dataclasses import dataclass, field
from typing import Any

FRAME_KEY = "castline.frame"  # config/ws_protocol.py writes these bytes as they are
# The scope extension config/ws_protocol.py offers: write_now(frame) -> bool, written or not.
WRITE_NOW_KEY = "castline.write_now"


class LiveEvent:
    """One stored event on its way to the sockets of its user. Slotted and built only for
    users a web process holds sockets of: a burst allocates one small object per local event
    and frees it once written, so it never sets off the garbage collector's passes."""

    __slots__ = ("_asgi_message", "_frame", "_text", "id", "prev_id", "user_id")

    def __init__(self, user_id: int, id: int, prev_id: int, text: str | None = None,
                 frame: bytes | None = None) -> None:
        self.user_id = user_id
        self.id = id
        # The id of this user's event just before this one (0: none). Ids of one user are
        # commit-ordered (ordering.py), so the chain of prev_ids
        # tells a socket whether anything in front of an event is still on its way.
        self.prev_id = prev_id
        self._text = text  # the JSON the websocket sends: {"id", "type", "payload", "created_at"}
        self._frame = frame
        self._asgi_message: dict[str, Any] | None = None

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = frame_text(self.frame)
        return self._text

    @property
    def frame(self) -> bytes:
        """Built once, by the publisher: the bus carries it to every web process as is."""
        if self._frame is None:
            self._frame = text_frame(self.text)
        return self._frame

    @property
    def asgi_message(self) -> dict[str, Any]:
        if self._asgi_message is None:
            self._asgi_message = {"type": "websocket.send", "text": self.text,
                                  FRAME_KEY: self.frame}
        return self._asgi_message

    def _key(self) -> tuple[int, int, int, str]:
        return self.user_id, self.id, self.prev_id, self.text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LiveEvent) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"LiveEvent(user_id={self.user_id}, id={self.id}, prev_id={self.prev_id})"


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


def frame_text(frame: bytes) -> str:
    """The text of a frame text_frame built."""
    length = frame[1] & 0x7F
    return frame[2 + (2 if length == 126 else 8 if length == 127 else 0):].decode()


# A bus message: a header (magic, the number of events, the length of the notes), the notes
# (ended sessions and room messages, JSON: rare and small), then each event as a fixed head
# (user id, id, previous id, frame length) and its websocket frame. A web process reads the
# heads with one struct call each, skips the events of users it holds no socket of without
# building anything, and writes the frames as they are: no JSON to parse, no frame to build.
_HEADER = struct.Struct("<4sII")
_EVENT = struct.Struct("<qqqI")
_MAGIC = b"cev2"


def encode(message: BusMessage) -> bytes:
    notes = b""
    if message.sessions_ended or message.rooms:
        notes = json.dumps({"s": [[s.user_id, list(s.session_ids)]
                                  for s in message.sessions_ended],
                            "r": [[r.room, r.text, r.sender, r.to, r.close_user_id, r.joined]
                                  for r in message.rooms]}, separators=(",", ":")).encode()
    pack = _EVENT.pack
    parts = [_HEADER.pack(_MAGIC, len(message.events), len(notes)), notes]
    for event in message.events:
        frame = event.frame
        parts += (pack(event.user_id, event.id, event.prev_id, len(frame)), frame)
    return b"".join(parts)


def _notes(data: bytes) -> tuple[int, BusMessage]:
    """(where the events start, the message's notes); ValueError: not a bus message."""
    if len(data) < _HEADER.size:
        raise ValueError("not an events bus message")
    magic, _, notes_size = _HEADER.unpack_from(data)
    if magic != _MAGIC:
        raise ValueError("not an events bus message")
    start = _HEADER.size + notes_size
    notes = BusMessage()
    if notes_size:
        raw = json.loads(data[_HEADER.size:start])
        notes.sessions_ended = [SessionsEnded(int(u), tuple(int(s) for s in ids))
                                for u, ids in raw.get("s", ())]
        notes.rooms = [RoomMessage(str(room), str(text), str(sender), str(to), int(close),
                                   bool(joined))
                       for room, text, sender, to, close, joined in raw.get("r", ())]
    return start, notes


def _events(data: bytes, start: int, users: Container[int] | None) -> Iterator[LiveEvent]:
    unpack, head = _EVENT.unpack_from, _EVENT.size
    position, end = start, len(data)
    while position < end:
        user_id, event_id, prev_id, size = unpack(data, position)
        position += head
        if users is None or user_id in users:
            yield LiveEvent(user_id, event_id, prev_id, frame=data[position:position + size])
        position += size


def decode_streaming(data: bytes, users: Container[int] | None = None
                     ) -> tuple[BusMessage, Iterator[LiveEvent]]:
    """The message's notes, and its events of `users` (None: everyone's) one at a time, each
    built only when the one before is handed on (ValueError: not a bus message)."""
    start, notes = _notes(data)
    return notes, _events(data, start, users)


def decode(data: bytes, users: Container[int] | None = None) -> BusMessage:
    """The message, with only the events of `users` (None: everyone's): a web process builds
    nothing for the users it holds no socket of."""
    notes, events = decode_streaming(data, users)
    notes.events = list(events)
    return notes


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

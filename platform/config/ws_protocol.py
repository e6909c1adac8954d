"""uvicorn's sans-I/O websocket protocol, plus one shortcut for live events.

A `websocket.send` message that carries its frame already built (`events.wire.FRAME_KEY`: the
bytes of an unmasked, uncompressed text frame) is written as those bytes, so an event going to
thousands of sockets is framed once per web process instead of once per socket. A connection
that negotiated an extension (permessage-deflate), one closing, or any other message takes
uvicorn's own path; servers that do not know the key ignore it. The protocol also offers the
consumer a plain-call write of such a frame (scope extension `events.wire.WRITE_NOW_KEY`): an
event to an idle socket then costs one method call and the transport's write, no coroutines.

Served with `uvicorn --ws config.ws_protocol:PrebuiltFrameProtocol` (scripts/run.sh).
"""

from typing import Any

from uvicorn.protocols.utils import ClientDisconnected
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.http11 import Request
from websockets.protocol import State

from events.wire import FRAME_KEY, WRITE_NOW_KEY


class PrebuiltFrameProtocol(WebSocketsSansIOProtocol):
    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if not self.handshake_initiated and self.conn.handshake_exc is not None:
            # websockets refused the handshake itself (a request line or a header too long:
            # a long ?token=) and queued its 414 / 431; uvicorn writes only the answers to
            # requests it was handed, so the client waited on an open socket for ever.
            self.transport.write(b"".join(self.conn.data_to_send()))
            self.transport.close()

    def handle_connect(self, event: Request) -> None:
        super().handle_connect(event)
        if self.handshake_initiated and not self.close_sent:  # accepted: the app gets a scope
            self.scope["extensions"][WRITE_NOW_KEY] = self.write_now  # type: ignore[index,assignment]

    def write_now(self, frame: bytes) -> bool:
        """Write a prebuilt frame at once, by a plain call (no coroutine, no task), where the
        ASGI send would write it without waiting: open, accepted, writable, no extension.
        False: nothing was written; the caller takes the ASGI send (which waits or raises)."""
        if (self.writable.is_set() and not self.disconnected and self._frame_fits()):
            self.transport.write(frame)
            return True
        return False

    def _frame_fits(self) -> bool:
        return (self.handshake_complete and not self.close_sent
                and self.initial_response is None and self.conn.state is State.OPEN
                and not self.conn.extensions)

    async def send(self, message: Any) -> None:
        frame = message.get(FRAME_KEY)
        if frame is not None and message["type"] == "websocket.send":
            await self.writable.wait()  # the back-pressure uvicorn's own path applies
            if self.disconnected:
                raise ClientDisconnected()
            if self._frame_fits():
                self.transport.write(frame)
                return
        await super().send(message)

"""uvicorn's sans-I/O websocket protocol, plus one shortcut for live events.

A `websocket.send` message that carries its frame already built (`events.wire.FRAME_KEY`: the
bytes of an unmasked, uncompressed text frame) is written as those bytes, so an event going to
thousands of sockets is framed once per web process instead of once per socket. A connection
that negotiated an extension (permessage-deflate), one closing, or any other message takes
uvicorn's own path; servers that do not know the key ignore it.

Served with `uvicorn --ws config.ws_protocol:PrebuiltFrameProtocol` (scripts/run.sh).
"""

from typing import Any

from uvicorn.protocols.utils import ClientDisconnected
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.protocol import State

from events.wire import FRAME_KEY


class PrebuiltFrameProtocol(WebSocketsSansIOProtocol):
    async def send(self, message: Any) -> None:
        frame = message.get(FRAME_KEY)
        if frame is not None and message["type"] == "websocket.send":
            await self.writable.wait()  # the back-pressure uvicorn's own path applies
            if self.disconnected:
                raise ClientDisconnected()
            if (self.handshake_complete and not self.close_sent and self.initial_response is None
                    and self.conn.state is State.OPEN and not self.conn.extensions):
                self.transport.write(frame)
                return
        await super().send(message)

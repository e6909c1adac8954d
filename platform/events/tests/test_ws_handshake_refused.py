"""The websocket server protocol (config/ws_protocol.py) answers a handshake it cannot parse."""

import asyncio
from typing import Any

from uvicorn.config import Config
from uvicorn.server import ServerState

from config.ws_protocol import PrebuiltFrameProtocol


class Transport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.written = b""
        self.closed = False

    def write(self, data: Any) -> None:
        self.written += bytes(data)

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"sockname": ("127.0.0.1", 8000), "peername": ("127.0.0.1", 50000)}.get(
            name, default)


async def _app(scope: Any, receive: Any, send: Any) -> None:  # never reached
    raise AssertionError("a refused handshake reached the app")


def handshake(path: str) -> bytes:
    return (f"GET {path} HTTP/1.1\r\nHost: testserver\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n").encode()


def test_a_too_long_handshake_is_answered_and_closed() -> None:
    """A 20 kB ?token= (past websockets' 8 kB request line) got no answer at all: the socket
    stayed open until the client gave up."""
    async def scenario() -> Transport:
        config = Config(app=_app, ws="config.ws_protocol:PrebuiltFrameProtocol")
        protocol = PrebuiltFrameProtocol(config, ServerState(), {})
        transport = Transport()
        protocol.connection_made(transport)
        protocol.data_received(handshake("/ws/events?token=" + "a" * 20_000))
        return transport

    transport = asyncio.run(scenario())
    assert transport.written.startswith(b"HTTP/1.1 414"), transport.written[:80]
    assert transport.closed

"""A websocket client that reads nothing until told to: websockets' sans-I/O protocol over a
plain blocking socket with a small receive buffer, so nothing reads on its behalf meanwhile."""

import socket
import time
from urllib.parse import urlsplit

from websockets.client import ClientProtocol
from websockets.frames import Close, Frame, Opcode
from websockets.http11 import Response
from websockets.uri import parse_uri


class StalledClient:
    def __init__(self, url: str, receive_buffer: int = 16384) -> None:
        parts = urlsplit(url)
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        self.sock.settimeout(10)
        self.sock.connect((parts.hostname or "127.0.0.1", parts.port or 80))
        self.protocol = ClientProtocol(parse_uri(url), max_size=None)
        self.protocol.send_request(self.protocol.connect())
        self.sock.sendall(b"".join(self.protocol.data_to_send()))
        self.texts: list[str] = []
        self.close: Close | None = None
        self.accepted = False
        while not self.accepted:
            self._receive(self.sock.recv(4096))

    def _receive(self, data: bytes) -> None:
        if data:
            self.protocol.receive_data(data)
        else:
            self.protocol.receive_eof()
        for event in self.protocol.events_received():
            if isinstance(event, Response):
                if event.status_code != 101:
                    raise ConnectionRefusedError(event.status_code)
                self.accepted = True
            elif isinstance(event, Frame) and event.opcode is Opcode.TEXT:
                self.texts.append(bytes(event.data).decode())
            elif isinstance(event, Frame) and event.opcode is Opcode.CLOSE:
                self.close = Close.parse(event.data)
        outgoing = b"".join(self.protocol.data_to_send())  # pongs, the close reply
        if outgoing:
            self.sock.sendall(outgoing)

    def read_until_closed(self, idle_s: float = 5) -> list[str]:
        """Now read: every frame until the server closes, the connection ends, or no event
        came for `idle_s` (the server's keep-alive pings do not count)."""
        self.sock.settimeout(idle_s)
        last_event = time.monotonic()
        try:
            while self.close is None and time.monotonic() - last_event < idle_s:
                count = len(self.texts)
                data = self.sock.recv(1 << 16)
                self._receive(data)
                if not data:
                    break
                if len(self.texts) > count:
                    last_event = time.monotonic()
        except (ConnectionError, TimeoutError):
            pass
        finally:
            self.sock.close()
        return self.texts

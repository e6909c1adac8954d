"""A tiny app-like client for the integration tier: real HTTP and a real websocket."""

import json
from dataclasses import dataclass
from typing import Any

import httpx
from websockets.sync.client import ClientConnection, connect

PASSWORD = "a-long-passphrase-for-tests"


@dataclass
class AppUser:
    base_url: str
    handle: str
    access: str
    refresh: str

    @property
    def http(self) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, timeout=30,
                            headers={"Authorization": f"Bearer {self.access}"})

    def websocket(self, ws_base: str, after: int | None = None) -> ClientConnection:
        query = f"?token={self.access}" + (f"&after={after}" if after is not None else "")
        return connect(f"{ws_base}/ws/events{query}", open_timeout=10)


def register(base_url: str, handle: str, birthdate: str = "1990-01-01") -> AppUser:
    response = httpx.post(f"{base_url}/api/v1/auth/register", timeout=30, json={
        "email": f"{handle}@example.com", "password": PASSWORD, "handle": handle,
        "birthdate": birthdate, "device": "integration"})
    assert response.status_code == 201, response.text
    body = response.json()
    return AppUser(base_url, handle, body["access"], body["refresh"])


def login(base_url: str, handle: str) -> AppUser:
    response = httpx.post(f"{base_url}/api/v1/auth/login", timeout=30,
                          json={"login": handle, "password": PASSWORD, "device": "phone"})
    assert response.status_code == 200, response.text
    body = response.json()
    return AppUser(base_url, handle, body["access"], body["refresh"])


def next_event(ws: ClientConnection, type_: str | None = None, timeout: float = 10
               ) -> dict[str, Any]:
    """The next event (of a type, skipping others) or a TimeoutError."""
    while True:
        event = json.loads(ws.recv(timeout=timeout))
        if type_ is None or event["type"] == type_:
            return event

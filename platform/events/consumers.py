"""/ws/events: one user's live events, with replay of what they missed since `after`."""

import json
from typing import Any, cast
from urllib.parse import parse_qs

from channels import DEFAULT_CHANNEL_LAYER
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from rest_framework_simplejwt.exceptions import AuthenticationFailed, TokenError
from rest_framework_simplejwt.tokens import AccessToken

from accounts.facade import sessions_live, user_for_token_claims
from core.ids import parse_id

from .bus.channel_layer import user_group
from .hub import BusUnavailableError, local_hub
from .live_socket import (
    CLOSE_BAD_REQUEST,
    CLOSE_BUS_UNAVAILABLE,
    CLOSE_SESSION_ENDED,
    CLOSE_UNAUTHORIZED,
    LiveSocket,
    WriteNow,
)
from .selectors import notification_latest_id_of, notifications_after
from .wire import WRITE_NOW_KEY, LiveEvent, event_text

TOKEN_SUBPROTOCOL = "bearer"  # noqa: S105 - the subprotocol's name, not a token
_NO_LAYER = "events.no-channel-layer"  # an alias that is not configured: no layer per socket


def _token_from_scope(scope: dict[str, Any]) -> tuple[str | None, str | None]:
    """The access token from the query string, the Authorization header or a subprotocol."""
    query = parse_qs(scope.get("query_string", b"").decode())
    if query.get("token"):
        return query["token"][0], None
    headers = dict(scope.get("headers", []))
    auth = headers.get(b"authorization", b"").decode()
    if auth.lower().startswith("bearer "):
        return auth[7:].strip(), None
    protocols = scope.get("subprotocols") or []
    if len(protocols) == 2 and protocols[0] == TOKEN_SUBPROTOCOL:
        return protocols[1], TOKEN_SUBPROTOCOL
    return None, None


@database_sync_to_async
def _stored_after(user_id: int, after_id: int) -> list[tuple[int, str]]:
    return [(n.pk, event_text(n.as_event()))
            for n in notifications_after(user_id=user_id, after_id=after_id)]


@database_sync_to_async
def _session_for(token: str) -> tuple[int, int]:
    claims = AccessToken(token)  # type: ignore[arg-type]
    user = user_for_token_claims(claims)
    return user.pk, int(claims["sid"])


async def socket_authenticate(scope: dict[str, Any]) -> tuple[int, int, str | None] | None:
    """(user id, session id, subprotocol to accept) of a websocket's access token; None: no
    valid token (the caller closes with CLOSE_UNAUTHORIZED)."""
    token, subprotocol = _token_from_scope(scope)
    if not token:
        return None
    try:
        user_id, session_id = await _session_for(token)
    except (TokenError, AuthenticationFailed):
        return None
    return user_id, session_id, subprotocol


async def client_message(socket: AsyncWebsocketConsumer, text: str | None
                         ) -> dict[str, Any] | None:
    """What a client sent, as a JSON object; a ping is answered here (None), as is anything
    that is not a JSON object (ignored)."""
    try:
        content = json.loads(text or "")
    except ValueError:
        return None
    if not isinstance(content, dict):
        return None
    if content.get("type") == "ping":
        await socket.send(text_data='{"type":"pong"}')
        return None
    return content


class EventsConsumer(AsyncWebsocketConsumer):
    live: LiveSocket | None = None

    @property
    def channel_layer_alias(self) -> str:  # type: ignore[override]
        # Only the baseline design delivers through a channel layer; the others need no
        # channel (and no Redis receive loop) per socket.
        return DEFAULT_CHANNEL_LAYER if settings.EVENTS_DELIVERY == "channel_layer" else _NO_LAYER

    async def connect(self) -> None:
        socket_user = await socket_authenticate(self.scope)
        if socket_user is None:
            await self.close(code=CLOSE_UNAUTHORIZED)
            return
        user_id, session_id, subprotocol = socket_user
        query = parse_qs(self.scope.get("query_string", b"").decode())
        after_text = query.get("after", [""])[0]
        after_id = parse_id(after_text)
        if after_text and after_id is None:  # a typo must not silently mean "from now on"
            await self.close(code=CLOSE_BAD_REQUEST,
                             reason="after must be an event id (a non-negative integer)")
            return
        if after_id is None:  # "from now on": from the newest event before we listen, so an
            # event committed between that read and the subscription is not missed either
            after_id = await database_sync_to_async(notification_latest_id_of)(user_id=user_id)
        self.live = live = LiveSocket(user_id=user_id, session_id=session_id,
                                      send=self._send_message, close=self._close_with,
                                      fetch_after=_stored_after,
                                      queue_limit=settings.EVENTS_SOCKET_QUEUE,
                                      eager=settings.EVENTS_EAGER_SEND,
                                      prebuilt_frames=settings.EVENTS_PREBUILT_FRAMES,
                                      write_now=self._write_now())
        # Listen before reading the backlog, so nothing falls between the two ...
        try:
            await self._listen(live)
        except BusUnavailableError:
            await self.close(code=CLOSE_BUS_UNAVAILABLE)
            return
        # ... and look at the session again: one that ended before we listened was missed.
        if session_id not in await database_sync_to_async(sessions_live)(
                session_ids={session_id}):
            await self._stop_listening(live)
            await self.close(code=CLOSE_SESSION_ENDED)
            return
        await self.accept(subprotocol=subprotocol)
        await self.live.replay(after_id)
        if not self.live.ended:
            self.live.start()

    def _write_now(self) -> WriteNow | None:
        """The server's plain-call frame write, where it offers one (config/ws_protocol.py)."""
        if not settings.EVENTS_DIRECT_WRITE:
            return None
        return cast("WriteNow | None",
                    (self.scope.get("extensions") or {}).get(WRITE_NOW_KEY))

    async def _listen(self, live: LiveSocket) -> None:
        if settings.EVENTS_DELIVERY == "channel_layer":
            await self.channel_layer.group_add(user_group(live.user_id), self.channel_name)
        else:
            await local_hub().join(live)

    async def _stop_listening(self, live: LiveSocket) -> None:
        live.stop()
        if settings.EVENTS_DELIVERY == "channel_layer":
            await self.channel_layer.group_discard(user_group(live.user_id), self.channel_name)
        else:
            local_hub().leave(live)

    async def disconnect(self, code: int) -> None:
        if self.live is not None:
            await self._stop_listening(self.live)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None
                      ) -> None:
        await client_message(self, text_data)  # only pings are asked of this socket

    async def _send_message(self, message: dict[str, Any]) -> None:
        # straight to the server's send: this runs once per event and socket
        await self.base_send(message)

    async def _close_with(self, code: int, reason: str) -> None:
        await self.close(code=code, reason=reason)

    # The baseline design's channel-layer messages.
    async def event_deliver(self, message: dict[str, Any]) -> None:
        if self.live is not None:
            self.live.offer(LiveEvent(self.live.user_id, message["id"], message["prev"],
                                      message["text"]))

    async def sessions_ended(self, message: dict[str, Any]) -> None:
        if self.live is not None and self.live.session_id in message["session_ids"]:
            self.live.end(CLOSE_SESSION_ENDED)

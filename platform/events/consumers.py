"""/ws/events: one user's live events, with replay of what they missed since `after`."""

from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from rest_framework_simplejwt.exceptions import AuthenticationFailed, TokenError
from rest_framework_simplejwt.tokens import AccessToken

from accounts.authentication import user_for_token_claims
from core.ids import parse_id

from .delivery import database_tail, user_group
from .selectors import notifications_after

CLOSE_UNAUTHORIZED = 4401
TOKEN_SUBPROTOCOL = "bearer"


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
def _user_id_for(token: str) -> int:
    claims = AccessToken(token)  # type: ignore[arg-type]
    return user_for_token_claims(claims).pk


class EventsConsumer(AsyncJsonWebsocketConsumer):
    user_id: int
    last_sent_id: int = 0

    async def connect(self) -> None:
        token, subprotocol = _token_from_scope(self.scope)
        try:
            if not token:
                raise AuthenticationFailed("missing token")
            self.user_id = await _user_id_for(token)
        except (TokenError, AuthenticationFailed):
            await self.close(code=CLOSE_UNAUTHORIZED)
            return
        query = parse_qs(self.scope.get("query_string", b"").decode())
        after = query.get("after", [""])[0]
        # Join the group before reading the backlog so nothing falls between the two.
        await self.channel_layer.group_add(user_group(self.user_id), self.channel_name)
        await self.accept(subprotocol=subprotocol)
        database_tail.ensure_running()
        after_id = parse_id(after)
        if after_id is not None:
            for notification in await database_sync_to_async(notifications_after)(
                    user_id=self.user_id, after_id=after_id):
                await self._send_event(notification.as_event())

    async def disconnect(self, code: int) -> None:
        if getattr(self, "user_id", None):
            await self.channel_layer.group_discard(user_group(self.user_id), self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def event_deliver(self, message: dict[str, Any]) -> None:
        await self._send_event(message["event"])

    async def _send_event(self, event: dict[str, Any]) -> None:
        if event["id"] <= self.last_sent_id:
            return  # already sent by the replay
        self.last_sent_id = event["id"]
        await self.send_json(event)

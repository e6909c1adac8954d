"""The websocket endpoint, in process: auth, isolation between users, replay after reconnect."""

from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import transaction
from django.utils import timezone
from rest_framework_simplejwt.tokens import AccessToken

from config.asgi import application
from events.services import event_publish

pytestmark = pytest.mark.django_db(transaction=True)


async def connect(path: str, **kwargs):
    communicator = WebsocketCommunicator(application, path, **kwargs)
    connected, code = await communicator.connect(timeout=5)
    return communicator, connected, code


@database_sync_to_async
def publish(user_id: int, type: str, **payload) -> int:
    with transaction.atomic():
        notification = event_publish(user_id=user_id, type=type, payload=payload)
    return notification.pk  # on Postgres the id is drawn just before COMMIT


@database_sync_to_async
def publish_then_roll_back(user_id: int) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        event_publish(user_id=user_id, type="test.rolled_back", payload={})
        raise RuntimeError("roll back")


def test_refuses_missing_bad_and_expired_tokens(user_factory, login):
    expired = AccessToken(login(user_factory()).tokens["access"])
    expired.set_exp(from_time=timezone.now() - timedelta(hours=1))

    async def scenario():
        for path in ("/ws/events", "/ws/events?token=garbage", f"/ws/events?token={expired}"):
            _, connected, code = await connect(path)
            assert not connected and code == 4401, path

    async_to_sync(scenario)()


def test_refuses_token_of_logged_out_session(user_factory, login):
    client = login(user_factory())
    token = client.tokens["access"]
    client.post("/api/v1/auth/logout", {}, format="json")

    async def scenario():
        _, connected, _ = await connect(f"/ws/events?token={token}")
        assert not connected

    async_to_sync(scenario)()


def test_live_events_reach_only_their_user(user_factory, login):
    ana, bob = user_factory(), user_factory()
    ana_token, bob_token = login(ana).tokens["access"], login(bob).tokens["access"]

    async def scenario():
        ana_ws, connected, _ = await connect(f"/ws/events?token={ana_token}")
        assert connected
        bob_ws, connected, _ = await connect(
            "/ws/events", headers=[(b"authorization", f"Bearer {bob_token}".encode())])
        assert connected
        await publish(ana.pk, "test.for_ana", secret="a")
        event = await ana_ws.receive_json_from(3)
        assert event["type"] == "test.for_ana" and event["payload"] == {"secret": "a"}
        assert await bob_ws.receive_nothing(0.3)
        await ana_ws.disconnect()
        await bob_ws.disconnect()

    async_to_sync(scenario)()


def test_subprotocol_auth(user_factory, login):
    user = user_factory()
    token = login(user).tokens["access"]

    async def scenario():
        ws, connected, _ = await connect("/ws/events", subprotocols=["bearer", token])
        assert connected
        await publish(user.pk, "test.sub")
        assert (await ws.receive_json_from(3))["type"] == "test.sub"
        await ws.disconnect()

    async_to_sync(scenario)()


def test_reconnect_replays_missed_events_in_order_then_live(user_factory, login):
    user = user_factory()
    token = login(user).tokens["access"]

    async def scenario():
        ws, _, _ = await connect(f"/ws/events?token={token}")
        seen = await publish(user.pk, "test.seen")
        assert (await ws.receive_json_from(3))["id"] == seen
        await ws.disconnect()
        missed = [await publish(user.pk, "test.missed", n=n) for n in range(3)]
        ws, _, _ = await connect(f"/ws/events?token={token}&after={seen}")
        assert [(await ws.receive_json_from(3))["id"] for _ in missed] == missed
        live = await publish(user.pk, "test.live")
        assert (await ws.receive_json_from(3))["id"] == live
        assert await ws.receive_nothing(0.3)
        await ws.disconnect()

    async_to_sync(scenario)()


def test_events_are_sent_only_after_commit(user_factory, login):
    user = user_factory()
    token = login(user).tokens["access"]

    async def scenario():
        ws, _, _ = await connect(f"/ws/events?token={token}")
        await publish_then_roll_back(user.pk)
        assert await ws.receive_nothing(0.3)
        await ws.disconnect()

    async_to_sync(scenario)()


def test_a_ping_is_answered_and_garbage_ignored(user_factory, login):
    token = login(user_factory()).tokens["access"]

    async def scenario():
        ws, connected, _ = await connect(f"/ws/events?token={token}")
        assert connected
        for garbage in ("not json", "[1, 2]", '{"type": "shout"}'):
            await ws.send_to(text_data=garbage)
        assert await ws.receive_nothing(timeout=0.3)  # ignored, and the socket stays open
        await ws.send_to(text_data='{"type": "ping"}')
        assert await ws.receive_json_from(timeout=3) == {"type": "pong"}
        await ws.disconnect()

    async_to_sync(scenario)()

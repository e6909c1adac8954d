"""Delivery through the bus, in process (embedded design: datagram wake + table tail):
one bus message per transaction, back-pressure, the replay/live handover, sockets that end
with their session."""

import asyncio
import json
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from websockets.frames import Frame, Opcode

from accounts.models import DeviceSession
from config.asgi import application
from events.bus.local import _tail_page
from events.hub import local_hub
from events.live_socket import (
    CLOSE_BAD_REQUEST,
    CLOSE_RECONNECT,
    CLOSE_SESSION_ENDED,
    CLOSE_UNAUTHORIZED,
    GAP_WAIT_S,
)
from events.models import Notification
from events.selectors import notification_latest_id
from events.services import event_publish, events_publish_many
from events.wire import (
    BusMessage,
    LiveEvent,
    RoomMessage,
    SessionsEnded,
    decode,
    encode,
    text_frame,
)
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


async def connect(token: str, after: int | None = None) -> WebsocketCommunicator:
    query = f"?token={token}" + (f"&after={after}" if after is not None else "")
    communicator = WebsocketCommunicator(application, f"/ws/events{query}")
    connected, code = await communicator.connect(timeout=5)
    assert connected, code
    return communicator


async def refused_code(token: str) -> int:
    communicator = WebsocketCommunicator(application, f"/ws/events?token={token}")
    connected, code = await communicator.connect(timeout=5)
    assert not connected
    return int(code)


async def closed_with(ws: WebsocketCommunicator, timeout: float = 3) -> dict[str, Any]:
    """The close frame, skipping any events still in front of it."""
    while True:
        output = await ws.receive_output(timeout)
        if output["type"] == "websocket.close":
            return output


@database_sync_to_async
def publish_burst(user_id: int, count: int, type: str = "test.burst") -> list[int]:
    with transaction.atomic():
        published = [event_publish(user_id=user_id, type=type, payload={"n": n})
                     for n in range(count)]
    return [n.pk for n in published]  # on Postgres the ids are drawn just before COMMIT


def test_a_transaction_reaches_the_socket_as_one_bus_message(user_factory, login):
    user = user_factory()
    token = login(user).tokens["access"]

    async def scenario():
        ws = await connect(token)
        before = local_hub().messages_received
        ids = await publish_burst(user.pk, 50)
        assert [(await ws.receive_json_from(3))["id"] for _ in ids] == ids
        assert local_hub().messages_received == before + 1
        await ws.disconnect()

    async_to_sync(scenario)()


def test_bulk_publish_is_one_insert_and_one_message(user_factory, login):
    ana, bob = user_factory(), user_factory()
    ana_token, bob_token = login(ana).tokens["access"], login(bob).tokens["access"]

    async def scenario():
        ana_ws, bob_ws = await connect(ana_token), await connect(bob_token)
        before = local_hub().messages_received

        @database_sync_to_async
        def fan_out() -> None:
            with CaptureQueriesContext(connection) as queries:
                events_publish_many(events=[(user_id, "test.fan_out", {"n": n})
                                            for n in range(3) for user_id in (ana.pk, bob.pk)])
            assert [q["sql"][:6] for q in queries if q["sql"].startswith("INSERT")] == ["INSERT"]

        await fan_out()
        for ws in (ana_ws, bob_ws):
            assert [(await ws.receive_json_from(3))["payload"]["n"] for _ in range(3)] == [0, 1, 2]
        assert local_hub().messages_received == before + 1
        await ana_ws.disconnect()
        await bob_ws.disconnect()

    async_to_sync(scenario)()


def test_an_event_for_a_user_that_does_not_exist_fails_its_transaction(user_factory):
    # the table has no foreign-key constraint: the store step checks the users itself
    ana = user_factory()
    with pytest.raises(IntegrityError), transaction.atomic():
        events_publish_many(events=[(ana.pk, "test.orphan", {}),
                                    (ana.pk + 10**6, "test.orphan", {})])
    assert not Notification.objects.filter(type="test.orphan").exists()


def test_events_of_a_rolled_back_savepoint_are_never_pushed(user_factory, login):
    user = user_factory()
    token = login(user).tokens["access"]

    @database_sync_to_async
    def publish_with_failed_savepoint() -> tuple[int, int]:
        with transaction.atomic():
            kept = event_publish(user_id=user.pk, type="test.kept", payload={})
            with pytest.raises(RuntimeError), transaction.atomic():
                event_publish(user_id=user.pk, type="test.rolled_back", payload={})
                raise RuntimeError("roll the savepoint back")
            after = event_publish(user_id=user.pk, type="test.after", payload={})
        return kept.pk, after.pk

    async def scenario():
        ws = await connect(token)
        kept, after = await publish_with_failed_savepoint()
        assert [(await ws.receive_json_from(3))["id"] for _ in range(2)] == [kept, after]
        assert await ws.receive_nothing(0.3)
        await ws.disconnect()

    async_to_sync(scenario)()


def test_overflow_closes_with_the_last_id_and_the_replay_has_the_rest(user_factory, login,
                                                                      settings):
    settings.EVENTS_SOCKET_QUEUE = 5
    # In process the test's transport never makes a send wait, so an eager socket never
    # queues; through the queue alone, 20 events offered in one step overflow it. (A real
    # client that stops reading overflows an eager socket too: tests/integration's stalled
    # client.)
    settings.EVENTS_EAGER_SEND = False
    user = user_factory()
    token = login(user).tokens["access"]

    async def scenario():
        ws = await connect(token)
        ids = await publish_burst(user.pk, 20)  # 20 offered at once to a queue of 5
        received = []
        while True:
            output = await ws.receive_output(3)
            if output["type"] == "websocket.close":
                break
            received.append(json.loads(output["text"])["id"])
        assert output["code"] == CLOSE_RECONNECT
        last = int(output["reason"].removeprefix("after="))
        assert received == ids[:len(received)] and last == (received[-1] if received else 0)
        ws = await connect(token, after=last)
        rest = [(await ws.receive_json_from(3))["id"] for _ in ids[len(received):]]
        assert received + rest == ids
        assert await ws.receive_nothing(0.3)
        await ws.disconnect()

    async_to_sync(scenario)()


def test_reconnect_during_a_stream_loses_and_doubles_nothing(user_factory, login):
    user = user_factory()
    token = login(user).tokens["access"]

    async def scenario():
        first = await publish_burst(user.pk, 1)
        stream = asyncio.create_task(publish_stream())
        await asyncio.sleep(0.05)
        ws = await connect(token, after=first[0])  # replay and live overlap here
        published = await stream
        got = [(await ws.receive_json_from(5))["id"] for _ in published]
        assert got == published
        assert await ws.receive_nothing(0.5)
        await ws.disconnect()

    async def publish_stream() -> list[int]:
        ids = []
        for _ in range(40):
            ids += await publish_burst(user.pk, 1, "test.stream")
            await asyncio.sleep(0.005)
        return ids

    async_to_sync(scenario)()


def test_logout_closes_the_socket_and_refuses_its_token(user_factory, login):
    user = user_factory()
    client = login(user)
    other = login(user, device="tablet")
    token = client.tokens["access"]

    async def scenario():
        ws, other_ws = await connect(token), await connect(other.tokens["access"])
        response = await database_sync_to_async(client.post)("/api/v1/auth/logout", {},
                                                             format="json")
        assert response.status_code == 204
        assert (await closed_with(ws))["code"] == CLOSE_SESSION_ENDED
        assert await refused_code(token) == CLOSE_UNAUTHORIZED
        # the other device stays connected and keeps receiving
        ids = await publish_burst(user.pk, 1)
        assert (await other_ws.receive_json_from(3))["id"] == ids[0]
        await other_ws.disconnect()

    async_to_sync(scenario)()


def test_revoking_a_device_session_closes_only_that_device(user_factory, login):
    user = user_factory()
    phone, tablet = login(user, device="phone"), login(user, device="tablet")

    async def scenario():
        phone_ws, tablet_ws = await connect(phone.tokens["access"]), await connect(
            tablet.tokens["access"])
        response = await database_sync_to_async(phone.delete)(
            f"/api/v1/auth/sessions/{tablet.tokens['session_id']}")
        assert response.status_code == 204
        assert (await closed_with(tablet_ws))["code"] == CLOSE_SESSION_ENDED
        assert await phone_ws.receive_nothing(0.3)
        assert await refused_code(tablet.tokens["access"]) == CLOSE_UNAUTHORIZED
        await phone_ws.disconnect()

    async_to_sync(scenario)()


def test_password_change_closes_the_other_sessions_sockets(user_factory, login):
    user = user_factory()
    phone, tablet = login(user, device="phone"), login(user, device="tablet")

    async def scenario():
        phone_ws, tablet_ws = await connect(phone.tokens["access"]), await connect(
            tablet.tokens["access"])
        response = await database_sync_to_async(phone.post)(
            "/api/v1/auth/password", {"old_password": PASSWORD,
                                      "new_password": "another-long-passphrase-42"},
            format="json")
        assert response.status_code == 204
        assert (await closed_with(tablet_ws))["code"] == CLOSE_SESSION_ENDED
        # the session that changed the password stays, as its REST token does
        ids = await publish_burst(user.pk, 1)
        assert (await phone_ws.receive_json_from(3))["id"] == ids[0]
        assert await refused_code(tablet.tokens["access"]) == CLOSE_UNAUTHORIZED
        await phone_ws.disconnect()

    async_to_sync(scenario)()


def test_account_deletion_closes_every_socket(user_factory, login):
    user = user_factory()
    phone, tablet = login(user, device="phone"), login(user, device="tablet")

    async def scenario():
        sockets = [await connect(phone.tokens["access"]), await connect(tablet.tokens["access"])]
        response = await database_sync_to_async(phone.delete)(
            "/api/v1/me", {"password": PASSWORD}, format="json")
        assert response.status_code == 204
        for ws in sockets:
            assert (await closed_with(ws))["code"] == CLOSE_SESSION_ENDED
        assert await refused_code(phone.tokens["access"]) == CLOSE_UNAUTHORIZED

    async_to_sync(scenario)()


def test_a_session_ended_without_a_bus_message_still_closes(user_factory, login, settings):
    """The periodic session check is the safety net under a lost session-ended message."""
    settings.EVENTS_SESSION_CHECK_S = 0.2
    user = user_factory()
    client = login(user)

    async def scenario():
        ws = await connect(client.tokens["access"])
        await database_sync_to_async(
            DeviceSession.objects.filter(pk=client.tokens["session_id"]).update)(
            revoked_at="2026-01-01T00:00:00Z")  # behind the services' back: no bus message
        assert (await closed_with(ws, timeout=3))["code"] == CLOSE_SESSION_ENDED

    async_to_sync(scenario)()


@database_sync_to_async
def stored_as_bus_events(after_id: int) -> list[LiveEvent]:
    """The events after `after_id` as the bus carries them (with each user's previous id)."""
    return _tail_page(after_id)


@pytest.fixture
def bus_silent(settings):
    """No wake datagram and no table tail in the test's window: the test is the bus."""
    settings.EVENTS_LOCAL_WAKE = False
    settings.EVENTS_TAIL_INTERVAL_S = 600


def test_crossing_bus_messages_still_reach_the_socket_in_commit_order(user_factory, login,
                                                                      bus_silent):
    user = user_factory()
    token = login(user).tokens["access"]

    async def scenario():
        ws = await connect(token)
        start = await database_sync_to_async(notification_latest_id)()
        first, second = await publish_burst(user.pk, 1), await publish_burst(user.pk, 1)
        events = await stored_as_bus_events(start)
        assert [e.id for e in events] == first + second and events[1].prev_id == first[0]
        # the second transaction's message overtakes the first's on the way
        local_hub().deliver(BusMessage(events=[events[1]]))
        assert await ws.receive_nothing(0.1)  # it waits for the one in front of it
        local_hub().deliver(BusMessage(events=[events[0]]))
        assert [(await ws.receive_json_from(3))["id"] for _ in range(2)] == first + second
        assert await ws.receive_nothing(0.3)
        await ws.disconnect()

    async_to_sync(scenario)()


def test_a_message_the_bus_lost_is_read_from_the_table_once(user_factory, login, bus_silent):
    user = user_factory()
    token = login(user).tokens["access"]

    async def scenario():
        ws = await connect(token)
        start = await database_sync_to_async(notification_latest_id)()
        ids = await publish_burst(user.pk, 1) + await publish_burst(user.pk, 1)
        lost, arrived = await stored_as_bus_events(start)
        local_hub().deliver(BusMessage(events=[arrived]))  # `lost` never comes by the bus
        assert [(await ws.receive_json_from(GAP_WAIT_S + 3))["id"] for _ in ids] == ids
        local_hub().deliver(BusMessage(events=[lost]))  # ... or comes very late: not twice
        assert await ws.receive_nothing(0.3)
        await ws.disconnect()

    async_to_sync(scenario)()


def test_a_socket_without_after_misses_nothing_committed_while_it_connects(user_factory,
                                                                          login, bus_silent):
    """'From now on' starts at the newest event stored before the socket listened: older ones
    are not replayed, and any event after it that the socket never saw go by (its message gone
    before the subscription, or lost) comes from the table, in order."""
    user = user_factory()
    token = login(user).tokens["access"]

    async def scenario():
        old = await publish_burst(user.pk, 1)
        ws = await connect(token)
        start = await database_sync_to_async(notification_latest_id)()
        ids = await publish_burst(user.pk, 2)
        events = await stored_as_bus_events(start)
        local_hub().deliver(BusMessage(events=events[1:]))  # the first one went by unseen
        got = [(await ws.receive_json_from(GAP_WAIT_S + 3))["id"] for _ in ids]
        assert got == ids and old[0] not in got
        assert await ws.receive_nothing(0.3)
        await ws.disconnect()

    async_to_sync(scenario)()


@pytest.mark.parametrize("size", [0, 125, 126, 65535, 65536])
def test_a_prebuilt_frame_is_the_frame_the_websocket_library_sends(size):
    text = "é" * (size // 2) + "x" * (size % 2)  # multi-byte text: the length is in bytes
    expected = Frame(Opcode.TEXT, text.encode()).serialize(mask=False, extensions=[])
    assert text_frame(text) == expected


def test_a_web_process_decodes_only_the_events_of_users_it_holds_sockets_of():
    message = BusMessage(events=[LiveEvent(1, 10, 0, '{"id":10}'), LiveEvent(2, 11, 0, "{}"),
                                 LiveEvent(1, 12, 10, '{"id":12}')],
                         sessions_ended=[SessionsEnded(2, (7,))])
    mine = decode(encode(message), users={1, 3})
    assert [(e.user_id, e.id, e.prev_id, e.text) for e in mine.events] == [
        (1, 10, 0, '{"id":10}'), (1, 12, 10, '{"id":12}')]
    assert mine.sessions_ended == message.sessions_ended  # every process closes its sockets
    assert decode(encode(message)).events == message.events


def test_the_bus_carries_each_event_as_the_frame_every_socket_is_sent():
    text = json.dumps({"id": 5, "type": "test.é", "payload": {"pad": "x" * 300}})
    message = BusMessage(events=[LiveEvent(1, 5, 2, text)],
                         rooms=[RoomMessage("room", '{"t":1}', sender="a", to="b",
                                            close_user_id=3, joined=True)])
    read = decode(encode(message))
    assert read.events[0].frame == text_frame(text) and read.events[0].text == text
    assert read.rooms == message.rooms
    with pytest.raises(ValueError):
        decode(b'{"e":[]}')  # not a bus message: dropped by the subscriber, not delivered


@pytest.mark.parametrize("after", ["garbage", "-1", "1.5", "1e3"])
def test_an_after_that_is_no_event_id_is_refused_not_ignored(user_factory, login, after):
    token = login(user_factory()).tokens["access"]

    async def scenario():
        ws = WebsocketCommunicator(application, f"/ws/events?token={token}&after={after}")
        connected, code = await ws.connect(timeout=5)
        assert (connected, code) == (False, CLOSE_BAD_REQUEST)

    async_to_sync(scenario)()

"""Live events across real processes: two uvicorn servers and a Celery worker on Postgres and
Redis, real websocket clients. An event committed anywhere (worker, either server, this test
process) reaches its user's sockets on every server and nobody else's; sockets close when their
session ends and their token is refused after; a client that stops reading delays nobody and
gets everything back, in order, once."""

import json
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection

from events.live_socket import CLOSE_RECONNECT, CLOSE_SESSION_ENDED

from .client import PASSWORD, AppUser, login, next_event, register
from .stack import Stack, base_env, free_port, server_args, spawn, wait_healthy, worker_args
from .stalled_client import StalledClient

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
SOCKET_QUEUE = 200


@pytest.fixture(scope="module")
def two_servers(services_checked: None, django_db_setup: None) -> Iterator[tuple[Stack, Stack]]:
    """Servers A and B (separate processes) and a worker, sharing the test database and Redis."""
    db = settings.DATABASES["default"]
    url = (f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST']}:{db['PORT']}/"
           f"{connection.settings_dict['NAME']}")
    env = base_env(DATABASE_URL=url, REDIS_URL=settings.REDIS_URL,
                   DATA_DIR=str(settings.DATA_DIR), EVENTS_SOCKET_QUEUE=str(SOCKET_QUEUE))
    stacks = []
    for name in ("a", "b"):
        port = free_port()
        stack = Stack(base_url=f"http://127.0.0.1:{port}", env=env,
                      log_dir=Path(tempfile.mkdtemp(prefix=f"castline-live-{name}-")))
        spawn(stack, "server", server_args(port))
        stacks.append(stack)
    spawn(stacks[0], "worker", worker_args(concurrency=1))
    try:
        for stack in stacks:
            wait_healthy(stack)
        yield stacks[0], stacks[1]
    finally:
        for stack in stacks:
            stack.stop()


def _handle(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


def _closed_code(ws: ClientConnection, timeout: float = 10) -> int:
    """Read until the server closes; the close code it sent."""
    deadline = time.monotonic() + timeout
    with pytest.raises(ConnectionClosed) as closed:
        while time.monotonic() < deadline:
            ws.recv(timeout=max(0.01, deadline - time.monotonic()))
    assert closed.value.rcvd is not None, "closed without a close frame"
    return closed.value.rcvd.code


def _refused(user: AppUser, stack: Stack) -> bool:
    try:
        user.websocket(stack.ws_url).close()
    except InvalidStatus:
        return True
    return False


def test_events_committed_anywhere_reach_the_users_sockets_on_every_server(two_servers):
    a, b = two_servers
    register(a.base_url, ana_handle := _handle("ana"))
    register(b.base_url, bob_handle := _handle("bob"))
    ana, bob = login(a.base_url, ana_handle), login(b.base_url, bob_handle)
    with ana.websocket(a.ws_url) as ana_a, ana.websocket(b.ws_url) as ana_b, \
            bob.websocket(b.ws_url) as bob_b:
        # committed by server B (bob follows ana through B's HTTP)
        assert bob.http.post(f"/api/v1/users/{ana_handle}/follow").status_code == 201
        followed = [next_event(ws, "accounts.followed") for ws in (ana_a, ana_b)]
        assert followed[0] == followed[1]
        # committed by the worker (ana's job, queued through A)
        response = ana.http.post("/api/v1/videos", json={"prompt": "a paper boat at dusk",
                                                          "seconds": 4})
        assert response.status_code == 202, response.text
        for ws in (ana_a, ana_b):
            event = next_event(ws, timeout=120)
            while event["type"] not in ("generation.completed", "generation.failed"):
                event = next_event(ws, timeout=120)
            assert event["type"] == "generation.completed", a.logs()
        with pytest.raises(TimeoutError):
            next_event(bob_b, timeout=1)  # none of ana's events reached bob


def test_session_end_closes_its_sockets_on_every_server_and_refuses_reconnects(two_servers):
    a, b = two_servers
    register(a.base_url, handle := _handle("cyd"))
    phone, tablet = login(a.base_url, handle), login(b.base_url, handle)
    with phone.websocket(a.ws_url) as phone_a, phone.websocket(b.ws_url) as phone_b, \
            tablet.websocket(b.ws_url) as tablet_b:
        # password change from the phone: the tablet's session ends, the phone's stays
        assert phone.http.post("/api/v1/auth/password", json={
            "old_password": PASSWORD, "new_password": "another-long-passphrase-42",
        }).status_code == 204
        assert _closed_code(tablet_b) == CLOSE_SESSION_ENDED
        assert _refused(tablet, a) and _refused(tablet, b)
        with pytest.raises(TimeoutError):
            phone_a.recv(timeout=0.5)  # still open
        # logout of the phone through server B closes its sockets on A and B
        assert phone.http.post("/api/v1/auth/logout", json={}).status_code == 204
        assert _closed_code(phone_a) == CLOSE_SESSION_ENDED
        assert _closed_code(phone_b) == CLOSE_SESSION_ENDED
        assert _refused(phone, a) and _refused(phone, b)


def test_account_deletion_closes_every_socket_on_every_server(two_servers):
    a, b = two_servers
    register(a.base_url, handle := _handle("dee"))
    phone, tablet = login(a.base_url, handle), login(b.base_url, handle)
    with phone.websocket(a.ws_url) as phone_a, tablet.websocket(b.ws_url) as tablet_b:
        response = tablet.http.request("DELETE", "/api/v1/me", json={"password": PASSWORD})
        assert response.status_code == 204, response.text
        assert _closed_code(phone_a) == CLOSE_SESSION_ENDED
        assert _closed_code(tablet_b) == CLOSE_SESSION_ENDED
        assert _refused(phone, a) and _refused(tablet, b)


def _publish(user_id: int, count: int, pad: int = 0) -> list[int]:
    from django.db import connection

    from events.services import events_publish_many

    sent = time.time()
    try:
        return [n.pk for n in events_publish_many(events=[
            (user_id, "test.slow", {"n": n, "t": sent, "pad": "x" * pad})
            for n in range(count)])]
    finally:
        connection.close()  # this thread's own connection: the test database must drop later


def test_a_client_that_stops_reading_delays_nobody_and_loses_nothing(two_servers):
    a, _ = two_servers
    register(a.base_url, slow_handle := _handle("slow"))
    register(a.base_url, fast_handle := _handle("fast"))
    slow, fast = login(a.base_url, slow_handle), login(a.base_url, fast_handle)
    slow_id = slow.http.get("/api/v1/me").json()["id"]
    fast_id = fast.http.get("/api/v1/me").json()["id"]
    stalled = StalledClient(f"{a.ws_url}/ws/events?token={slow.access}")
    with fast.websocket(a.ws_url) as reader:
        # 8 MB for the stalled client, in transactions smaller than its queue: more than the
        # kernel buffers hold, then more than its queue.
        slow_ids = []
        for _ in range(20):
            slow_ids += _publish(slow_id, 50, pad=8000)
        delays = []
        for _ in range(10):  # meanwhile the reader's events arrive as fast as ever
            _publish(fast_id, 1)
            event = next_event(reader, timeout=5)
            delays.append(time.time() - event["payload"]["t"])
        assert max(delays) < 1.0, delays
    # now it reads: what reached it, then the resync close, then the replay of the rest
    got = [json.loads(text)["id"] for text in stalled.read_until_closed()]
    assert stalled.close is not None and stalled.close.code == CLOSE_RECONNECT
    assert got and stalled.close.reason == f"after={got[-1]}"
    assert len(got) < len(slow_ids)  # it did overflow
    with slow.websocket(a.ws_url, after=got[-1]) as again:
        while len(got) < len(slow_ids):
            got.append(next_event(again)["id"])
        with pytest.raises(TimeoutError):
            next_event(again, timeout=0.5)
    assert got == slow_ids  # every one, in order, once


@pytest.fixture(scope="module")
def embedded_servers(services_checked: None) -> Iterator[tuple[Stack, Stack]]:
    """Embedded mode (SQLite, filesystem broker, no Redis): two servers and a worker. The table
    tail is set to 60 s, so what arrives sooner was woken by a datagram."""
    import subprocess
    import sys

    env = base_env(DATA_DIR=tempfile.mkdtemp(prefix="castline-live-embedded-"),
                   EVENTS_TAIL_INTERVAL_S="60")
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=Path(__file__).parents[2],
                   env=env, check=True)
    stacks = []
    for name in ("a", "b"):
        port = free_port()
        stack = Stack(base_url=f"http://127.0.0.1:{port}", env=env,
                      log_dir=Path(tempfile.mkdtemp(prefix=f"castline-live-emb-{name}-")))
        spawn(stack, "server", server_args(port))
        stacks.append(stack)
    spawn(stacks[0], "worker", worker_args(concurrency=1))
    try:
        for stack in stacks:
            wait_healthy(stack)
        yield stacks[0], stacks[1]
    finally:
        for stack in stacks:
            stack.stop()


def test_embedded_mode_wakes_every_server_without_polling(embedded_servers):
    a, b = embedded_servers
    register(a.base_url, ana_handle := _handle("ana"))
    register(b.base_url, bob_handle := _handle("bob"))
    ana, bob = login(a.base_url, ana_handle), login(b.base_url, bob_handle)
    with ana.websocket(a.ws_url) as ana_a, ana.websocket(b.ws_url) as ana_b:
        started = time.monotonic()
        assert bob.http.post(f"/api/v1/users/{ana_handle}/follow").status_code == 201
        for ws in (ana_a, ana_b):
            assert next_event(ws, "accounts.followed", timeout=5)
        assert time.monotonic() - started < 5  # far under the 60 s tail
        response = ana.http.post("/api/v1/videos", json={"prompt": "a paper boat at dusk",
                                                          "seconds": 4})
        assert response.status_code == 202, response.text
        for ws in (ana_a, ana_b):  # from the worker process
            event = next_event(ws, timeout=50)
            while event["type"] not in ("generation.completed", "generation.failed"):
                event = next_event(ws, timeout=50)
        # a logout through server A closes the session's socket on server B too
        assert ana.http.post("/api/v1/auth/logout", json={}).status_code == 204
        assert _closed_code(ana_b) == CLOSE_SESSION_ENDED
        assert _closed_code(ana_a) == CLOSE_SESSION_ENDED

"""A storyboard written together, through real processes: uvicorn with two web processes (so
the room's messages must cross processes: datagrams embedded, Redis pub/sub otherwise), real
websocket clients. Two editors write one shot at the same moment: one wins, the other gets the
409 with the current shot and the winning change live; a removed collaborator's socket closes."""

import json
import threading
import time
import uuid
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from .client import AppUser, register

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture(params=["embedded", "services"])
def stack(request: pytest.FixtureRequest):
    return request.getfixturevalue(f"{request.param}_stack")


def room(stack: Any, user: AppUser, board_id: str) -> ClientConnection:
    return connect(f"{stack.ws_url}/ws/storyboards/{board_id}?token={user.access}",
                   open_timeout=10)


def next_of(ws: ClientConnection, kind: str, timeout: float = 10) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        message = json.loads(ws.recv(timeout=max(0.01, deadline - time.monotonic())))
        if message["type"] == kind:
            return message


def test_two_editors_at_once_then_a_removal(stack):
    suffix = uuid.uuid4().hex[:6]
    ana, bob, cat = (register(stack.base_url, f"{name}_{suffix}") for name in ("ana", "bob",
                                                                             "cat"))
    created = ana.http.post("/api/v1/storyboards", json={
        "title": "relay", "shots": [{"prompt": "a fox at the edge of a wood", "seconds": 4}]})
    assert created.status_code == 201, created.text
    board = created.json()
    for user in (bob, cat):
        assert ana.http.post(f"/api/v1/storyboards/{board['id']}/collaborators",
                             json={"handle": user.handle}).status_code == 200
    shot = board["shots"][0]
    url = f"/api/v1/storyboards/{board['id']}/shots/{shot['id']}"

    with room(stack, bob, board["id"]) as bob_ws, room(stack, cat, board["id"]) as cat_ws:
        next_of(bob_ws, "presence.join")  # cat came in after bob: both are listening
        answers: dict[str, httpx.Response] = {}
        start = threading.Barrier(2)

        def write(user: AppUser, prompt: str) -> None:
            client = user.http
            start.wait()
            answers[user.handle] = client.patch(url, json={"prompt": prompt,
                                                           "version": shot["version"]})

        threads = [threading.Thread(target=write, args=(user, f"written by {user.handle}"))
                   for user in (bob, cat)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        statuses = sorted(a.status_code for a in answers.values())
        assert statuses == [200, 409], {h: a.text for h, a in answers.items()}
        winner = next(h for h, a in answers.items() if a.status_code == 200)
        loser_ws = cat_ws if winner == bob.handle else bob_ws
        loser = next(a for a in answers.values() if a.status_code == 409).json()["error"]
        assert loser["code"] == "storyboards.stale_shot"
        assert loser["fields"]["current"]["prompt"] == f"written by {winner}"
        change = next_of(loser_ws, "storyboard.changed")
        assert change["kind"] == "shot.updated" and change["by"] == winner
        assert change["shot"]["prompt"] == f"written by {winner}"
        assert change["shot"]["version"] == shot["version"] + 1

        # cat is removed: the socket closes at once, REST and a new socket refuse.
        assert ana.http.delete(f"/api/v1/storyboards/{board['id']}/collaborators/"
                               f"{cat.handle}").status_code == 204
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                cat_ws.recv(timeout=10)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403
    assert cat.http.get(f"/api/v1/storyboards/{board['id']}").status_code == 404
    with pytest.raises((InvalidStatus, ConnectionClosed)), \
            room(stack, cat, board["id"]) as again:
        again.recv(timeout=10)
    assert ana.http.get(f"/api/v1/storyboards/{board['id']}").json()["shots"][0]["prompt"] \
        == f"written by {winner}"

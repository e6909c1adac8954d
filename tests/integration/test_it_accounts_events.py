"""Acceptance of the foundation, through real processes: sign up, log in, follow, live events,
reconnect with replay, in both the embedded mode (the README's run command) and on
Postgres + Redis."""

import uuid

import httpx
import pytest

from .client import login, next_event, register

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture(params=["embedded", "services"])
def stack(request: pytest.FixtureRequest):
    return request.getfixturevalue(f"{request.param}_stack")


def test_follow_event_live_then_replayed_after_reconnect(stack):
    suffix = uuid.uuid4().hex[:6]
    register(stack.base_url, f"ana_{suffix}")
    register(stack.base_url, f"bob_{suffix}")
    register(stack.base_url, f"cyd_{suffix}")
    ana = login(stack.base_url, f"ana_{suffix}")
    bob = login(stack.base_url, f"bob_{suffix}")
    cyd = login(stack.base_url, f"cyd_{suffix}")

    with bob.websocket(stack.ws_url) as bob_ws, ana.websocket(stack.ws_url) as ana_ws:
        assert ana.http.post(f"/api/v1/users/bob_{suffix}/follow").status_code == 201
        event = next_event(bob_ws, "accounts.followed")
        assert event["payload"]["follower"]["handle"] == f"ana_{suffix}"
        with pytest.raises(TimeoutError):
            next_event(ana_ws, timeout=1)  # nobody receives another user's events
    last_seen = event["id"]

    # Bob is offline: two things happen; on reconnect both arrive in order, then live ones.
    assert cyd.http.post(f"/api/v1/users/bob_{suffix}/follow").status_code == 201
    assert ana.http.delete(f"/api/v1/users/bob_{suffix}/follow").status_code == 204
    assert ana.http.post(f"/api/v1/users/bob_{suffix}/follow").status_code == 201
    with bob.websocket(stack.ws_url, after=last_seen) as bob_ws:
        missed = [next_event(bob_ws), next_event(bob_ws)]
        assert [e["payload"]["follower"]["handle"] for e in missed] == [f"cyd_{suffix}",
                                                                       f"ana_{suffix}"]
        assert missed[0]["id"] < missed[1]["id"]
        assert cyd.http.delete(f"/api/v1/users/bob_{suffix}/follow").status_code == 204
        assert cyd.http.post(f"/api/v1/users/bob_{suffix}/follow").status_code == 201
        live = next_event(bob_ws)
        assert live["payload"]["follower"]["handle"] == f"cyd_{suffix}"
    listed = bob.http.get("/api/v1/notifications").json()["results"]
    assert len(listed) == 4


def test_websocket_refuses_bad_tokens(stack):
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect
    with pytest.raises(InvalidStatus):
        connect(f"{stack.ws_url}/ws/events?token=nope", open_timeout=10)
    with pytest.raises(InvalidStatus):
        connect(f"{stack.ws_url}/ws/events", open_timeout=10)


def test_health_and_schema(stack):
    health = httpx.get(f"{stack.base_url}/healthz", timeout=10).json()
    assert health["status"] == "ok"
    docs = httpx.get(f"{stack.base_url}/api/docs/", timeout=10)
    assert docs.status_code == 200
    # the docs page's own assets are served locally (no CDN)
    assert httpx.get(f"{stack.base_url}/static/drf_spectacular_sidecar/swagger-ui-dist/"
                     "swagger-ui.css", timeout=10).status_code == 200

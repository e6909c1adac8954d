"""Redis unreachable (the cache behind the rate limits): reads go on, credit-spending writes
answer a fast 503 service.unavailable with Retry-After (core/throttling.py states why)."""

import socket
import time

import pytest

from generation.models import Video

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_cache_down(settings):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed once the socket is: connections are refused
    settings.CACHES = {"default": {
        "BACKEND": "core.redis_pool.SharedRedisCache", "LOCATION": f"redis://127.0.0.1:{port}/0",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}}


@pytest.fixture
def client(user_factory, login):
    return login(user_factory(handle="ana"))


def test_reads_keep_working_without_the_rate_limit_cache(client, redis_cache_down):
    started = time.monotonic()
    assert client.get("/api/v1/videos").status_code == 200
    assert client.get("/api/v1/me").status_code == 200
    assert time.monotonic() - started < 3


def test_credit_spending_write_is_a_fast_503_and_spends_nothing(client, redis_cache_down):
    before = client.get("/api/v1/credits").json()["total"]
    started = time.monotonic()
    response = client.post("/api/v1/videos", {"prompt": "a calm lake", "seconds": 4},
                           format="json")
    assert time.monotonic() - started < 3
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "service.unavailable"
    assert int(response["Retry-After"]) > 0
    assert not Video.objects.exists()
    assert client.get("/api/v1/credits").json()["total"] == before

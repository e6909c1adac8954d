"""Every client error has one shape and a stable code; nothing a client sends gives a 500."""

import base64
from urllib.parse import urlencode

import pytest
from django.urls import include, path
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIClient
from rest_framework.views import APIView

from core.idempotency import idempotent
from events.services import event_publish

pytestmark = pytest.mark.django_db


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert "fields" in body["error"]


def test_unauthenticated(api):
    assert_error(api.get("/api/v1/me"), 401, "auth.not_authenticated")


def test_garbage_token(api):
    api.credentials(HTTP_AUTHORIZATION="Bearer not-a-jwt")
    assert_error(api.get("/api/v1/me"), 401, "auth.invalid_token")


def test_malformed_json(api):
    response = api.generic("POST", "/api/v1/auth/login", "{not json",
                           content_type="application/json")
    assert_error(response, 400, "request.malformed")


def test_wrong_content_type(api):
    response = api.generic("POST", "/api/v1/auth/login", "login=a",
                           content_type="text/plain")
    assert_error(response, 415, "request.unsupported_media_type")


def test_validation_lists_fields(api):
    response = api.post("/api/v1/auth/register", {"email": "x"}, format="json")
    assert_error(response, 400, "validation_error")
    assert {"email", "password", "handle", "birthdate"} <= set(response.json()["error"]["fields"])


def test_method_not_allowed(user_factory, login):
    assert_error(login(user_factory()).put("/api/v1/users/someone/followers"), 405,
                 "request.method_not_allowed")


def test_unknown_url_is_json_404(api):
    assert_error(api.get("/api/v1/does-not-exist"), 404, "not_found")


def test_throttled(user_factory, login, settings):
    from rest_framework.throttling import ScopedRateThrottle
    client = login(user_factory())
    original = ScopedRateThrottle.THROTTLE_RATES
    ScopedRateThrottle.THROTTLE_RATES = {**original, "social": "2/min"}
    try:
        from django.core.cache import cache
        cache.clear()
        for _ in range(2):
            client.post("/api/v1/users/nobody/follow")
        response = client.post("/api/v1/users/nobody/follow")
        assert_error(response, 429, "rate_limited")
        assert "Retry-After" in response
    finally:
        ScopedRateThrottle.THROTTLE_RATES = original


def test_request_id_echoed_and_generated(api):
    assert api.get("/healthz", HTTP_X_REQUEST_ID="client-req-12345")["X-Request-ID"] == \
        "client-req-12345"
    assert len(api.get("/healthz", HTTP_X_REQUEST_ID="bad id!")["X-Request-ID"]) == 32


def test_healthz_checks_everything(api):
    body = api.get("/healthz").json()
    assert body["checks"] == {"database": "ok", "broker": "ok", "channel_layer": "ok"}


def test_schema_and_docs_without_cdn(api):
    schema = api.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/auth/login" in schema.content
    docs = api.get("/api/docs/")
    assert docs.status_code == 200
    assert b"cdn." not in docs.content and b"unpkg" not in docs.content


def test_notifications_list_and_mark_read(user_factory, login):
    user = user_factory()
    client = login(user)
    first = event_publish(user_id=user.pk, type="test.one", payload={"n": 1})
    event_publish(user_id=user.pk, type="test.two", payload={"n": 2})
    other = user_factory()
    event_publish(user_id=other.pk, type="test.private", payload={})
    listed = client.get("/api/v1/notifications").data["results"]
    assert [n["type"] for n in listed] == ["test.two", "test.one"]
    assert client.post("/api/v1/notifications/read", {"ids": [first.pk]},
                       format="json").data == {"marked": 1}
    unread = client.get("/api/v1/notifications?unread=1").data["results"]
    assert [n["type"] for n in unread] == ["test.two"]
    assert_error(client.post("/api/v1/notifications/read", {}, format="json"), 400,
                 "validation_error")


# --- Idempotency-Key, exercised through a small view that spends something ----------------
class _SpendIn(serializers.Serializer):
    amount = serializers.IntegerField()


class _SpendView(APIView):
    calls = 0

    @idempotent("test.spend")
    def post(self, request: Request) -> Response:
        data = _SpendIn(data=request.data)
        data.is_valid(raise_exception=True)
        _SpendView.calls += 1
        return Response({"spent": data.validated_data["amount"], "call": _SpendView.calls},
                        status=201)


urlpatterns = [path("spend", _SpendView.as_view()), path("", include("config.urls"))]


@pytest.mark.urls(__name__)
def test_idempotency_key_replays_and_conflicts(user_factory, login):
    client: APIClient = login(user_factory())
    _SpendView.calls = 0
    first = client.post("/spend", {"amount": 5}, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    again = client.post("/spend", {"amount": 5}, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert first.status_code == again.status_code == 201
    assert first.data == again.data and _SpendView.calls == 1
    assert again["Idempotent-Replayed"] == "true"
    conflict = client.post("/spend", {"amount": 6}, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert_error(conflict, 409, "idempotency.key_reused")
    fresh = client.post("/spend", {"amount": 6}, format="json", HTTP_IDEMPOTENCY_KEY="k2")
    assert fresh.data["call"] == 2
    invalid = client.post("/spend", {"amount": 6}, format="json",
                          HTTP_IDEMPOTENCY_KEY="x" * 300)
    assert_error(invalid, 400, "idempotency.invalid_key")


def test_options_is_a_clean_405_everywhere(user_factory, login):
    client = login(user_factory())
    for url in ("/api/v1/me", "/api/v1/notifications", "/api/v1/videos",
                "/api/v1/feed/steering", "/api/v1/credits"):
        assert_error(client.options(url), 405, "request.method_not_allowed")


@pytest.mark.parametrize(("url", "position"), [
    ("/api/v1/notifications", "not-a-number"),          # ordered by id
    ("/api/v1/notifications", "9" * 30),                # past a bigint
    ("/api/v1/videos", "2026-12-01 19:36:06+00:00x"),   # ordered by created_at
    ("/api/v1/videos", "123"),
    ("/api/v1/cameo/consent-log", "yesterday"),         # (created_at, id)
])
def test_crafted_cursor_position_is_a_404_not_a_500(user_factory, login, url, position):
    """A cursor is well-formed base64 a client can forge: its position must still be a value
    of the field the list is ordered by."""
    cursor = base64.b64encode(urlencode({"p": position}).encode()).decode()
    assert_error(login(user_factory()).get(url, {"cursor": cursor}), 404, "not_found")


def test_genuine_cursor_still_pages(user_factory, login):
    user = user_factory()
    for n in range(3):
        event_publish(user_id=user.pk, type="test.event", payload={"n": n})
    client = login(user)
    first = client.get("/api/v1/notifications", {"page_size": 2}).json()
    second = client.get(first["next"]).json()
    assert len(first["results"]) == 2 and len(second["results"]) >= 1
    assert not {r["id"] for r in first["results"]} & {r["id"] for r in second["results"]}

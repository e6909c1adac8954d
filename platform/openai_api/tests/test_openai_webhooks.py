"""Webhook endpoints through the SDK's `client.webhooks`, and deliveries a real HTTP receiver
gets: signed so that `webhooks.unwrap` accepts them, refused when tampered, retried with
backoff, never queued twice for one event id."""

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import openai
import pytest
from django.utils import timezone

from generation import facade as generation
from openai_api.models import WebhookAttempt, WebhookDelivery
from openai_api.objects import parse_video_id
from openai_api.webhook_services import (
    RETRY_DELAYS_S,
    video_status_changed,
    webhook_deliver,
    webhooks_retry_due,
)

pytestmark = pytest.mark.django_db


class Receiver:
    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], str]] = []
        self.statuses: list[int] = []  # answers to give, in order; then 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                receiver.requests.append(({k.lower(): v for k, v in self.headers.items()},
                                          body))
                self.send_response(receiver.statuses.pop(0) if receiver.statuses else 200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver(settings) -> Iterator[Receiver]:
    settings.OPENAI_WEBHOOK_ALLOW_PRIVATE_URLS = True  # the receiver is on loopback
    found = Receiver()
    yield found
    found.server.shutdown()


@pytest.fixture
def ana(user_factory, sdk_for, login):
    user = user_factory(handle="ana")
    return user, sdk_for(user), login(user)


def _failed_video(sdk, app, capture) -> str:
    """A real video.failed: queued through the door, cancelled through the app."""
    with capture(execute=False):
        video = sdk.videos.create(prompt="a quiet harbour")
    with capture(execute=True):
        response = app.post(f"/api/v1/videos/{parse_video_id(video.id)}/cancel")
    assert response.status_code == 202
    return video.id


def test_endpoint_lifecycle_through_the_sdk(ana, receiver):
    _, sdk, _ = ana
    made = sdk.webhooks.create(name="hooks", url=receiver.url, event_types=["video.completed"])
    assert made.signing_secret.startswith("whsec_") and made.object == "webhook_endpoint"
    got = sdk.webhooks.retrieve(made.id)
    assert not hasattr(got, "signing_secret") or got.model_extra.get("signing_secret") is None
    assert got.signing_secret_hint.endswith(made.signing_secret[-4:])
    updated = sdk.webhooks.update(made.id, event_types=["video.completed", "video.failed"])
    assert updated.event_types == ["video.completed", "video.failed"]
    assert [e.id for e in sdk.webhooks.list()] == [made.id]
    assert sdk.webhooks.delete(made.id).deleted is True
    with pytest.raises(openai.NotFoundError):
        sdk.webhooks.retrieve(made.id)


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/hook", "https://10.1.2.3/hook",
                                 "https://localhost/hook", "ftp://example.com/x", "not a url"])
def test_private_or_malformed_urls_are_refused_by_default(ana, url):
    _, sdk, _ = ana
    with pytest.raises(openai.BadRequestError) as caught:
        sdk.webhooks.create(name="x", url=url, event_types=["video.failed"])
    assert caught.value.param == "url"


def test_unknown_event_types_are_refused(ana, receiver):
    _, sdk, _ = ana
    with pytest.raises(openai.BadRequestError) as caught:
        sdk.webhooks.create(name="x", url=receiver.url, event_types=["batch.completed"])
    assert caught.value.param == "event_types"


def test_delivery_is_signed_for_unwrap_and_tampering_is_refused(
        ana, receiver, django_capture_on_commit_callbacks):
    _, sdk, app = ana
    endpoint = sdk.webhooks.create(name="hooks", url=receiver.url, event_types=["video.failed"])
    video_id = _failed_video(sdk, app, django_capture_on_commit_callbacks)
    assert len(receiver.requests) == 1
    headers, body = receiver.requests[0]
    event = sdk.webhooks.unwrap(body, headers, secret=endpoint.signing_secret)
    raw = json.loads(body)
    assert raw["type"] == "video.failed" and raw["data"]["id"] == video_id
    assert headers["webhook-id"] == raw["id"] == event.id
    with pytest.raises(openai.InvalidWebhookSignatureError):
        sdk.webhooks.unwrap(body.replace(video_id, "video_" + "1" * 32), headers,
                            secret=endpoint.signing_secret)
    with pytest.raises(openai.InvalidWebhookSignatureError):
        sdk.webhooks.unwrap(body, headers, secret=sdk.webhooks.rotate_secret(
            endpoint.id).signing_secret.replace("whsec_", "whsec_A")[:50])
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "delivered" and delivery.attempts == 1


def test_failures_retry_with_backoff_and_one_event_is_sent_once(
        ana, receiver, django_capture_on_commit_callbacks):
    _, sdk, app = ana
    sdk.webhooks.create(name="hooks", url=receiver.url, event_types=["video.failed"])
    receiver.statuses = [500]
    video_id = _failed_video(sdk, app, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending" and delivery.attempts == 1
    wait = (delivery.next_attempt_at - timezone.now()).total_seconds()
    assert RETRY_DELAYS_S[0] - 2 < wait <= RETRY_DELAYS_S[0]
    assert webhooks_retry_due() == 0  # not due yet
    WebhookDelivery.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert webhooks_retry_due() == 1
    delivery.refresh_from_db()
    assert delivery.status == "delivered" and delivery.attempts == 2
    assert list(WebhookAttempt.objects.order_by("id").values_list("status_code", flat=True)) \
        == [500, 200]
    # The same event again (a restored video, a second worker): nothing new is queued or sent.
    video_status_changed(generation.video_get(user=ana[0], video_id=parse_video_id(video_id)))
    assert webhook_deliver(delivery_id=delivery.pk) == "skipped"
    assert WebhookDelivery.objects.count() == 1 and len(receiver.requests) == 2
    assert receiver.requests[0][0]["webhook-id"] == receiver.requests[1][0]["webhook-id"]


def test_gives_up_after_the_last_retry(ana, receiver, django_capture_on_commit_callbacks):
    _, sdk, app = ana
    sdk.webhooks.create(name="hooks", url=receiver.url, event_types=["video.failed"])
    receiver.statuses = [503, 503]
    _failed_video(sdk, app, django_capture_on_commit_callbacks)
    WebhookDelivery.objects.update(attempts=len(RETRY_DELAYS_S),
                                   next_attempt_at=timezone.now())
    assert webhook_deliver(delivery_id=WebhookDelivery.objects.get().pk) == "failed"


def test_rotation_keeps_the_old_secret_for_a_day_when_asked(
        ana, receiver, django_capture_on_commit_callbacks):
    _, sdk, _ = ana
    first = sdk.webhooks.create(name="hooks", url=receiver.url, event_types=["video.failed"])
    second = sdk.webhooks.rotate_secret(first.id, keep_old_secret_active_for_24_hours=True)
    assert second.signing_secret != first.signing_secret
    result = sdk.webhooks.test(first.id, event_type="video.failed")
    assert result.status_code == 200 and result.webhook_endpoint_id == first.id
    headers, body = receiver.requests[-1]
    for secret in (first.signing_secret, second.signing_secret):
        sdk.webhooks.unwrap(body, headers, secret=secret)
    third = sdk.webhooks.rotate_secret(first.id)
    sdk.webhooks.test(first.id, event_type="video.failed")
    headers, body = receiver.requests[-1]
    sdk.webhooks.unwrap(body, headers, secret=third.signing_secret)
    for stale in (first.signing_secret, second.signing_secret):
        with pytest.raises(openai.InvalidWebhookSignatureError):
            sdk.webhooks.unwrap(body, headers, secret=stale)


def test_someone_elses_endpoint_is_a_404(ana, receiver, user_factory, sdk_for):
    _, sdk, _ = ana
    made = sdk.webhooks.create(name="hooks", url=receiver.url, event_types=["video.failed"])
    other = sdk_for(user_factory())
    with pytest.raises(openai.NotFoundError):
        other.webhooks.retrieve(made.id)
    with pytest.raises(openai.NotFoundError):
        other.webhooks.delete(made.id)
    assert other.webhooks.list().data == []

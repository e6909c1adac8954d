"""Webhook endpoints (the SDK's `client.webhooks` resource) and the deliveries of
video.completed / video.failed to them: stored, signed, retried with backoff for three days,
never queued twice for one event id."""

import json
import logging
import secrets
import time
import urllib.error
import urllib.request
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.facade import User
from core.errors import DomainError
from core.lifecycle import row_or_404
from core.outbox import task_send_on_commit
from generation import facade as generation

from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from .objects import video_public_id
from .webhook_signing import new_secret, signed_headers
from .webhook_urls import check_webhook_url

logger = logging.getLogger(__name__)
DELIVER_TASK = "openai_api.tasks.deliver_webhook"
EVENT_TYPES = ("video.completed", "video.failed")
# After each failed attempt, wait this long (Standard Webhooks' schedule, stretched to cover
# three days); after the last, the delivery fails for good.
RETRY_DELAYS_S = (5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 72000)
GIVE_UP_AFTER = timedelta(days=3)
ROTATION_GRACE = timedelta(hours=24)
_FAILED_STATUSES = {generation.STATUS_FAILED, generation.STATUS_BLOCKED,
                    generation.STATUS_CANCELLED}


def _check_event_types(event_types: list[str]) -> list[str]:
    unknown = [t for t in event_types if t not in EVENT_TYPES]
    if not event_types or unknown:
        raise DomainError("openai.invalid_event_types",
                          f"event_types are some of {', '.join(EVENT_TYPES)}.",
                          fields={"event_types": ["Unsupported."]})
    return list(dict.fromkeys(event_types))


def endpoint_create(*, user: User, name: str, url: str, event_types: list[str]
                    ) -> WebhookEndpoint:
    check_webhook_url(url)
    return WebhookEndpoint.objects.create(
        owner=user, public_id=WebhookEndpoint.new_public_id(), name=name, url=url,
        event_types=_check_event_types(event_types), secret=new_secret())


def endpoint_get(*, user: User, public_id: str) -> WebhookEndpoint:
    return row_or_404(WebhookEndpoint.objects.filter(owner=user, public_id=public_id,
                                                     deleted_at__isnull=True),
                      code="not_found", message="No such webhook endpoint.")


def endpoint_update(*, user: User, public_id: str, name: str | None = None,
                    url: str | None = None, event_types: list[str] | None = None
                    ) -> WebhookEndpoint:
    endpoint = endpoint_get(user=user, public_id=public_id)
    if url is not None:
        check_webhook_url(url)
        endpoint.url = url
    if name is not None:
        endpoint.name = name
    if event_types is not None:
        endpoint.event_types = _check_event_types(event_types)
    endpoint.save()
    return endpoint


def endpoint_delete(*, user: User, public_id: str) -> None:
    endpoint = endpoint_get(user=user, public_id=public_id)
    endpoint.deleted_at = timezone.now()
    endpoint.save(update_fields=["deleted_at"])


def endpoint_rotate_secret(*, user: User, public_id: str, keep_old_for_24h: bool
                           ) -> WebhookEndpoint:
    endpoint = endpoint_get(user=user, public_id=public_id)
    if keep_old_for_24h:
        endpoint.previous_secret = endpoint.secret
        endpoint.previous_valid_until = timezone.now() + ROTATION_GRACE
    else:
        endpoint.previous_secret, endpoint.previous_valid_until = "", None
    endpoint.secret = new_secret()
    endpoint.save()
    return endpoint


def _live_secrets(endpoint: WebhookEndpoint) -> list[str]:
    live = [endpoint.secret]
    if endpoint.previous_secret and endpoint.previous_valid_until and \
            endpoint.previous_valid_until > timezone.now():
        live.append(endpoint.previous_secret)
    return live


def event_body(*, event_id: str, event_type: str, video_id: str) -> str:
    return json.dumps({"id": event_id, "object": "event", "type": event_type,
                       "created_at": int(time.time()), "data": {"id": video_id}},
                      separators=(",", ":"))


def video_status_changed(info: generation.VideoInfo) -> None:
    """Generation's status listener (inside its transaction): queue the event for every
    endpoint of the owner that asked for it, once per event id."""
    if info.status == generation.STATUS_COMPLETED:
        event_type = "video.completed"
    elif info.status in _FAILED_STATUSES:
        event_type = "video.failed"
    else:
        return
    event_id = f"evt_{info.id.hex}_{event_type.split('.')[1]}"
    now = timezone.now()
    for endpoint in WebhookEndpoint.objects.filter(owner_id=info.owner_id,
                                                   deleted_at__isnull=True):
        if event_type not in endpoint.event_types:
            continue
        body = event_body(event_id=event_id, event_type=event_type,
                          video_id=video_public_id(info.id))
        try:
            with transaction.atomic():
                delivery = WebhookDelivery.objects.create(
                    endpoint=endpoint, event_id=event_id, event_type=event_type, payload=body,
                    next_attempt_at=now)
        except IntegrityError:
            continue  # this event was queued for this endpoint before (e.g. a restore)
        _delivery_enqueue(delivery.pk)


def _delivery_enqueue(delivery_id: int) -> None:
    """One attempt, queued with the caller's transaction (core.outbox, as every task)."""
    task_send_on_commit(DELIVER_TASK, str(delivery_id))


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect could lead anywhere, our own network included


_opener = urllib.request.build_opener(_NoRedirects)


def send_signed(endpoint: WebhookEndpoint, *, event_id: str, body: str
                ) -> tuple[int | None, str]:
    """POST the body once; (HTTP status or None, error text)."""
    try:
        check_webhook_url(endpoint.url)
    except DomainError as exc:
        return None, exc.message
    headers = signed_headers(_live_secrets(endpoint), webhook_id=event_id,
                             timestamp=int(time.time()), body=body)
    # check_webhook_url above let only https (http where allowed) through: no file: URLs
    request = urllib.request.Request(endpoint.url, data=body.encode(),  # noqa: S310
                                     headers=headers, method="POST")
    try:
        with _opener.open(request, timeout=settings.OPENAI_WEBHOOK_TIMEOUT_S) as response:
            response.read(64 * 1024)
            return int(response.status), ""
    except urllib.error.HTTPError as exc:
        return int(exc.code), f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return None, str(exc)[:300]


def _claim(delivery_id: int) -> WebhookDelivery | None:
    now = timezone.now()
    with transaction.atomic():
        delivery = (WebhookDelivery.objects.select_for_update().select_related("endpoint")
                    .filter(pk=delivery_id).first())
        if delivery is None or delivery.status != WebhookDelivery.Status.PENDING or \
                delivery.next_attempt_at > now or \
                (delivery.claimed_until is not None and delivery.claimed_until > now):
            return None
        delivery.claimed_until = now + timedelta(seconds=settings.OPENAI_WEBHOOK_TIMEOUT_S + 30)
        delivery.save(update_fields=["claimed_until"])
        return delivery


def webhook_deliver(*, delivery_id: int) -> str:
    """One attempt, if one is due and nobody else is making it; returns the status after."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return "skipped"
    if delivery.endpoint.deleted_at is not None:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=WebhookDelivery.Status.FAILED, claimed_until=None)
        return WebhookDelivery.Status.FAILED
    started = time.monotonic()
    code, error = send_signed(delivery.endpoint, event_id=delivery.event_id,
                              body=delivery.payload)
    now = timezone.now()
    with transaction.atomic():
        WebhookAttempt.objects.create(delivery=delivery, status_code=code, error=error,
                                      duration_ms=int((time.monotonic() - started) * 1000))
        delivery.attempts += 1
        delivery.claimed_until = None
        if code is not None and 200 <= code < 300:
            delivery.status, delivery.delivered_at = WebhookDelivery.Status.DELIVERED, now
        elif delivery.attempts > len(RETRY_DELAYS_S) or \
                now - delivery.created_at >= GIVE_UP_AFTER:
            delivery.status = WebhookDelivery.Status.FAILED
        else:
            delay = RETRY_DELAYS_S[delivery.attempts - 1]
            delivery.next_attempt_at = now + timedelta(seconds=delay)
        delivery.save()
    return delivery.status


def webhooks_retry_due() -> int:
    """The periodic sweep: queue every pending delivery whose next attempt is due."""
    now = timezone.now()
    due = list(WebhookDelivery.objects.filter(
        status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now)
        .exclude(claimed_until__gt=now).values_list("pk", flat=True)[:500])
    for delivery_id in due:
        _delivery_enqueue(delivery_id)
    return len(due)


def endpoint_test(*, user: User, public_id: str, event_type: str) -> int:
    """A sample event, sent now and not stored; the endpoint's HTTP status (0: no answer)."""
    endpoint = endpoint_get(user=user, public_id=public_id)
    _check_event_types([event_type])
    event_id = f"evt_test_{secrets.token_hex(8)}"
    body = event_body(event_id=event_id, event_type=event_type,
                      video_id=f"video_{'0' * 32}")
    code, _ = send_signed(endpoint, event_id=event_id, body=body)
    return code or 0

"""Billing test fixtures: Stripe configured with test secrets, a controllable clock."""

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import stripe
from billing_stripe_fakes import WEBHOOK_SECRET, FakeStripeServer, signature_header
from django.utils import timezone
from rest_framework.test import APIClient

WEBHOOK_URL = "/api/v1/billing/stripe/webhook"


@pytest.fixture(autouse=True)
def billing_settings(settings: Any) -> Any:
    settings.STRIPE_SECRET_KEY = "sk_test_castline"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_WEBHOOK_TOLERANCE_S = 300
    settings.CREDITS_FREE_DAILY = 100
    settings.CREDITS_FREE_RESET_HOUR_UTC = 0
    settings.CREDITS_PAID_EXPIRY_DAYS = 0
    return settings


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Django's clock, moved by the test (the free allowance depends on the day)."""
    fake = Clock()
    monkeypatch.setattr(timezone, "now", lambda: fake.now)
    return fake


@pytest.fixture
def stripe_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeStripeServer]:
    server = FakeStripeServer()
    monkeypatch.setattr(stripe, "default_http_client", server)
    yield server


@pytest.fixture
def deliver() -> Callable[..., Any]:
    """POST an event to the webhook, signed with the test secret (or as told)."""

    def _deliver(event: dict[str, Any], *, secret: str = WEBHOOK_SECRET, t: int | None = None,
                 header: str | None = None, raw: str | None = None) -> Any:
        payload = raw if raw is not None else json.dumps(event)
        signature = header if header is not None else signature_header(payload, secret=secret,
                                                                        t=t)
        extra = {"HTTP_STRIPE_SIGNATURE": signature} if signature else {}
        return APIClient().post(WEBHOOK_URL, data=payload, content_type="application/json",
                                **extra)

    return _deliver

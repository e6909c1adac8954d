"""Test helpers: Stripe events signed like Stripe signs them, and a stand-in for Stripe's
servers plugged in as the stripe library's HTTP client (so the library itself runs for real)."""

import hashlib
import hmac
import itertools
import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import stripe

WEBHOOK_SECRET = "whsec_castline_test_secret"
_ids = itertools.count(1)


def signature_header(payload: str, *, secret: str = WEBHOOK_SECRET, t: int | None = None) -> str:
    t = int(time.time()) if t is None else t
    mac = hmac.new(secret.encode(), f"{t}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def event(type: str, obj: dict[str, Any], *, event_id: str | None = None) -> dict[str, Any]:
    return {"id": event_id or f"evt_test_{next(_ids)}", "object": "event", "type": type,
            "api_version": "2025-09-30.clover", "created": int(time.time()), "livemode": False,
            "pending_webhooks": 1, "data": {"object": obj}}


def checkout_session(*, user_id: int, pack: str = "starter", payment_intent: str = "pi_1",
                     amount_total: int = 499, currency: str = "usd",
                     payment_status: str = "paid", session_id: str | None = None
                     ) -> dict[str, Any]:
    return {"id": session_id or f"cs_test_{payment_intent}", "object": "checkout.session",
            "mode": "payment", "client_reference_id": str(user_id),
            "metadata": {"pack": pack, "user_id": str(user_id)},
            "payment_intent": payment_intent, "amount_total": amount_total,
            "currency": currency, "payment_status": payment_status, "status": "complete"}


def charge(*, payment_intent: str = "pi_1", amount: int = 499,
           amount_refunded: int = 0) -> dict[str, Any]:
    return {"id": f"ch_{payment_intent}", "object": "charge", "payment_intent": payment_intent,
            "amount": amount, "amount_refunded": amount_refunded,
            "refunded": amount_refunded >= amount}


def dispute(*, payment_intent: str = "pi_1", dispute_id: str = "dp_1", amount: int = 499,
            status: str = "needs_response") -> dict[str, Any]:
    return {"id": dispute_id, "object": "dispute", "charge": f"ch_{payment_intent}",
            "payment_intent": payment_intent, "amount": amount, "status": status}


Route = Callable[[str, str, dict[str, list[str]], dict[str, str]], tuple[int, dict[str, Any]]]


class FakeStripeServer(stripe.HTTPClient):
    """Answers the stripe library's HTTP requests from `routes`; records every request."""

    name = "castline-fake"

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[dict[str, Any]] = []
        self.routes: dict[tuple[str, str], Route] = {}

    def request(self, method: str, url: str, headers: Any, post_data: Any = None, *,
                _usage: Any = None) -> tuple[str, int, dict[str, str]]:
        parts = urlsplit(url)
        body = post_data.decode() if isinstance(post_data, bytes) else (post_data or "")
        params = parse_qs(parts.query or body)
        self.requests.append({"method": method, "path": parts.path, "params": params,
                              "headers": dict(headers or {})})
        route = self.routes.get((method.upper(), parts.path))
        if route is None:
            status, data = 404, {"error": {"type": "invalid_request_error",
                                           "message": f"no route {parts.path}"}}
        else:
            status, data = route(method, parts.path, params, dict(headers or {}))
        return json.dumps(data), status, {"Request-Id": f"req_{len(self.requests)}"}

    def close(self) -> None:
        pass

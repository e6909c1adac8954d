"""Every call we make to Stripe's servers. Nothing here touches the database."""

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import stripe
from django.conf import settings

from core.errors import DomainError

from .selectors import CreditPack


def payments_check_available() -> str:
    key: str = settings.STRIPE_SECRET_KEY
    if not key:
        raise DomainError("billing.payments_unavailable",
                          "Payments are not configured on this server.", status_code=503)
    return key


def checkout_session_create(*, user_id: int, pack: CreditPack, idempotency_key: str) -> str:
    """A Stripe Checkout Session for one pack; returns the URL to send the buyer to."""
    api_key = payments_check_available()
    metadata = {"pack": pack.id, "user_id": str(user_id)}
    try:
        session = stripe.checkout.Session.create(
            api_key=api_key,
            idempotency_key=idempotency_key,
            mode="payment",
            client_reference_id=str(user_id),
            metadata=metadata,
            payment_intent_data={"metadata": metadata},
            line_items=[{
                "quantity": 1,
                "price_data": {
                    "currency": pack.currency,
                    "unit_amount": pack.price_cents,
                    "product_data": {"name": f"{pack.credits} Castline credits"},
                },
            }],
            success_url=settings.STRIPE_CHECKOUT_SUCCESS_URL,
            cancel_url=settings.STRIPE_CHECKOUT_CANCEL_URL,
        )
    except stripe.StripeError as exc:
        raise DomainError("billing.payments_error",
                          "The payment provider refused the request; try again.",
                          status_code=502) from exc
    return str(session.url)


def events_since(since: datetime, *, types: list[str]) -> Iterator[dict[str, Any]]:
    """Every Stripe event of these types created at or after `since`, as plain dicts."""
    api_key = payments_check_available()
    listing = stripe.Event.list(api_key=api_key, created={"gte": int(since.timestamp())},
                                types=types, limit=100)
    for event in listing.auto_paging_iter():
        yield event.to_dict()

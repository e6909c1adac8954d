"""Stripe webhooks: verify, store each event once, apply it. Safe to receive twice, late, or
out of order: every handler records facts on the Purchase and lets services settle credits."""

import json
import logging
from typing import Any

import stripe
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.errors import DomainError
from core.ids import parse_id

from . import services
from .models import DisputeStatus, StripeEvent, StripeEventStatus

logger = logging.getLogger(__name__)


def event_verify(*, payload: bytes, signature: str | None) -> dict[str, Any]:
    """The event from a signed body, or a 400 saying what was wrong with it."""
    secret: str = settings.STRIPE_WEBHOOK_SECRET
    if not secret:
        raise DomainError("billing.payments_unavailable",
                          "Stripe webhooks are not configured on this server.", status_code=503)
    if not signature:
        raise DomainError("billing.webhook_unsigned", "The Stripe-Signature header is missing.")
    try:
        # The signature alone (construct_event also builds an object, and a signed JSON list
        # or string broke that with an AttributeError: a 500); the body is read below.
        stripe.WebhookSignature.verify_header(payload, signature, secret,
                                              tolerance=settings.STRIPE_WEBHOOK_TOLERANCE_S)
    except stripe.SignatureVerificationError as exc:
        raise DomainError(_signature_problem(payload, signature, secret),
                          "The Stripe signature could not be verified.") from exc
    try:
        event = json.loads(payload, parse_constant=_no_constant)
    except ValueError as exc:  # not JSON, not UTF-8, or NaN / Infinity (no JSON column holds them)
        raise DomainError("billing.webhook_malformed", "The event body is not JSON.") from exc
    if not isinstance(event, dict) or not isinstance(event.get("id"), str) \
            or not event["id"] or not isinstance(event.get("type"), str) or not event["type"] \
            or not isinstance(event.get("data", {}), dict):
        raise DomainError("billing.webhook_malformed", "The body is not a Stripe event.")
    return event


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _signature_problem(payload: bytes, signature: str, secret: str) -> str:
    """Tell a correctly signed but old event (a replay) apart from a forged one."""
    try:
        stripe.WebhookSignature.verify_header(payload, signature, secret, tolerance=None)
    except stripe.SignatureVerificationError:
        return "billing.webhook_bad_signature"
    return "billing.webhook_stale"


def stripe_event_process(*, event: dict[str, Any]) -> tuple[StripeEvent, bool]:
    """Store the event once by id and apply it once; a failure is recorded for a retry.
    Returns the record and whether this call did the work (False: a duplicate)."""
    with transaction.atomic():
        StripeEvent.objects.get_or_create(
            id=event["id"], defaults={"type": event["type"], "payload": event})
        record = StripeEvent.objects.select_for_update().get(id=event["id"])
        if record.status in (StripeEventStatus.PROCESSED, StripeEventStatus.IGNORED):
            return record, False
        record.attempts += 1
        try:
            with transaction.atomic():
                handled = _dispatch(event["type"], event.get("data", {}).get("object") or {})
        except Exception as exc:  # recorded, answered with a 500 so Stripe retries
            logger.exception("stripe event %s failed", record.id)
            record.status = StripeEventStatus.FAILED
            record.last_error = repr(exc)[:2000]
        else:
            record.status = StripeEventStatus.PROCESSED if handled else StripeEventStatus.IGNORED
            record.last_error = ""
            record.processed_at = timezone.now()
        record.save()
    return record, True


def _payment_key(obj: dict[str, Any]) -> str | None:
    intent = obj.get("payment_intent")
    if isinstance(intent, dict):  # expanded
        intent = intent.get("id")
    return str(intent) if intent else None


def _on_checkout(session: dict[str, Any]) -> bool:
    if session.get("mode") != "payment":
        return False
    client_ref = str(session.get("client_reference_id") or "")
    services.purchase_checkout_paid(
        payment_key=_payment_key(session) or f"cs:{session['id']}",
        session_id=str(session["id"]),
        user_id=parse_id(client_ref),
        pack_id=str((session.get("metadata") or {}).get("pack", "")),
        amount_cents=int(session.get("amount_total") or 0),
        currency=str(session.get("currency") or "").lower(),
        paid=session.get("payment_status") == "paid")
    return True


def _on_refund(charge: dict[str, Any]) -> bool:
    key = _payment_key(charge)
    if key is None:
        return False
    services.purchase_refund_record(payment_key=key,
                                    refunded_cents=int(charge.get("amount_refunded") or 0))
    return True


_DISPUTE_STATUSES = {"won": DisputeStatus.WON, "lost": DisputeStatus.LOST}


def _on_dispute(dispute: dict[str, Any]) -> bool:
    key = _payment_key(dispute)
    if key is None:
        return False
    services.purchase_dispute_record(
        payment_key=key, dispute_id=str(dispute["id"]),
        amount_cents=int(dispute.get("amount") or 0),
        status=_DISPUTE_STATUSES.get(str(dispute.get("status")), DisputeStatus.OPEN))
    return True


_HANDLERS = {
    "checkout.session.completed": _on_checkout,
    "checkout.session.async_payment_succeeded": _on_checkout,
    "charge.refunded": _on_refund,
    "charge.dispute.created": _on_dispute,
    "charge.dispute.updated": _on_dispute,
    "charge.dispute.closed": _on_dispute,
}
HANDLED_EVENT_TYPES = list(_HANDLERS)


def _dispatch(event_type: str, obj: dict[str, Any]) -> bool:
    handler = _HANDLERS.get(event_type)
    return handler(obj) if handler is not None else False

"""Credit writes. Every balance change goes through `_post`, which locks nothing itself: callers
hold the account row lock (`_account_lock`), taken after any Reservation/Purchase row lock, so
locks are always taken in the same order: Purchase > Dispute > Reservation > Account.
"""

import math
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from core.errors import ConflictError, DomainError, NotFoundError
from core.lifecycle import Lifecycle, row_lock_or_404
from events.facade import event_publish

from .models import (
    DISPUTE_TRANSITIONS,
    PURCHASE_TRANSITIONS,
    RESERVATION_TRANSITIONS,
    Account,
    Dispute,
    DisputeStatus,
    LedgerEntry,
    LedgerKind,
    Purchase,
    PurchaseState,
    Reservation,
    ReservationState,
)
from .selectors import CreditPack, grant_day, pack_get

CREDITS_CHANGED = "billing.credits_changed"


def _account_lock(user_id: int) -> Account:
    account = Account.objects.select_for_update().filter(user_id=user_id).first()
    if account is None:
        Account.objects.get_or_create(user_id=user_id)  # a concurrent creator may win: fine
        account = Account.objects.select_for_update().get(user_id=user_id)
    _account_refresh(account)
    return account


def _account_lock_existing(account_id: int) -> Account:
    account = Account.objects.select_for_update().get(pk=account_id)
    _account_refresh(account)
    return account


def _post(account: Account, *, kind: LedgerKind, amount: int, reason: str, reference: str = "",
          actor_id: int | None = None, free: int = 0, paid: int = 0, held: int = 0,
          debt: int = 0) -> LedgerEntry:
    """Apply one change to a locked account, append its ledger entry and announce it."""
    account.free += free
    account.paid += paid
    account.held += held
    account.debt += debt
    account.save(update_fields=["free", "paid", "held", "debt", "free_day", "paid_expires_at",
                                "updated_at"])
    entry = LedgerEntry.objects.create(
        account=account, kind=kind, amount=amount, free_delta=free, paid_delta=paid,
        held_delta=held, debt_delta=debt, free_after=account.free, paid_after=account.paid,
        debt_after=account.debt, reason=reason[:200], reference=reference[:200],
        actor_id=actor_id)
    event_publish(user_id=account.user_id, type=CREDITS_CHANGED,
                  payload={"free": account.free, "paid": account.paid, "debt": account.debt,
                           "total": account.total})
    return entry


def _account_refresh(account: Account) -> None:
    """Lazy daily top-up of the free bucket (never above the allowance) and paid expiry."""
    now = timezone.now()
    today = grant_day(now)
    if account.free_day != today:
        account.free_day = today
        top_up = max(0, settings.CREDITS_FREE_DAILY - account.free)
        if top_up:
            _post(account, kind=LedgerKind.DAILY_GRANT, amount=top_up, free=top_up,
                  reason="daily_allowance", reference=today.isoformat())
        else:
            account.save(update_fields=["free_day"])
    if account.paid and account.paid_expires_at and account.paid_expires_at <= now:
        _post(account, kind=LedgerKind.EXPIRY, amount=account.paid, paid=-account.paid,
              reason="paid_credits_expired")


def _paid_credit_split(account: Account, credits: int) -> tuple[int, int]:
    """Credits entering the paid bucket settle any debt first: (paid delta, debt delta)."""
    to_debt = min(account.debt, credits)
    return credits - to_debt, -to_debt


def _free_return(account: Account, credits: int) -> int:
    """Free credits coming back never lift the bucket above the daily allowance."""
    return max(0, min(credits, settings.CREDITS_FREE_DAILY - account.free))


@transaction.atomic
def account_touch(*, user_id: int) -> Account:
    """The account with today's free allowance applied; creates it on first use."""
    return _account_lock(user_id)


@transaction.atomic
def credits_reserve(*, user_id: int, amount: int, reference: str, reason: str,
                    actor_id: int | None = None) -> Reservation:
    """Hold credits for a job, free first. Idempotent by `reference`."""
    if amount <= 0:
        raise DomainError("billing.invalid_amount", "The amount must be a positive integer.",
                          fields={"amount": ["Must be > 0."]})
    if not reference:
        raise DomainError("billing.invalid_reference", "A reservation needs a reference.")
    account = _account_lock(user_id)
    existing = Reservation.objects.filter(reference=reference).first()
    if existing is not None:
        if existing.account_id != account.pk or existing.amount != amount:
            raise ConflictError("billing.reference_conflict",
                                "This reference already holds another reservation.")
        return existing
    if account.debt:
        raise DomainError("billing.account_in_debt",
                          "Your account owes credits after a refund or dispute; buy credits "
                          "to settle it first.", status_code=402,
                          fields={"debt": [str(account.debt)]})
    if account.total < amount:
        raise DomainError("billing.insufficient_credits",
                          f"This needs {amount} credits; you have {account.total}.",
                          status_code=402, fields={"required": [str(amount)],
                                                   "available": [str(account.total)]})
    free_part = min(account.free, amount)
    paid_part = amount - free_part
    _post(account, kind=LedgerKind.RESERVE, amount=amount, free=-free_part, paid=-paid_part,
          held=amount, reason=reason, reference=reference, actor_id=actor_id)
    return Reservation.objects.create(account=account, reference=reference, amount=amount,
                                      free_part=free_part, paid_part=paid_part, reason=reason)


def _reservation_post(reservation: Reservation, from_state: str, to: str,
                      actor_id: int | None, reason: str) -> None:
    """A reservation's audit record is the ledger entry its move posts (kind, actor, reason,
    reference): captured credits leave the held bucket, released or refunded ones go back."""
    account = _account_lock_existing(reservation.account_id)
    amount, reference = reservation.amount, reservation.reference
    if to == ReservationState.CAPTURED:
        _post(account, kind=LedgerKind.CAPTURE, amount=amount, held=-amount, reason=reason,
              reference=reference, actor_id=actor_id)
        return
    # Released credits leave the held bucket; refunded ones left it at capture.
    held = -amount if from_state == ReservationState.HELD else 0
    paid, debt = _paid_credit_split(account, reservation.paid_part)
    _post(account, kind=LedgerKind.RELEASE if to == ReservationState.RELEASED
          else LedgerKind.REFUND, amount=amount, held=held,
          free=_free_return(account, reservation.free_part), paid=paid, debt=debt,
          reason=reason, reference=reference, actor_id=actor_id)


RESERVATION = Lifecycle(name="billing.reservation", model=Reservation, field="state",
                        moves=RESERVATION_TRANSITIONS, error_code="billing.invalid_transition",
                        record=_reservation_post)
PURCHASE = Lifecycle(name="billing.purchase", model=Purchase, field="state",
                     moves=PURCHASE_TRANSITIONS, error_code="billing.purchase_state")
DISPUTE = Lifecycle(name="billing.dispute", model=Dispute, moves=DISPUTE_TRANSITIONS,
                    error_code="billing.invalid_transition")


def _reservation_lock(reference: str) -> Reservation:
    return row_lock_or_404(Reservation.objects.filter(reference=reference),
                           code="billing.reservation_not_found",
                           message="No reservation has this reference.")


@transaction.atomic
def reservation_transition(*, reference: str, to: ReservationState, reason: str,
                           actor_id: int | None = None) -> Reservation:
    """The only place a reservation changes state; a move the table doesn't allow raises
    409 billing.invalid_transition."""
    reservation = _reservation_lock(reference)
    reservation.close_reason = reason[:200]
    RESERVATION.move(reservation, to, actor_id=actor_id, reason=reason, also=["close_reason"])
    return reservation


def _settle_once(reference: str, to: ReservationState, reason: str) -> Reservation:
    """A job's outcome settles its reservation once: a repeated or late call (a second
    capture, a release after a capture) finds it settled and returns it unchanged."""
    reservation = _reservation_lock(reference)
    if reservation.state != ReservationState.HELD:
        return reservation
    return reservation_transition(reference=reference, to=to, reason=reason)


@transaction.atomic
def credits_capture(*, reference: str) -> Reservation:
    return _settle_once(reference, ReservationState.CAPTURED, "job_succeeded")


@transaction.atomic
def credits_release(*, reference: str, reason: str) -> Reservation:
    return _settle_once(reference, ReservationState.RELEASED, reason)


@transaction.atomic
def credits_refund(*, reference: str, reason: str) -> Reservation:
    """Give back a job's credits: refunds a captured job, releases a still-held one; a
    reservation already given back is returned unchanged."""
    reservation = _reservation_lock(reference)
    if reservation.state == ReservationState.HELD:
        return reservation_transition(reference=reference, to=ReservationState.RELEASED,
                                      reason=reason)
    if reservation.state == ReservationState.CAPTURED:
        return reservation_transition(reference=reference, to=ReservationState.REFUNDED,
                                      reason=reason)
    return reservation


@transaction.atomic
def credits_adjust(*, user_id: int, amount: int, reason: str, actor_id: int) -> LedgerEntry:
    """A staff correction of the paid bucket; positive amounts settle debt first."""
    reason = reason.strip()
    if not reason:
        raise DomainError("billing.reason_required", "Adjustments need a reason.",
                          fields={"reason": ["Required."]})
    if amount == 0:
        raise DomainError("billing.invalid_amount", "The amount can't be zero.",
                          fields={"amount": ["Must not be 0."]})
    if not get_user_model().objects.filter(pk=user_id).exists():
        raise NotFoundError("billing.user_not_found", "No such user.")
    account = _account_lock(user_id)
    if amount > 0:
        paid, debt = _paid_credit_split(account, amount)
    else:
        if account.paid < -amount:
            raise DomainError("billing.adjustment_exceeds_balance",
                              f"The account has only {account.paid} paid credits.",
                              fields={"amount": [f"At least -{account.paid}."]})
        paid, debt = amount, 0
    return _post(account, kind=LedgerKind.ADJUSTMENT, amount=abs(amount), paid=paid, debt=debt,
                 reason=reason, actor_id=actor_id)


# --- purchases (driven by Stripe webhooks, in any order) -----------------------------------

def _purchase_lock(payment_key: str) -> Purchase:
    Purchase.objects.get_or_create(payment_key=payment_key)
    return Purchase.objects.select_for_update().get(payment_key=payment_key)


def _clawback_target(purchase: Purchase) -> int:
    """Credits that should be taken back, proportional to the money refunded or disputed."""
    disputed = sum(d.amount_cents for d in purchase.disputes.all()
                   if d.status != DisputeStatus.WON)
    returned = purchase.refunded_cents + disputed
    if returned <= 0:
        return 0
    if purchase.amount_cents <= 0:
        return purchase.credits
    return min(purchase.credits, math.ceil(purchase.credits * returned / purchase.amount_cents))


def _purchase_settle(purchase: Purchase, *, kind: LedgerKind, reason: str) -> None:
    """Bring the credits clawed back for a paid purchase in line with its refunds/disputes.
    More than the balance holds becomes debt; a dispute won gives credits back."""
    if purchase.state != PurchaseState.PAID or purchase.account_id is None:
        return
    delta = _clawback_target(purchase) - purchase.clawed_credits
    if delta == 0:
        return
    account = _account_lock_existing(purchase.account_id)
    if delta > 0:
        from_paid = min(account.paid, delta)
        _post(account, kind=kind, amount=delta, paid=-from_paid, debt=delta - from_paid,
              reason=reason, reference=purchase.payment_key)
    else:
        paid, debt = _paid_credit_split(account, -delta)
        _post(account, kind=kind, amount=-delta, paid=paid, debt=debt, reason=reason,
              reference=purchase.payment_key)
    purchase.clawed_credits += delta
    purchase.save(update_fields=["clawed_credits", "updated_at"])


def _checkout_problem(*, pack: CreditPack | None, amount_cents: int, currency: str,
                      user_exists: bool) -> str:
    if pack is None:
        return "unknown pack"
    if amount_cents != pack.price_cents or currency != pack.currency:
        return (f"paid {amount_cents} {currency}, pack costs {pack.price_cents} "
                f"{pack.currency}")
    return "" if user_exists else "unknown user"


@transaction.atomic
def purchase_checkout_paid(*, payment_key: str, session_id: str, user_id: int | None,
                           pack_id: str, amount_cents: int, currency: str,
                           paid: bool) -> Purchase:
    """A Checkout Session completed (paid now, or later for async methods): grant the pack's
    credits once, after checking what was paid; then apply any refund that came first."""
    purchase = _purchase_lock(payment_key)
    if purchase.state != PurchaseState.PENDING:
        return purchase
    pack = pack_get(pack_id)
    user_exists = user_id is not None and get_user_model().objects.filter(pk=user_id).exists()
    purchase.checkout_session = session_id
    purchase.pack_id = pack_id[:64]
    purchase.amount_cents = amount_cents
    purchase.currency = currency[:8]
    problem = _checkout_problem(pack=pack, amount_cents=amount_cents, currency=currency,
                                user_exists=user_exists)
    checkout = ["checkout_session", "pack_id", "amount_cents", "currency", "note"]
    if problem:
        purchase.note = problem[:300]
        PURCHASE.move(purchase, PurchaseState.REJECTED, actor_id=None, reason=problem,
                      also=checkout)
        return purchase
    if not paid:
        purchase.save()
        return purchase
    if pack is None or user_id is None:  # _checkout_problem refused both already
        raise RuntimeError("a checkout without a pack or user passed the checks")
    account = _account_lock(user_id)
    purchase.account = account
    purchase.credits = pack.credits
    purchase.note = ""
    PURCHASE.move(purchase, PurchaseState.PAID, actor_id=None, reason=f"pack:{pack.id}",
                  also=[*checkout, "account", "credits"])
    credit, debt = _paid_credit_split(account, pack.credits)
    if settings.CREDITS_PAID_EXPIRY_DAYS:
        account.paid_expires_at = timezone.now() + timedelta(
            days=settings.CREDITS_PAID_EXPIRY_DAYS)
    _post(account, kind=LedgerKind.PURCHASE, amount=pack.credits, paid=credit, debt=debt,
          reason=f"pack:{pack.id}", reference=payment_key)
    _purchase_settle(purchase, kind=LedgerKind.REFUND, reason="refund_before_purchase")
    return purchase


@transaction.atomic
def purchase_refund_record(*, payment_key: str, refunded_cents: int) -> Purchase:
    """Stripe's cumulative refunded amount for a payment; older or repeated events can't
    lower it, so any order ends the same."""
    purchase = _purchase_lock(payment_key)
    if refunded_cents > purchase.refunded_cents:
        purchase.refunded_cents = refunded_cents
        purchase.save(update_fields=["refunded_cents", "updated_at"])
    _purchase_settle(purchase, kind=LedgerKind.REFUND, reason="stripe_refund")
    return purchase


@transaction.atomic
def purchase_dispute_record(*, payment_key: str, dispute_id: str, amount_cents: int,
                            status: DisputeStatus) -> Purchase:
    """A dispute opened or closed; an earlier status arriving late never undoes a later one."""
    purchase = _purchase_lock(payment_key)
    Dispute.objects.get_or_create(id=dispute_id, defaults={"purchase": purchase,
                                                           "amount_cents": amount_cents})
    dispute = Dispute.objects.select_for_update().get(id=dispute_id)
    # Stripe's events arrive in any order: an earlier status arriving late (or the same one
    # again) is not a move, and never undoes a later one.
    if DISPUTE.allows(dispute.status, status):
        DISPUTE.move(dispute, status, actor_id=None, reason="stripe_dispute_update")
    reason = "dispute_won" if dispute.status == DisputeStatus.WON else "stripe_dispute"
    _purchase_settle(purchase, kind=LedgerKind.DISPUTE, reason=reason)
    return purchase

"""What other apps may use of billing: plain values, keyword arguments, stable error codes.

Generation's use, all callable inside its own transaction (they nest as savepoints):

    account_lock(user_id=...)   # video_create counts active jobs under it, then reserves

    cost = credits_quote(model=..., seconds=..., resolution=..., shots=...)
    credits_reserve(user_id=..., amount=cost, reference=f"job:{job.pk}", reason="video")
        # DomainError 402 billing.insufficient_credits / billing.account_in_debt;
        # 409 billing.reference_conflict if the reference holds another amount or user
    credits_capture(reference=...)                    # success
    credits_release(reference=..., reason="failed")   # failure, cancel, block, revoked consent
    credits_refund(reference=..., reason="consent_revoked")  # after capture (release if held)

Each is idempotent by reference: a second call, or a capture after a release (or the
reverse), changes nothing and returns the reservation's current state.
"""

from dataclasses import dataclass

from django.db import transaction

from . import pricing, services


@dataclass(frozen=True)
class Balance:
    free: int
    paid: int
    held: int
    debt: int
    total: int


def credits_quote(*, model: str, seconds: float, resolution: str, shots: int = 1) -> int:
    """Credits a generation costs (400 billing.unpriceable for what we don't sell)."""
    return pricing.price_credits(model=model, seconds=seconds, resolution=resolution,
                                 shots=shots).credits


def credits_reserve(*, user_id: int, amount: int, reference: str, reason: str) -> int:
    """Hold `amount` credits (free ones first) for the job named by `reference`; returns the
    reservation id (the same id again for a repeated call)."""
    return services.credits_reserve(user_id=user_id, amount=amount, reference=reference,
                                    reason=reason).pk


def credits_capture(*, reference: str) -> str:
    return services.credits_capture(reference=reference).state


def credits_release(*, reference: str, reason: str) -> str:
    return services.credits_release(reference=reference, reason=reason).state


def credits_refund(*, reference: str, reason: str) -> str:
    return services.credits_refund(reference=reference, reason=reason).state


def account_lock(*, user_id: int) -> None:
    """Lock the user's balance row until the caller's transaction ends. A write that must see
    a stable count of the user's own rows (the active-jobs limit) takes it first, so parallel
    requests of one user run one after another, as their credit reservations do anyway."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("account_lock needs the caller's transaction")
    services.account_touch(user_id=user_id)


def credits_balance(*, user_id: int) -> Balance:
    account = services.account_touch(user_id=user_id)
    return Balance(free=account.free, paid=account.paid, held=account.held, debt=account.debt,
                   total=account.total)


__all__ = ["Balance", "account_lock", "credits_balance", "credits_capture", "credits_quote",
           "credits_refund", "credits_release", "credits_reserve"]

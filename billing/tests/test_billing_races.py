"""Races on real Postgres: parallel threads, each with its own database connection."""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from billing_stripe_fakes import charge, checkout_session, event
from django.db import connection, connections
from django.db.models import Sum

from billing import facade, services
from billing.models import Account, LedgerEntry
from core.errors import DomainError

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="row locks and real concurrency need Postgres (DATABASE_URL)"),
]


def in_parallel(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run work(i) in `count` threads released together; each thread has its own connection."""
    barrier = threading.Barrier(count)

    def run(i: int) -> Any:
        try:
            barrier.wait()
            return work(i)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def assert_books_balance(user_id: int) -> Account:
    account = Account.objects.get(user_id=user_id)
    sums = LedgerEntry.objects.filter(account=account).aggregate(
        free=Sum("free_delta"), paid=Sum("paid_delta"), held=Sum("held_delta"),
        debt=Sum("debt_delta"))
    assert sums == {"free": account.free, "paid": account.paid, "held": account.held,
                    "debt": account.debt}
    return account


def test_parallel_reserves_never_overspend(user_factory):
    user, admin = user_factory(), user_factory(is_staff=True)
    services.credits_adjust(user_id=user.pk, amount=900, reason="race", actor_id=admin.pk)
    available = facade.credits_balance(user_id=user.pk).total  # 100 free + 900 paid

    def reserve(i: int) -> int:
        won = 0
        for attempt in range(3):
            try:
                facade.credits_reserve(user_id=user.pk, amount=70,
                                       reference=f"race:{i}:{attempt}", reason="video")
                won += 70
            except DomainError as exc:
                assert exc.code == "billing.insufficient_credits"
        return won

    reserved = sum(in_parallel(24, reserve))
    assert reserved <= available
    assert reserved == available // 70 * 70  # and nobody was refused while credits remained
    account = assert_books_balance(user.pk)
    assert account.held == reserved
    assert account.free + account.paid == available - reserved


def test_parallel_capture_and_release_settle_once(user_factory):
    user = user_factory()
    facade.credits_reserve(user_id=user.pk, amount=60, reference="job:1", reason="video")

    def settle(i: int) -> str:
        if i % 2:
            return facade.credits_capture(reference="job:1")
        return facade.credits_release(reference="job:1", reason="failed")

    outcomes = set(in_parallel(16, settle))
    assert len(outcomes) == 1
    closing = LedgerEntry.objects.filter(reference="job:1", kind__in=["capture", "release"])
    assert closing.count() == 1
    assert assert_books_balance(user.pk).held == 0


def test_first_touch_from_many_requests_creates_one_account(user_factory):
    user = user_factory()
    totals = in_parallel(12, lambda i: facade.credits_balance(user_id=user.pk).free)
    assert set(totals) == {100}
    assert LedgerEntry.objects.filter(account__user=user, kind="daily_grant").count() == 1


def test_parallel_webhook_deliveries_grant_once(user_factory, deliver):
    user = user_factory()
    completed = event("checkout.session.completed", checkout_session(user_id=user.pk))
    refunded = event("charge.refunded", charge(amount_refunded=250))
    responses = in_parallel(12, lambda i: deliver(completed if i % 3 else refunded))
    assert {r.status_code for r in responses} == {200}
    account = assert_books_balance(user.pk)
    assert (account.paid, account.debt) == (500 - 251, 0)
    assert LedgerEntry.objects.filter(kind="purchase").count() == 1

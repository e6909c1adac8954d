"""Ledger and reservations through the facade generation uses, and the services behind it."""

import pytest
from django.db import transaction
from django.db.models import Sum

from billing import facade, services
from billing.models import Account, LedgerEntry, LedgerKind, Reservation
from core.errors import DomainError
from events.models import Notification

pytestmark = pytest.mark.django_db


def assert_ledger_matches(user_id: int) -> Account:
    account = Account.objects.get(user_id=user_id)
    sums = LedgerEntry.objects.filter(account=account).aggregate(
        free=Sum("free_delta"), paid=Sum("paid_delta"), held=Sum("held_delta"),
        debt=Sum("debt_delta"))
    assert {k: v or 0 for k, v in sums.items()} == {
        "free": account.free, "paid": account.paid, "held": account.held, "debt": account.debt}
    return account


def give_paid(user_id: int, amount: int, admin_id: int) -> None:
    services.credits_adjust(user_id=user_id, amount=amount, reason="test top-up",
                            actor_id=admin_id)


@pytest.fixture
def user(user_factory):
    return user_factory()


@pytest.fixture
def admin(user_factory):
    return user_factory(is_staff=True)


def test_first_touch_grants_the_daily_allowance_once_per_day(user, clock):
    assert facade.credits_balance(user_id=user.pk).free == 100
    facade.credits_balance(user_id=user.pk)
    assert LedgerEntry.objects.filter(kind=LedgerKind.DAILY_GRANT).count() == 1
    facade.credits_reserve(user_id=user.pk, amount=30, reference="job:1", reason="video")
    facade.credits_capture(reference="job:1")
    clock.advance(days=1)
    balance = facade.credits_balance(user_id=user.pk)
    assert balance.free == 100  # topped up to the allowance, never accumulated
    grants = LedgerEntry.objects.filter(kind=LedgerKind.DAILY_GRANT).order_by("id")
    assert [g.amount for g in grants] == [100, 30]
    assert_ledger_matches(user.pk)


def test_free_allowance_resets_at_the_configured_hour(user, clock, settings):
    settings.CREDITS_FREE_RESET_HOUR_UTC = 6
    clock.now = clock.now.replace(hour=7)
    facade.credits_reserve(user_id=user.pk, amount=100, reference="job:1", reason="video")
    facade.credits_capture(reference="job:1")
    clock.advance(hours=22)  # 05:00 next day: still the same grant day
    assert facade.credits_balance(user_id=user.pk).free == 0
    clock.advance(hours=1)
    assert facade.credits_balance(user_id=user.pk).free == 100


def test_reserve_spends_free_first_and_release_returns_each_bucket(user, admin):
    give_paid(user.pk, 50, admin.pk)
    reservation_id = facade.credits_reserve(user_id=user.pk, amount=120, reference="job:1",
                                            reason="video")
    reservation = Reservation.objects.get(pk=reservation_id)
    assert (reservation.free_part, reservation.paid_part) == (100, 20)
    balance = facade.credits_balance(user_id=user.pk)
    assert (balance.free, balance.paid, balance.held) == (0, 30, 120)
    assert facade.credits_release(reference="job:1", reason="failed") == "released"
    balance = facade.credits_balance(user_id=user.pk)
    assert (balance.free, balance.paid, balance.held) == (100, 50, 0)
    assert_ledger_matches(user.pk)


def test_each_outcome_happens_once_whatever_runs_twice(user):
    first = facade.credits_reserve(user_id=user.pk, amount=40, reference="job:7", reason="v")
    again = facade.credits_reserve(user_id=user.pk, amount=40, reference="job:7", reason="v")
    assert first == again
    assert facade.credits_capture(reference="job:7") == "captured"
    assert facade.credits_capture(reference="job:7") == "captured"
    assert facade.credits_release(reference="job:7", reason="failed") == "captured"
    facade.credits_reserve(user_id=user.pk, amount=10, reference="job:8", reason="v")
    assert facade.credits_release(reference="job:8", reason="cancelled") == "released"
    assert facade.credits_capture(reference="job:8") == "released"
    assert facade.credits_release(reference="job:8", reason="cancelled") == "released"
    kinds = list(LedgerEntry.objects.exclude(kind=LedgerKind.DAILY_GRANT)
                 .values_list("kind", "reference").order_by("id"))
    assert kinds == [("reserve", "job:7"), ("capture", "job:7"), ("reserve", "job:8"),
                     ("release", "job:8")]
    assert facade.credits_balance(user_id=user.pk).free == 60
    assert_ledger_matches(user.pk)


def test_refund_of_a_captured_job_returns_credits_once(user, admin):
    give_paid(user.pk, 100, admin.pk)
    facade.credits_reserve(user_id=user.pk, amount=150, reference="job:1", reason="video")
    facade.credits_capture(reference="job:1")
    assert facade.credits_refund(reference="job:1", reason="consent_revoked") == "refunded"
    assert facade.credits_refund(reference="job:1", reason="consent_revoked") == "refunded"
    balance = facade.credits_balance(user_id=user.pk)
    assert (balance.free, balance.paid, balance.held) == (100, 100, 0)
    facade.credits_reserve(user_id=user.pk, amount=5, reference="job:2", reason="video")
    assert facade.credits_refund(reference="job:2", reason="consent_revoked") == "released"
    assert_ledger_matches(user.pk)


def test_free_credits_returned_on_a_later_day_never_exceed_the_allowance(user, clock):
    facade.credits_reserve(user_id=user.pk, amount=60, reference="job:1", reason="video")
    clock.advance(days=1)
    assert facade.credits_balance(user_id=user.pk).free == 100
    facade.credits_release(reference="job:1", reason="failed")
    account = assert_ledger_matches(user.pk)
    assert (account.free, account.held) == (100, 0)


def test_refusals_have_stable_codes(user, admin):
    with pytest.raises(DomainError) as exc:
        facade.credits_reserve(user_id=user.pk, amount=101, reference="job:1", reason="v")
    assert (exc.value.code, exc.value.status_code) == ("billing.insufficient_credits", 402)
    with pytest.raises(DomainError) as exc:
        facade.credits_reserve(user_id=user.pk, amount=0, reference="job:1", reason="v")
    assert exc.value.code == "billing.invalid_amount"
    facade.credits_reserve(user_id=user.pk, amount=10, reference="job:1", reason="v")
    with pytest.raises(DomainError) as exc:
        facade.credits_reserve(user_id=user.pk, amount=11, reference="job:1", reason="v")
    assert (exc.value.code, exc.value.status_code) == ("billing.reference_conflict", 409)
    with pytest.raises(DomainError) as exc:
        facade.credits_capture(reference="job:404")
    assert (exc.value.code, exc.value.status_code) == ("billing.reservation_not_found", 404)
    with pytest.raises(DomainError) as exc:
        services.credits_adjust(user_id=user.pk, amount=-5, reason="oops", actor_id=admin.pk)
    assert exc.value.code == "billing.adjustment_exceeds_balance"
    assert_ledger_matches(user.pk)


def test_works_inside_the_callers_transaction(user):
    with transaction.atomic():
        facade.credits_reserve(user_id=user.pk, amount=30, reference="job:1", reason="v")
        with pytest.raises(DomainError):  # a refusal leaves the caller's transaction usable
            facade.credits_reserve(user_id=user.pk, amount=500, reference="job:2", reason="v")
        assert facade.credits_balance(user_id=user.pk).total == 70
    with pytest.raises(RuntimeError), transaction.atomic():
        facade.credits_reserve(user_id=user.pk, amount=30, reference="job:3", reason="v")
        raise RuntimeError("the caller's job creation failed")
    assert not Reservation.objects.filter(reference="job:3").exists()
    assert facade.credits_balance(user_id=user.pk).total == 70


def test_every_change_publishes_the_balance(user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        facade.credits_reserve(user_id=user.pk, amount=30, reference="job:1", reason="v")
    payloads = list(Notification.objects.filter(user=user, type="billing.credits_changed")
                    .order_by("id").values_list("payload", flat=True))
    assert payloads == [{"free": 100, "paid": 0, "debt": 0, "total": 100},
                        {"free": 70, "paid": 0, "debt": 0, "total": 70}]


def test_paid_credits_expire_when_configured(user, admin, clock, settings):
    settings.CREDITS_PAID_EXPIRY_DAYS = 30
    user.refresh_from_db()
    services.purchase_checkout_paid(payment_key="pi_x", session_id="cs_x", user_id=user.pk,
                                    pack_id="starter", amount_cents=499, currency="usd",
                                    paid=True)
    assert facade.credits_balance(user_id=user.pk).paid == 500
    clock.advance(days=31)
    assert facade.credits_balance(user_id=user.pk).paid == 0
    assert LedgerEntry.objects.filter(kind=LedgerKind.EXPIRY, amount=500).count() == 1
    assert_ledger_matches(user.pk)

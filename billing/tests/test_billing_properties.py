"""Property test: random sequences of grants, jobs, purchases, refunds and disputes keep the
ledger equal to the balance, never negative, and settle every reservation exactly once."""

import pytest
from billing_stripe_fakes import charge, checkout_session, dispute, event
from django.db.models import Sum
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    rule,
    run_state_machine_as_test,
)

from billing import facade, services, webhooks
from billing.models import Account, LedgerEntry, Reservation
from core.errors import DomainError
from tests.factories import UserFactory


class CreditsMachine(RuleBasedStateMachine):
    clock = None  # set by the test: the patched Django clock

    reservations = Bundle("reservations")
    purchases = Bundle("purchases")

    def __init__(self) -> None:
        super().__init__()
        self.user = UserFactory()
        self.admin = UserFactory(is_staff=True)
        self.counter = 0

    def _name(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}:{self.user.pk}:{self.counter}"

    @rule(hours=st.integers(1, 30))
    def time_passes_and_daily_grant(self, hours: int) -> None:
        self.clock.advance(hours=hours)
        facade.credits_balance(user_id=self.user.pk)

    @rule(target=reservations, amount=st.integers(1, 400))
    def reserve(self, amount: int) -> str:
        reference = self._name("job")
        try:
            facade.credits_reserve(user_id=self.user.pk, amount=amount, reference=reference,
                                   reason="video")
        except DomainError as exc:
            assert exc.code in {"billing.insufficient_credits", "billing.account_in_debt"}
        return reference

    @rule(reference=reservations, twice=st.booleans())
    def capture(self, reference: str, twice: bool) -> None:
        for _ in range(2 if twice else 1):
            try:
                facade.credits_capture(reference=reference)
            except DomainError as exc:
                assert exc.code == "billing.reservation_not_found"

    @rule(reference=reservations, reason=st.sampled_from(["failed", "cancelled", "blocked"]))
    def release(self, reference: str, reason: str) -> None:
        try:
            facade.credits_release(reference=reference, reason=reason)
        except DomainError as exc:
            assert exc.code == "billing.reservation_not_found"

    @rule(reference=reservations)
    def refund_job(self, reference: str) -> None:
        try:
            facade.credits_refund(reference=reference, reason="consent_revoked")
        except DomainError as exc:
            assert exc.code == "billing.reservation_not_found"

    @rule(target=purchases, pack=st.sampled_from([("starter", 499), ("creator", 999)]))
    def purchase(self, pack: tuple[str, int]) -> tuple[str, int]:
        intent = self._name("pi")
        webhooks.stripe_event_process(event=event("checkout.session.completed", checkout_session(
            user_id=self.user.pk, pack=pack[0], amount_total=pack[1], payment_intent=intent)))
        return intent, pack[1]

    @rule(purchase=purchases, fraction=st.sampled_from([0.1, 0.5, 1.0]))
    def stripe_refund(self, purchase: tuple[str, int], fraction: float) -> None:
        intent, price = purchase
        webhooks.stripe_event_process(event=event("charge.refunded", charge(
            payment_intent=intent, amount=price, amount_refunded=int(price * fraction))))

    @rule(purchase=consumes(purchases),
          outcome=st.sampled_from([None, "won", "lost"]))
    def stripe_dispute(self, purchase: tuple[str, int], outcome: str | None) -> None:
        intent, price = purchase
        obj = dispute(payment_intent=intent, dispute_id=f"dp_{intent}", amount=price)
        webhooks.stripe_event_process(event=event("charge.dispute.created", obj))
        if outcome:
            webhooks.stripe_event_process(event=event("charge.dispute.closed",
                                                      {**obj, "status": outcome}))

    @rule(amount=st.integers(1, 300))
    def staff_grant(self, amount: int) -> None:
        services.credits_adjust(user_id=self.user.pk, amount=amount, reason="goodwill",
                                actor_id=self.admin.pk)

    @invariant()
    def ledger_equals_balance(self) -> None:
        account = Account.objects.filter(user_id=self.user.pk).first()
        if account is None:
            return
        sums = LedgerEntry.objects.filter(account=account).aggregate(
            free=Sum("free_delta", default=0), paid=Sum("paid_delta", default=0),
            held=Sum("held_delta", default=0), debt=Sum("debt_delta", default=0))
        assert sums == {"free": account.free, "paid": account.paid, "held": account.held,
                        "debt": account.debt}
        assert min(account.free, account.paid, account.held, account.debt) >= 0
        held = Reservation.objects.filter(account=account, state="held").aggregate(
            total=Sum("amount", default=0))["total"]
        assert held == account.held

    def teardown(self) -> None:
        for reference in Reservation.objects.filter(
                account__user_id=self.user.pk, state="held").values_list("reference", flat=True):
            facade.credits_release(reference=reference, reason="shutdown")
        self.ledger_equals_balance()
        for reference in Reservation.objects.filter(
                account__user_id=self.user.pk).values_list("reference", flat=True):
            kinds = list(LedgerEntry.objects.filter(reference=reference)
                         .values_list("kind", flat=True))
            assert kinds.count("reserve") == 1
            assert kinds.count("capture") + kinds.count("release") == 1, kinds
            assert kinds.count("refund") <= kinds.count("capture")


@pytest.mark.django_db
def test_random_credit_histories_keep_the_books(clock):
    CreditsMachine.clock = clock
    run_state_machine_as_test(CreditsMachine, settings=settings(
        max_examples=60, stateful_step_count=30, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]))

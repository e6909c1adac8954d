"""Reservations, purchases and disputes move only as their tables allow, and each move is
recorded with who made it and why."""

import pytest
from billing_stripe_fakes import checkout_session, dispute, event

from billing import facade, services
from billing.models import LedgerEntry, Purchase, Reservation
from core.errors import ConflictError
from core.models import StateChange

pytestmark = pytest.mark.django_db


@pytest.fixture
def user(user_factory):
    return user_factory()


def test_an_illegal_reservation_move_raises_and_moves_no_credits(user):
    facade.credits_reserve(user_id=user.pk, amount=3, reference="job:1", reason="video")
    facade.credits_capture(reference="job:1")
    before = facade.credits_balance(user_id=user.pk)
    with pytest.raises(ConflictError) as refused:
        services.reservation_transition(reference="job:1", to="released", reason="failed")
    assert refused.value.code == "billing.invalid_transition"
    assert refused.value.status_code == 409
    assert Reservation.objects.get(reference="job:1").state == "captured"
    assert facade.credits_balance(user_id=user.pk) == before
    assert list(LedgerEntry.objects.filter(reference="job:1").values_list("kind", flat=True)
                .order_by("id")) == ["reserve", "capture"]


def test_a_reservation_move_is_recorded_in_the_ledger_with_actor_and_reason(user, user_factory):
    staff = user_factory(is_staff=True)
    facade.credits_reserve(user_id=user.pk, amount=2, reference="job:2", reason="video")
    services.reservation_transition(reference="job:2", to="released", reason="cancelled",
                                    actor_id=staff.pk)
    entry = LedgerEntry.objects.filter(reference="job:2").latest("id")
    assert (entry.kind, entry.reason, entry.actor_id) == ("release", "cancelled", staff.pk)
    assert Reservation.objects.get(reference="job:2").close_reason == "cancelled"


def test_a_paid_purchase_cannot_be_rejected_and_its_grant_is_audited(deliver, user):
    deliver(event("checkout.session.completed", checkout_session(user_id=user.pk)))
    purchase = Purchase.objects.get()
    with pytest.raises(ConflictError) as refused:
        services.PURCHASE.move(purchase, "rejected", actor_id=None, reason="test")
    assert refused.value.code == "billing.purchase_state"
    purchase.refresh_from_db()
    assert purchase.state == "paid"
    moves = StateChange.objects.filter(lifecycle="billing.purchase",
                                       object_id=str(purchase.pk))
    assert [(m.from_state, m.to_state, m.actor_id) for m in moves] == [("pending", "paid", None)]
    assert moves[0].reason.startswith("pack:")


def test_a_closed_dispute_cannot_reopen_and_each_close_is_recorded_once(deliver, user):
    deliver(event("checkout.session.completed", checkout_session(user_id=user.pk)))
    deliver(event("charge.dispute.created", dispute()))
    deliver(event("charge.dispute.closed", dispute(status="lost")))
    deliver(event("charge.dispute.closed", dispute(status="won")))  # late and contradictory
    row = Purchase.objects.get().disputes.get()
    assert row.status == "lost"
    moves = StateChange.objects.filter(lifecycle="billing.dispute", object_id=row.pk)
    assert [(m.from_state, m.to_state) for m in moves] == [("open", "lost")]
    with pytest.raises(ConflictError) as refused:
        services.DISPUTE.move(row, "open", actor_id=None, reason="test")
    assert refused.value.code == "billing.invalid_transition"

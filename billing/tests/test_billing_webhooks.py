"""Stripe webhooks through the real signature check: grants, refunds, disputes, any order."""

import json
import time

import pytest
from billing_stripe_fakes import charge, checkout_session, dispute, event, signature_header
from django.core.management import CommandError, call_command
from django.db.models import Sum

from billing import facade
from billing.models import Account, LedgerEntry, Purchase, StripeEvent
from core.errors import DomainError

pytestmark = pytest.mark.django_db


@pytest.fixture
def user(user_factory):
    return user_factory()


def paid_of(user) -> tuple[int, int]:
    balance = facade.credits_balance(user_id=user.pk)
    account = Account.objects.get(user_id=user.pk)
    sums = LedgerEntry.objects.filter(account=account).aggregate(p=Sum("paid_delta"),
                                                                 d=Sum("debt_delta"))
    assert ((sums["p"] or 0), (sums["d"] or 0)) == (account.paid, account.debt)
    return balance.paid, balance.debt


def test_signature_problems_are_400_with_codes(deliver, user):
    body = event("checkout.session.completed", checkout_session(user_id=user.pk))
    unsigned = deliver(body, header="")
    assert unsigned.status_code == 400
    assert unsigned.json()["error"]["code"] == "billing.webhook_unsigned"
    forged = deliver(body, secret="whsec_attacker")
    assert forged.status_code == 400
    assert forged.json()["error"]["code"] == "billing.webhook_bad_signature"
    stale = deliver(body, t=int(time.time()) - 3600)
    assert stale.status_code == 400
    assert stale.json()["error"]["code"] == "billing.webhook_stale"
    garbage = deliver(body, raw="{not json")
    assert garbage.status_code == 400
    assert garbage.json()["error"]["code"] == "billing.webhook_malformed"
    signed_original = signature_header(json.dumps(body))
    tampered = deliver(body, header=signed_original, raw=json.dumps(body).replace("499", "1"))
    assert tampered.status_code == 400
    assert tampered.json()["error"]["code"] == "billing.webhook_bad_signature"
    assert not StripeEvent.objects.exists()
    assert paid_of(user) == (0, 0)


@pytest.mark.parametrize("raw", ["[1]", '"evt"', '{"id": "evt_nan", "type": "x", "v": NaN}',
                                 '{"id": 5, "type": "x"}', '{"id": "evt_t", "type": {"a": 1}}',
                                 '{"id": "evt_d", "type": "charge.refunded", "data": []}'])
def test_a_signed_body_that_is_not_an_event_is_a_400_and_stores_nothing(deliver, raw):
    # Only the secret's holder can sign these, yet a 500 would have Stripe retry for days.
    response = deliver({}, raw=raw)
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "billing.webhook_malformed"
    assert not StripeEvent.objects.exists()


def test_webhook_without_secret_is_unavailable(deliver, user, settings):
    settings.STRIPE_WEBHOOK_SECRET = ""
    response = deliver(event("checkout.session.completed", checkout_session(user_id=user.pk)))
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "billing.payments_unavailable"


def test_completed_checkout_grants_once(deliver, user):
    body = event("checkout.session.completed", checkout_session(user_id=user.pk))
    first = deliver(body)
    assert first.status_code == 200
    assert first.json() == {"received": True, "status": "processed", "duplicate": False}
    assert deliver(body).json()["duplicate"] is True
    assert paid_of(user) == (500, 0)
    record = StripeEvent.objects.get(id=body["id"])
    assert (record.status, record.attempts) == ("processed", 1)
    # The same payment announced by a different event id (Stripe resends can) is still once.
    deliver(event("checkout.session.completed", checkout_session(user_id=user.pk)))
    assert paid_of(user) == (500, 0)


@pytest.mark.parametrize("session", [
    {"amount_total": 100}, {"currency": "eur"}, {"pack": "bogus"}, {"user_id": 987654},
])
def test_checkout_that_does_not_match_the_pack_grants_nothing(deliver, user, session):
    kwargs = {"user_id": user.pk, **session}
    response = deliver(event("checkout.session.completed", checkout_session(**kwargs)))
    assert response.status_code == 200
    assert Purchase.objects.get().state == "rejected"
    assert paid_of(user) == (0, 0)


@pytest.mark.parametrize("order", ["completed_first", "succeeded_first"])
def test_async_payment_grants_once_in_any_order(deliver, user, order):
    unpaid = event("checkout.session.completed",
                   checkout_session(user_id=user.pk, payment_status="unpaid"))
    succeeded = event("checkout.session.async_payment_succeeded",
                      checkout_session(user_id=user.pk))
    for body in ([unpaid, succeeded] if order == "completed_first" else [succeeded, unpaid]):
        assert deliver(body).status_code == 200
        if body is unpaid and order == "completed_first":
            assert paid_of(user) == (0, 0)
    assert paid_of(user) == (500, 0)


def test_refunds_claw_back_proportionally_and_never_twice(deliver, user):
    deliver(event("checkout.session.completed", checkout_session(user_id=user.pk)))
    deliver(event("charge.refunded", charge(amount_refunded=100)))  # 100/499 of 500 credits
    assert paid_of(user) == (500 - 101, 0)
    full = event("charge.refunded", charge(amount_refunded=499))
    deliver(full)
    deliver(full)
    deliver(event("charge.refunded", charge(amount_refunded=100)))  # a late, older event
    assert paid_of(user) == (0, 0)
    assert Purchase.objects.get().clawed_credits == 500


def test_refund_before_the_purchase_lands_ends_correct(deliver, user):
    deliver(event("charge.refunded", charge(amount_refunded=499)))
    assert Purchase.objects.get().state == "pending"
    deliver(event("checkout.session.completed", checkout_session(user_id=user.pk)))
    assert paid_of(user) == (0, 0)
    kinds = list(LedgerEntry.objects.filter(account__user=user).exclude(kind="daily_grant")
                 .values_list("kind", "amount").order_by("id"))
    assert kinds == [("purchase", 500), ("refund", 500)]


def test_clawback_beyond_the_balance_becomes_debt_paid_by_the_next_purchase(deliver, user):
    deliver(event("checkout.session.completed", checkout_session(user_id=user.pk)))
    facade.credits_reserve(user_id=user.pk, amount=400, reference="job:1", reason="video")
    facade.credits_capture(reference="job:1")  # 100 free + 300 paid spent
    deliver(event("charge.refunded", charge(amount_refunded=499)))
    assert paid_of(user) == (0, 300)
    with pytest.raises(DomainError) as exc:
        facade.credits_reserve(user_id=user.pk, amount=1, reference="job:2", reason="video")
    assert (exc.value.code, exc.value.status_code) == ("billing.account_in_debt", 402)
    deliver(event("checkout.session.completed",
                  checkout_session(user_id=user.pk, payment_intent="pi_2")))
    assert paid_of(user) == (200, 0)
    facade.credits_reserve(user_id=user.pk, amount=1, reference="job:2", reason="video")


def test_dispute_claws_back_and_a_won_dispute_gives_back(deliver, user):
    deliver(event("checkout.session.completed", checkout_session(user_id=user.pk)))
    deliver(event("charge.dispute.created", dispute()))
    assert paid_of(user) == (0, 0)
    deliver(event("charge.dispute.closed", dispute(status="won")))
    assert paid_of(user) == (500, 0)
    deliver(event("charge.dispute.created", dispute()))  # a late "created" undoes nothing
    assert paid_of(user) == (500, 0)
    kinds = [k for k in LedgerEntry.objects.filter(kind="dispute")
             .values_list("reason", flat=True).order_by("id")]
    assert kinds == ["stripe_dispute", "dispute_won"]


def test_lost_dispute_after_spending_leaves_debt(deliver, user):
    deliver(event("checkout.session.completed", checkout_session(user_id=user.pk)))
    facade.credits_reserve(user_id=user.pk, amount=150, reference="job:1", reason="video")
    facade.credits_capture(reference="job:1")
    deliver(event("charge.dispute.closed", dispute(status="lost")))
    deliver(event("charge.dispute.created", dispute()))
    assert paid_of(user) == (0, 50)


def test_unhandled_and_broken_events(deliver, user):
    ignored = deliver(event("customer.created", {"id": "cus_1", "object": "customer"}))
    assert ignored.json()["status"] == "ignored"
    broken_session = checkout_session(user_id=user.pk)
    del broken_session["id"]
    body = event("checkout.session.completed", broken_session)
    failed = deliver(body)
    assert failed.status_code == 500
    assert failed.json()["error"]["code"] == "billing.webhook_failed"
    deliver(body)
    record = StripeEvent.objects.get(id=body["id"])
    assert (record.status, record.attempts) == ("failed", 2)
    assert "KeyError" in record.last_error


def test_reconcile_applies_missed_events_idempotently(deliver, user, stripe_server, capsys):
    delivered = event("checkout.session.completed", checkout_session(user_id=user.pk))
    deliver(delivered)
    missed = [event("checkout.session.completed",
                    checkout_session(user_id=user.pk, payment_intent="pi_2")),
              event("charge.refunded", charge(payment_intent="pi_2", amount_refunded=499)),
              delivered]
    pages = {None: ([missed[0], missed[1]], True), missed[1]["id"]: ([missed[2]], False)}

    def list_events(method, path, params, headers):
        assert params["created[gte]"] == ["1735689600"]
        assert params["types[0]"] == ["checkout.session.completed"]
        data, has_more = pages[params.get("starting_after", [None])[0]]
        return 200, {"object": "list", "url": "/v1/events", "data": data,
                     "has_more": has_more}

    stripe_server.routes[("GET", "/v1/events")] = list_events
    call_command("reconcile_stripe", "--since", "2025-01-01T00:00:00Z")
    assert "already_applied=1 processed=2 seen=3" in capsys.readouterr().out
    call_command("reconcile_stripe", "--since", "2025-01-01T00:00:00Z")
    assert "already_applied=3 seen=3" in capsys.readouterr().out
    assert paid_of(user) == (500, 0)
    assert len([r for r in stripe_server.requests if r["path"] == "/v1/events"]) == 4


def test_reconcile_needs_stripe(settings):
    settings.STRIPE_SECRET_KEY = ""
    with pytest.raises(CommandError):
        call_command("reconcile_stripe", "--since", "2025-01-01")
    with pytest.raises(CommandError):
        call_command("reconcile_stripe", "--since", "yesterday")

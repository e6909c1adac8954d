"""Credit endpoints through HTTP: balance, ledger, pricing, packs, checkout, adjustments."""

import pytest

from billing.models import LedgerEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def user(user_factory):
    return user_factory()


def adjust(admin, user, *, amounts) -> None:
    """Staff adjustments, oldest first: one ledger entry per amount."""
    for amount in amounts:
        assert admin.post("/api/v1/credits/adjustments",
                          {"user_id": user.pk, "amount": amount, "reason": f"goodwill {amount}"},
                          format="json").status_code == 201


def test_balance_and_ledger(login, user):
    client = login(user)
    response = client.get("/api/v1/credits")
    assert response.status_code == 200
    assert response.data["free"] == 100
    assert {"paid", "held", "debt", "total", "free_daily", "free_resets_at"} <= set(response.data)
    assert [e["kind"] for e in response.data["ledger"]] == ["daily_grant"]
    assert response.data["next"] is None
    ledger = client.get("/api/v1/credits/ledger")
    assert ledger.status_code == 200
    assert [e["kind"] for e in ledger.data["results"]] == ["daily_grant"]


def test_ledger_is_cursor_paginated_and_private(login, user, user_factory, admin_client_for):
    adjust(admin_client_for(role="admin"), user, amounts=range(1, 6))
    client = login(user)
    first = client.get("/api/v1/credits/ledger?page_size=4")
    assert [e["amount"] for e in first.data["results"]] == [5, 4, 3, 2]
    assert first.data["results"][0]["actor"].startswith("@")
    second = client.get(first.data["next"])
    assert [e["kind"] for e in second.data["results"]] == ["adjustment", "daily_grant"]
    other = login(user_factory())
    assert all(e["kind"] == "daily_grant"
               for e in other.get("/api/v1/credits/ledger").data["results"])


def test_anonymous_gets_the_common_error_shape(api):
    response = api.get("/api/v1/credits")
    assert response.status_code == 401
    assert response.data["error"]["code"] == "auth.not_authenticated"


def test_pricing_and_quote(api):
    table = api.get("/api/v1/credits/pricing")
    assert table.status_code == 200
    assert "ltx-2" in table.data["model_rates"]
    quote = api.post("/api/v1/credits/quote", {"model": "ltx-2", "seconds": "10",
                                               "resolution": "720p", "shots": 2}, format="json")
    assert quote.status_code == 200
    assert quote.data["credits"] == 4 * 10 * 1.5 + 2
    bad_model = api.post("/api/v1/credits/quote", {"model": "sora", "seconds": 5,
                                                   "resolution": "720p"}, format="json")
    assert bad_model.status_code == 400
    assert bad_model.data["error"]["code"] == "validation_error"
    too_long = api.post("/api/v1/credits/quote", {"model": "ltx-2", "seconds": 90,
                                                  "resolution": "720p"}, format="json")
    assert too_long.status_code == 400
    assert too_long.data["error"]["code"] == "billing.unpriceable"
    assert "seconds" in too_long.data["error"]["fields"]


def test_packs_are_listed_from_settings(api, settings):
    response = api.get("/api/v1/credits/packs")
    assert response.status_code == 200
    assert response.data["results"][0] == {"id": "starter", "credits": 500,
                                           "price_cents": 499, "currency": "usd"}
    assert len(response.data["results"]) == len(settings.CREDIT_PACKS)


def test_checkout_creates_a_stripe_session(login, user, stripe_server):
    def create_session(method, path, params, headers):
        return 200, {"id": "cs_test_1", "object": "checkout.session",
                     "url": "https://checkout.stripe.com/c/pay/cs_test_1"}

    stripe_server.routes[("POST", "/v1/checkout/sessions")] = create_session
    client = login(user)
    response = client.post("/api/v1/credits/checkout", {"pack": "creator"}, format="json",
                           HTTP_IDEMPOTENCY_KEY="tap-1")
    assert response.status_code == 201, response.content
    assert response.data["url"] == "https://checkout.stripe.com/c/pay/cs_test_1"
    sent = stripe_server.requests[-1]
    params = {k: v[0] for k, v in sent["params"].items()}
    assert params["mode"] == "payment"
    assert params["client_reference_id"] == str(user.pk)
    assert params["metadata[pack]"] == "creator"
    assert params["line_items[0][price_data][unit_amount]"] == "999"
    assert sent["headers"]["Idempotency-Key"] == f"checkout:{user.pk}:creator:tap-1"
    assert sent["headers"]["Authorization"] == "Bearer sk_test_castline"


def test_checkout_refusals(login, user, stripe_server, settings):
    stripe_server.routes[("POST", "/v1/checkout/sessions")] = lambda *a: (
        400, {"error": {"type": "invalid_request_error", "message": "nope"}})
    client = login(user)
    unknown = client.post("/api/v1/credits/checkout", {"pack": "mega"}, format="json")
    assert unknown.status_code == 400
    assert unknown.data["error"]["code"] == "billing.unknown_pack"
    refused = client.post("/api/v1/credits/checkout", {"pack": "starter"}, format="json")
    assert refused.status_code == 502
    assert refused.data["error"]["code"] == "billing.payments_error"
    settings.STRIPE_SECRET_KEY = ""
    off = client.post("/api/v1/credits/checkout", {"pack": "starter"}, format="json")
    assert off.status_code == 503
    assert off.data["error"]["code"] == "billing.payments_unavailable"
    assert client.get("/api/v1/credits").status_code == 200  # everything else still works


@pytest.fixture
def admin_client_for(login, user_factory):
    def _client(**fields):
        return login(user_factory(**fields))
    return _client


@pytest.mark.parametrize("fields", [{"role": "admin"}, {"is_staff": True}])
def test_staff_adjustments_need_a_reason_and_show_in_the_ledger(admin_client_for, user,
                                                                 login, fields):
    admin = admin_client_for(**fields)
    response = admin.post("/api/v1/credits/adjustments",
                          {"user_id": user.pk, "amount": 250, "reason": "support ticket 42"},
                          format="json", HTTP_IDEMPOTENCY_KEY="adj-1")
    assert response.status_code == 201, response.content
    replay = admin.post("/api/v1/credits/adjustments",
                        {"user_id": user.pk, "amount": 250, "reason": "support ticket 42"},
                        format="json", HTTP_IDEMPOTENCY_KEY="adj-1")
    assert replay.status_code == 201
    assert LedgerEntry.objects.filter(kind="adjustment").count() == 1
    assert login(user).get("/api/v1/credits").data["paid"] == 250
    for body, code in [({"user_id": user.pk, "amount": 5}, "billing.reason_required"),
                       ({"user_id": user.pk, "amount": 5, "reason": "  "},
                        "billing.reason_required"),
                       ({"user_id": user.pk, "amount": 0, "reason": "x"},
                        "billing.invalid_amount"),
                       ({"user_id": user.pk, "amount": -1000, "reason": "x"},
                        "billing.adjustment_exceeds_balance"),
                       ({"amount": 5, "reason": "x"}, "validation_error")]:
        refused = admin.post("/api/v1/credits/adjustments", body, format="json")
        assert refused.status_code == 400, body
        assert refused.data["error"]["code"] == code
    missing = admin.post("/api/v1/credits/adjustments",
                         {"user_id": 999999, "amount": 5, "reason": "x"}, format="json")
    assert missing.status_code == 404
    assert missing.data["error"]["code"] == "billing.user_not_found"


@pytest.mark.parametrize("fields", [{}, {"role": "moderator"}])
def test_members_cannot_adjust(admin_client_for, user, fields):
    response = admin_client_for(**fields).post(
        "/api/v1/credits/adjustments", {"user_id": user.pk, "amount": 5, "reason": "x"},
        format="json")
    assert response.status_code == 403
    assert response.data["error"]["code"] == "permission_denied"
    assert not LedgerEntry.objects.filter(kind="adjustment").exists()


def test_balance_carries_the_ledger_with_a_cursor(login, user, admin_client_for):
    adjust(admin_client_for(role="admin"), user, amounts=range(1, 4))
    client = login(user)
    first = client.get("/api/v1/credits?page_size=2").data
    assert first["total"] == 100 + 1 + 2 + 3
    assert [e["amount"] for e in first["ledger"]] == [3, 2]
    second = client.get(first["next"]).data
    assert second["total"] == first["total"]
    assert [e["kind"] for e in second["ledger"]] == ["adjustment", "daily_grant"]
    assert second["next"] is None
    assert client.get("/api/v1/credits?cursor=garbage").status_code == 404

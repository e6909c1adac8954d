import re
from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import User

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register"


def register(api, **overrides):
    body = {"email": "ana@example.com", "password": "a-long-passphrase-1", "handle": "ana",
            "birthdate": "1990-04-01", "device": "iphone"}
    body.update(overrides)
    return api.post(REGISTER, body, format="json")


def test_register_returns_tokens_that_work(api):
    response = register(api)
    assert response.status_code == 201
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {response.data['access']}")
    me = api.get("/api/v1/me")
    assert me.status_code == 200
    assert me.data["handle"] == "ana"
    assert me.data["is_teen"] is False
    assert me.data["email_verified"] is False
    assert "X-Request-ID" in me


def test_register_sends_verification_email_and_token_verifies(
        api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        register(api)
    assert len(mail.outbox) == 1
    token = re.search(r"token: (\S+)", mail.outbox[0].body).group(1)
    response = api.post("/api/v1/auth/email/verify", {"token": token}, format="json")
    assert response.status_code == 200
    assert response.data["email_verified"] is True
    bad = api.post("/api/v1/auth/email/verify", {"token": token + "x"}, format="json")
    assert bad.status_code == 400
    assert bad.data["error"]["code"] == "accounts.invalid_token"


@pytest.mark.parametrize(("overrides", "status", "code"), [
    ({"handle": "Bad Handle!"}, 400, "accounts.invalid_handle"),
    ({"handle": "admin"}, 400, "accounts.handle_reserved"),
    ({"password": "123"}, 400, "accounts.weak_password"),
    ({"email": "not-an-email"}, 400, "validation_error"),
    ({"birthdate": str(date.today() + timedelta(days=3))}, 400, "accounts.invalid_birthdate"),
    ({"birthdate": str(date.today().replace(year=date.today().year - 10))}, 400,
     "accounts.too_young"),
])
def test_register_refusals_have_stable_codes(api, overrides, status, code):
    response = register(api, **overrides)
    assert response.status_code == status
    assert response.data["error"]["code"] == code
    assert User.objects.count() == 0


def test_register_duplicate_handle_case_insensitive_and_email(api):
    assert register(api).status_code == 201
    dup_handle = register(api, email="other@example.com", handle="ANA")
    assert dup_handle.status_code == 409
    assert dup_handle.data["error"]["code"] == "accounts.handle_taken"
    dup_email = register(api, email="ANA@example.com", handle="other")
    assert dup_email.status_code == 409
    assert dup_email.data["error"]["code"] == "accounts.email_taken"


def test_teen_account_is_marked(api):
    teen_birthdate = date.today().replace(year=date.today().year - 15) - timedelta(days=1)
    response = register(api, birthdate=str(teen_birthdate))
    assert response.status_code == 201
    assert response.data["user"]["is_teen"] is True


def test_login_with_handle_or_email_and_wrong_password(api, user_factory):
    user = user_factory(handle="bob", email="bob@example.com")
    for login in ("bob", "@bob", "BOB@example.com"):
        response = api.post("/api/v1/auth/login", {"login": login,
                            "password": "correct-horse-battery-staple"}, format="json")
        assert response.status_code == 200, login
    wrong = api.post("/api/v1/auth/login", {"login": "bob", "password": "nope"}, format="json")
    assert wrong.status_code == 401
    assert wrong.data["error"]["code"] == "auth.invalid_credentials"
    assert user.pk


def test_login_brute_force_locks_out(api, user_factory):
    user_factory(handle="carol", email="carol@example.com")
    for _ in range(5):
        api.post("/api/v1/auth/login", {"login": "carol", "password": "bad"}, format="json")
    locked = api.post("/api/v1/auth/login", {"login": "carol",
                      "password": "correct-horse-battery-staple"}, format="json")
    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "auth.locked_out"


def test_refresh_rotates_and_old_refresh_is_dead(api, user_factory, login):
    client = login(user_factory())
    refresh = client.tokens["refresh"]
    first = api.post("/api/v1/auth/refresh", {"refresh": refresh}, format="json")
    assert first.status_code == 200
    assert first.data["refresh"] != refresh
    replay = api.post("/api/v1/auth/refresh", {"refresh": refresh}, format="json")
    assert replay.status_code == 401
    assert replay.data["error"]["code"] == "auth.invalid_token"


def test_a_refresh_token_rotates_once_even_when_two_refreshes_race(api, user_factory, login,
                                                                   monkeypatch):
    from rest_framework_simplejwt.tokens import RefreshToken

    refresh = login(user_factory()).tokens["refresh"]
    # Two requests at once both pass simplejwt's blacklist check before either blacklists:
    # the check passing for the second request too is that interleaving.
    monkeypatch.setattr(RefreshToken, "check_blacklist", lambda self: None)
    first = api.post("/api/v1/auth/refresh", {"refresh": refresh}, format="json")
    second = api.post("/api/v1/auth/refresh", {"refresh": refresh}, format="json")
    assert first.status_code == 200
    assert second.status_code == 401, "one refresh token gave two new pairs"
    assert second.json()["error"]["code"] == "auth.invalid_token"


def test_logout_revokes_access_and_refresh_of_that_device_only(api, user_factory, login):
    user = user_factory()
    phone, tablet = login(user, "phone"), login(user, "tablet")
    assert phone.post("/api/v1/auth/logout", {"refresh": phone.tokens["refresh"]},
                      format="json").status_code == 204
    dead = phone.get("/api/v1/me")
    assert dead.status_code == 401
    assert dead.data["error"]["code"] == "auth.invalid_token"
    assert api.post("/api/v1/auth/refresh", {"refresh": phone.tokens["refresh"]},
                    format="json").status_code == 401
    assert tablet.get("/api/v1/me").status_code == 200


def test_sessions_list_and_revoke_other_device(user_factory, login):
    user = user_factory()
    phone, tablet = login(user, "phone"), login(user, "tablet")
    sessions = phone.get("/api/v1/auth/sessions").data["results"]
    assert {s["name"] for s in sessions} == {"phone", "tablet"}
    tablet_id = tablet.tokens["session_id"]
    assert phone.delete(f"/api/v1/auth/sessions/{tablet_id}").status_code == 204
    assert tablet.get("/api/v1/me").status_code == 401
    assert phone.delete("/api/v1/auth/sessions/999999").status_code == 404


def test_password_change_logs_out_other_devices(user_factory, login, api):
    user = user_factory()
    phone, tablet = login(user, "phone"), login(user, "tablet")
    wrong = phone.post("/api/v1/auth/password", {"old_password": "nope",
                       "new_password": "brand-new-passphrase"}, format="json")
    assert wrong.data["error"]["code"] == "accounts.wrong_password"
    ok = phone.post("/api/v1/auth/password", {"old_password": "correct-horse-battery-staple",
                    "new_password": "brand-new-passphrase"}, format="json")
    assert ok.status_code == 204
    assert phone.get("/api/v1/me").status_code == 200
    assert tablet.get("/api/v1/me").status_code == 401
    relog = api.post("/api/v1/auth/login", {"login": user.email,
                     "password": "brand-new-passphrase"}, format="json")
    assert relog.status_code == 200


def test_password_reset_flow(api, user_factory):
    user = user_factory(email="dan@example.com")
    assert api.post("/api/v1/auth/password/reset", {"email": "nobody@example.com"},
                    format="json").status_code == 202
    assert len(mail.outbox) == 0
    assert api.post("/api/v1/auth/password/reset", {"email": "dan@example.com"},
                    format="json").status_code == 202
    body = mail.outbox[0].body
    uid = re.search(r"uid: (\S+)", body).group(1)
    token = re.search(r"token: (\S+)", body).group(1)
    bad = api.post("/api/v1/auth/password/reset/confirm",
                   {"uid": uid, "token": "bad-token", "new_password": "another-passphrase"},
                   format="json")
    assert bad.data["error"]["code"] == "accounts.invalid_token"
    ok = api.post("/api/v1/auth/password/reset/confirm",
                  {"uid": uid, "token": token, "new_password": "another-passphrase"},
                  format="json")
    assert ok.status_code == 204
    user.refresh_from_db()
    assert user.check_password("another-passphrase")


def test_expired_access_token_is_refused(user_factory, login, settings):
    from rest_framework_simplejwt.tokens import AccessToken
    client = login(user_factory())
    token = AccessToken(client.tokens["access"])
    token.set_exp(from_time=timezone.now() - timedelta(hours=1))
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.data["error"]["code"] == "auth.invalid_token"

"""The login lock-out counts guesses against the account, whatever spelling names it."""

import pytest

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LIMIT = 5  # LOGIN_FAILURE_LIMIT's default


def attempt(api, login, password, ip="127.0.0.1"):
    return api.post("/api/v1/auth/login", {"login": login, "password": password},
                    format="json", REMOTE_ADDR=ip)


@pytest.fixture
def dana(user_factory):
    return user_factory(handle="dana", email="dana@example.com")


@pytest.mark.parametrize("spelling", ["@dana", "dana", "DANA@EXAMPLE.COM", " Dana@Example.com "])
def test_five_wrong_passwords_lock_every_spelling_of_the_account(api, dana, spelling):
    for _ in range(LIMIT):
        assert attempt(api, "dana@example.com", "wrong").status_code in (401, 429)
    locked = attempt(api, spelling, PASSWORD)
    assert locked.status_code == 429, locked.content
    assert locked.json()["error"]["code"] == "auth.locked_out"
    assert "access" not in locked.json()


def test_spellings_share_one_count_of_guesses(api, dana):
    spellings = ["dana@example.com", "@dana", "dana", "DANA@example.com", "Dana"]
    # Five guesses in all, one per spelling; the fifth failure starts the lock-out.
    answers = [attempt(api, spelling, "wrong").status_code for spelling in spellings]
    assert answers == [401] * (LIMIT - 1) + [429]
    for spelling in spellings:
        assert attempt(api, spelling, "wrong-again").status_code == 429


def test_a_success_resets_the_count(api, dana):
    for _ in range(LIMIT - 1):
        attempt(api, "@dana", "wrong")
    assert attempt(api, "DANA@EXAMPLE.COM", PASSWORD).status_code == 200
    for _ in range(LIMIT - 1):
        attempt(api, "dana", "wrong")
    assert attempt(api, "dana@example.com", PASSWORD).status_code == 200


def test_the_lock_is_per_account_and_address(api, dana):
    for _ in range(LIMIT):
        attempt(api, "dana", "wrong", ip="10.0.0.1")
    assert attempt(api, "@dana", PASSWORD, ip="10.0.0.1").status_code == 429
    # Someone else's guesses elsewhere do not lock the owner out of the account.
    assert attempt(api, "dana@example.com", PASSWORD, ip="10.0.0.2").status_code == 200


def test_unknown_logins_lock_like_real_ones(api, dana):
    """A stranger cannot tell from the lock-out whether an account exists."""
    for login in ("nobody@example.com", "dana@example.com"):
        answers = [attempt(api, login, "wrong").status_code for _ in range(LIMIT + 1)]
        assert answers == [401] * (LIMIT - 1) + [429, 429], login
    # The same spelling rules for an unknown login, and it locks only that login.
    assert attempt(api, "NOBODY@example.com", "wrong").status_code == 429
    assert attempt(api, "nobody@example.com", "wrong", ip="10.0.0.9").status_code == 401
    assert attempt(api, "someone-else@example.com", "wrong").status_code == 401

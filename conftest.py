"""Shared fixtures: API clients logged in through the real token endpoints."""

import os
from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.factories import PASSWORD, UserFactory


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def login() -> Callable[..., APIClient]:
    """A client authenticated as `user` with a real access token from /auth/login."""

    def _login(user: Any, device: str = "pytest") -> APIClient:
        client = APIClient()
        response = client.post("/api/v1/auth/login",
                               {"login": user.email, "password": PASSWORD, "device": device},
                               format="json")
        assert response.status_code == 200, response.content
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.data['access']}")
        client.tokens = response.data  # type: ignore[attr-defined]
        return client

    return _login


@pytest.fixture
def user_factory() -> type[UserFactory]:
    return UserFactory


def _signed_in(handle: str, login: Callable[..., APIClient]) -> tuple[Any, APIClient]:
    user = UserFactory(handle=handle)
    return user, login(user)


# Two members signed in through the real login, as (user, client); a test module that needs
# more of them (a verified cameo, an SDK client) defines its own.
@pytest.fixture
def ana(login: Callable[..., APIClient]) -> tuple[Any, APIClient]:
    return _signed_in("ana", login)


@pytest.fixture
def bob(login: Callable[..., APIClient]) -> tuple[Any, APIClient]:
    return _signed_in("bob", login)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """CI (CASTLINE_REQUIRE_INTEGRATION=1): an integration test that skips is a failure, so
    the tier can never pass by not running (whatever app folder the test lives in)."""
    outcome = yield
    report = outcome.get_result()
    if (report.skipped and item.get_closest_marker("integration") is not None
            and os.environ.get("CASTLINE_REQUIRE_INTEGRATION") == "1"):
        report.outcome = "failed"
        report.longrepr = f"integration test skipped but the tier is required: {report.longrepr}"


@pytest.fixture
def chromium_path() -> str:
    """Debian's Chromium; absent: a skip with the reason, or a failure where CI requires the
    integration tier (the browser tests are in it)."""
    from tests.browser import CHROMIUM

    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing (apt-get install chromium)"
        if os.environ.get("CASTLINE_REQUIRE_INTEGRATION") == "1":
            pytest.fail(f"integration tier is required but {reason}", pytrace=False)
        pytest.skip(reason)
    return str(CHROMIUM)

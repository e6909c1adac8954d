"""Shared fixtures: API clients logged in through the real token endpoints."""

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

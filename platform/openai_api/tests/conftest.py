"""The official `openai` SDK, unchanged, talking to Django in process (its documented
`http_client` option with httpx's WSGI transport): the whole request stack runs, no server."""

from collections.abc import Callable

import httpx2
import pytest
from django.core.wsgi import get_wsgi_application
from openai import OpenAI

from apikeys.services import api_key_create


@pytest.fixture
def sdk_for() -> Callable[..., OpenAI]:
    def _sdk(user, *, read_only: bool = False, secret: str | None = None) -> OpenAI:
        if secret is None:
            secret = api_key_create(user=user, name="pytest", read_only=read_only).secret
        transport = httpx2.WSGITransport(app=get_wsgi_application())
        return OpenAI(api_key=secret, base_url="http://testserver/v1", max_retries=0,
                      http_client=httpx2.Client(transport=transport))

    return _sdk

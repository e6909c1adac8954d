"""Schemathesis over the whole OpenAPI schema, against a real uvicorn on Postgres + Redis.

Every operation gets a few generated requests (valid and invalid ones), sent with a real
user's bearer token; each answer must not be a server error, must use a status the schema
lists and must match the schema's body for it. Bounded (SCHEMATHESIS_MAX_EXAMPLES per
operation) so the run takes a few minutes on two cores.
"""

import json
import os
import zlib
from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx
import pytest
import redis
import schemathesis
from django.conf import settings as django_settings
from django.core.serializers.json import DjangoJSONEncoder
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import User
from accounts.services import session_start
from feed.services import comment_create, post_publish
from feed.services.publishing import PostSettings
from generation.models import Video

from .stack import Stack, free_port, server_args, spawn, wait_healthy

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "5"))
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


@pytest.fixture(scope="session")
def fuzzed_server(services_stack: Stack) -> Iterator[Stack]:
    """A server of its own (sharing the stack's database, Redis and worker) whose rate
    limits are out of the way: a 429 would only hide what the fuzzer is looking for."""
    port = free_port()
    stack = Stack(base_url=f"http://127.0.0.1:{port}", log_dir=services_stack.log_dir,
                  env={**services_stack.env, **{f"RATE_{scope}": "1000000/min" for scope in (
                      "ANON", "USER", "AUTH", "VIDEO_CREATE", "UPLOAD", "VERIFY", "REPORT",
                      "SOCIAL", "SBR")},
                       # Webhooks configured, so their signature checks are what gets fuzzed.
                       "STRIPE_WEBHOOK_SECRET": "whsec_schemathesis"})
    spawn(stack, "server-schemathesis", server_args(port))
    try:
        wait_healthy(stack)
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="module", autouse=True)
def _throttle_history_forgotten() -> Iterator[None]:
    """The fuzzed server lifts the rate limits but counts in the same Redis keys as the stack's
    server: the thousands of requests it takes would leave the tests after it throttled."""
    yield
    client = redis.Redis.from_url(django_settings.REDIS_URL)
    for key in client.scan_iter("*throttle_*"):
        client.delete(key)


@pytest.fixture
def member() -> User:
    return User.objects.create_user(email="fuzz@example.com", handle="fuzzer",
                                    password="a-long-passphrase-for-tests",
                                    birthdate=date(1990, 1, 1))


def completed_video(owner: User) -> Video:
    return Video.objects.create(owner=owner, prompt="a fox in snow", seconds=4,
                                aspect_ratio="9:16", resolution="480p", width=480, height=854,
                                seed=1, model_name="tiny", cost=10,
                                status=Video.Status.COMPLETED)


@pytest.fixture
def real_targets(member: User) -> dict[str, list[str]]:
    """Rows the generated requests can name, so they reach past the 404s: the member's own
    video and session, another person's public post with a hashtag, a comment under it."""
    creator = User.objects.create_user(email="creator@example.com", handle="creator",
                                       password="a-long-passphrase-for-tests",
                                       birthdate=date(1990, 1, 1))
    public = completed_video(creator)
    post_publish(user=creator, video_id=public.pk,
                 settings=PostSettings(caption="snow", hashtags=["fuzz"]))
    comment = comment_create(user=creator, video_id=public.pk, body="first")
    session = session_start(user=member, device="schemathesis")
    return {"video_id": [str(public.pk), str(completed_video(member).pk)],
            "handle": [creator.handle, member.handle], "tag": ["fuzz"],
            "comment_id": [str(comment.pk)], "session_id": [str(session["session_id"])]}


def aim_at_real_targets(case: Any, targets: dict[str, list[str]]) -> None:
    """Two cases in three name real rows instead of the generated path values; which ones,
    and which row, follows from the case itself, so a failure replays the same."""
    seed = zlib.crc32(repr((case.body, case.query, case.path_parameters)).encode())
    if seed % 3 == 0 or not case.path_parameters:
        return
    for name, values in targets.items():
        if name in case.path_parameters:
            case.path_parameters[name] = values[seed % len(values)]


def schema_document() -> dict[str, Any]:
    """The schema as /api/schema/ serves it (checked against the served one below)."""
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return dict(json.loads(json.dumps(generated, cls=DjangoJSONEncoder)))


schema = schemathesis.openapi.from_dict(schema_document())


def test_the_fuzzed_schema_is_the_served_one(fuzzed_server: Stack) -> None:
    served = httpx.get(f"{fuzzed_server.base_url}/api/schema/?format=json", timeout=60)
    assert served.status_code == 200
    assert served.json()["paths"] == schema_document()["paths"]


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, derandomize=True,
          phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
def test_every_operation_answers_as_its_schema_says(case: Any, member: User,
                                                    real_targets: dict[str, list[str]],
                                                    fuzzed_server: Stack) -> None:
    aim_at_real_targets(case, real_targets)
    # A fresh device session per request: a generated logout or session revocation must not
    # leave the rest of the run unauthenticated.
    tokens = session_start(user=member, device="schemathesis")
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {tokens['access']}"}
    case.call_and_validate(base_url=fuzzed_server.base_url, checks=CHECKS, timeout=60)

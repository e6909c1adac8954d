"""Schemathesis over the whole OpenAPI schema, against a real uvicorn on Postgres + Redis.

Every operation gets a few generated requests (valid and invalid ones), sent with a real
user's bearer token; each answer must not be a server error, must use a status the schema
lists and must match the schema's body for it. Bounded (SCHEMATHESIS_MAX_EXAMPLES per
operation) so the run takes a few minutes on two cores.
"""

import json
import os
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
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
                      "SOCIAL")},
                       # Webhooks configured, so their signature checks are what gets fuzzed.
                       "STRIPE_WEBHOOK_SECRET": "whsec_schemathesis"})
    spawn(stack, "server-schemathesis", server_args(port))
    try:
        wait_healthy(stack)
        yield stack
    finally:
        stack.stop()


@pytest.fixture
def member() -> User:
    return User.objects.create_user(email="fuzz@example.com", handle="fuzzer",
                                    password="a-long-passphrase-for-tests",
                                    birthdate="1990-01-01")


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
                                                    fuzzed_server: Stack) -> None:
    # A fresh device session per request: a generated logout or session revocation must not
    # leave the rest of the run unauthenticated.
    tokens = session_start(user=member, device="schemathesis")
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {tokens['access']}"}
    case.call_and_validate(base_url=fuzzed_server.base_url, checks=CHECKS, timeout=60)

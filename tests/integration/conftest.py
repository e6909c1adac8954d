"""Integration tier: real Postgres, Redis, Celery worker and ASGI server.

Skipped with a reason where the services are missing; CI sets CASTLINE_REQUIRE_INTEGRATION=1,
which turns that skip into a failure so the tier can never silently not run.
"""

import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

from .stack import Stack, base_env, free_port, server_args, spawn, wait_healthy, worker_args

REQUIRED = os.environ.get("CASTLINE_REQUIRE_INTEGRATION") == "1"


def _unavailable(reason: str) -> None:
    if REQUIRED:
        pytest.fail(f"integration tier is required (CI) but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def services_checked() -> None:
    if not settings.DB_IS_POSTGRES:
        _unavailable("DATABASE_URL does not point at PostgreSQL")
    if not settings.REDIS_URL:
        _unavailable("REDIS_URL is not set")
    try:
        redis.Redis.from_url(settings.REDIS_URL).ping()
    except redis.RedisError as exc:
        _unavailable(f"Redis is unreachable: {exc}")


@pytest.fixture(autouse=True)
def _integration_requires_services(request: pytest.FixtureRequest) -> None:
    request.getfixturevalue("services_checked")


@pytest.fixture(scope="session")
def services_stack(services_checked: None, django_db_setup: None,
                   django_db_blocker: object) -> Iterator[Stack]:
    """Uvicorn + a Celery worker on the test database (Postgres) and Redis."""
    redis.Redis.from_url(settings.REDIS_URL).flushdb()
    db = settings.DATABASES["default"]
    test_db_url = (f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST']}:"
                   f"{db['PORT']}/{connection.settings_dict['NAME']}")
    port = free_port()
    log_dir = Path(tempfile.mkdtemp(prefix="castline-it-logs-"))
    stack = Stack(base_url=f"http://127.0.0.1:{port}", log_dir=log_dir,
                  env=base_env(DATABASE_URL=test_db_url, REDIS_URL=settings.REDIS_URL,
                               DATA_DIR=str(settings.DATA_DIR),
                               # webhook receivers in tests listen on loopback
                               OPENAI_WEBHOOK_ALLOW_PRIVATE_URLS="1"))
    spawn(stack, "worker", worker_args())
    spawn(stack, "server", server_args(port))
    try:
        wait_healthy(stack)
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="session")
def embedded_stack(services_checked: None) -> Iterator[Stack]:
    """The README's run command on a fresh data directory: SQLite, filesystem broker."""
    port = free_port()
    data_dir = tempfile.mkdtemp(prefix="castline-embedded-")
    log_dir = Path(tempfile.mkdtemp(prefix="castline-embedded-logs-"))
    stack = Stack(base_url=f"http://127.0.0.1:{port}", log_dir=log_dir,
                  env=base_env(DATA_DIR=data_dir, PORT=str(port), WORKER_CONCURRENCY="1"))
    spawn(stack, "run", ["make", "--no-print-directory", "run"])
    try:
        wait_healthy(stack, timeout=300)
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="session", autouse=True)
def _flush_survives_a_busy_worker() -> Iterator[None]:
    """Between transactional tests Django empties every table with one TRUNCATE. The stack's
    worker may still be finishing a job the last test started, and its row locks can deadlock
    with the TRUNCATE's table locks; Postgres then aborts one side, sometimes the flush (CI saw
    it after a fuzzed video create). The flush is one transaction, so trying again is safe."""
    from django.db import OperationalError
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.execute_sql_flush

    def execute_sql_flush(self: DatabaseOperations, sql_list: list[str]) -> None:
        for attempt in range(5):
            try:
                return original(self, sql_list)
            except OperationalError:
                if attempt == 4:
                    raise
                if not self.connection.is_usable():
                    self.connection.close()
                time.sleep(0.5 * (attempt + 1))

    DatabaseOperations.execute_sql_flush = execute_sql_flush  # type: ignore[method-assign]
    try:
        yield
    finally:
        DatabaseOperations.execute_sql_flush = original  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _default_terms(transactional_db: None) -> None:
    """Transactional tests flush every table, the migration-seeded term list included."""
    import importlib

    from django.apps import apps

    from moderation.models import Term

    if not Term.objects.exists():
        importlib.import_module("moderation.migrations.0002_seed_default_terms").seed(apps, None)

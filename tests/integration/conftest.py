"""Integration tier: real Postgres, Redis, Celery worker and ASGI server.

Skipped with a reason where the services are missing; CI sets CASTLINE_REQUIRE_INTEGRATION=1,
which turns that skip into a failure so the tier can never silently not run.
"""

import os
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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
def _flush_fast_and_safe_beside_a_busy_worker() -> Iterator[None]:
    """Between transactional tests Django empties every table with one TRUNCATE of all of them:
    seconds per test on two cores (each table gets new files), and its table locks can deadlock
    with the row locks of a job the stack's worker is still finishing (CI saw it after a fuzzed
    video create). Here the flush deletes rows instead, with the foreign-key triggers off for
    its one transaction (the test database's user is a superuser): milliseconds for the mostly
    empty tables, row locks only. Sequences are not reset, as with Django's own flush unless a
    test asks (then Django's TRUNCATE runs). The flush is one transaction, so on a deadlock
    trying again is safe."""
    from django.db import OperationalError
    from django.db.backends.postgresql.operations import DatabaseOperations

    original_sql = DatabaseOperations.sql_flush
    original_execute = DatabaseOperations.execute_sql_flush

    def sql_flush(self: DatabaseOperations, style: Any, tables: Any, *,
                  reset_sequences: bool = False, allow_cascade: bool = False) -> list[str]:
        if reset_sequences or not tables:
            return original_sql(self, style, tables, reset_sequences=reset_sequences,
                                allow_cascade=allow_cascade)
        return ["SET LOCAL session_replication_role = replica",
                *(f"DELETE FROM {self.quote_name(table)}" for table in tables)]

    def execute_sql_flush(self: DatabaseOperations, sql_list: list[str]) -> None:
        for attempt in range(5):
            try:
                return original_execute(self, sql_list)
            except OperationalError:
                if attempt == 4:
                    raise
                if not self.connection.is_usable():
                    self.connection.close()
                time.sleep(0.5 * (attempt + 1))

    DatabaseOperations.sql_flush = sql_flush  # type: ignore[method-assign,assignment]
    DatabaseOperations.execute_sql_flush = execute_sql_flush  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        DatabaseOperations.sql_flush = original_sql  # type: ignore[method-assign]
        DatabaseOperations.execute_sql_flush = original_execute  # type: ignore[method-assign]


@pytest.fixture(scope="session", autouse=True)
def _roomy_pool_for_the_test_process(django_db_setup: None, django_db_blocker: Any) -> None:
    """This process opens connections from threads nobody hands back to the pool (asgiref's
    executors in the websocket tests, writer threads); at the servers' pool size (8) they fill
    it, and once a fault test has cut every connection the next test waits out the pool's
    timeout (seen in full runs only). The servers keep their settings; this process gets room."""
    options = connection.settings_dict.get("OPTIONS", {})
    if not isinstance(options.get("pool"), dict):
        return
    with django_db_blocker.unblock():
        connection.close()  # back to the pool it came from, before that pool goes
        connection.close_pool()  # type: ignore[attr-defined]  # the Postgres wrapper's
    options["pool"] = {**options["pool"], "max_size": 64}


@pytest.fixture(scope="session")
def _seeded_terms(django_db_setup: None, django_db_blocker: Any) -> uuid.UUID | None:
    """The migration-seeded term list, copied aside once: restoring it after each flush is one
    server-side INSERT, and under the seed's own revision token every process's policy engine
    (this one, the server's, the worker's) stays cached instead of being rebuilt per test."""
    import importlib

    from django.apps import apps

    from moderation.models import PolicyRevision, Term

    with django_db_blocker.unblock():
        if not Term.objects.exists():
            importlib.import_module("moderation.migrations.0002_seed_default_terms").seed(
                apps, None)
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {_TERMS_COPY}")
            cursor.execute(f"CREATE UNLOGGED TABLE {_TERMS_COPY} AS "
                           f"SELECT * FROM {Term._meta.db_table}")
        return PolicyRevision.objects.filter(pk=1).values_list("token", flat=True).first()


_TERMS_COPY = "castline_it_seeded_terms"  # not a model's table: flushes leave it alone


@pytest.fixture(autouse=True)
def _default_terms(transactional_db: None, _seeded_terms: uuid.UUID | None) -> None:
    """Transactional tests flush every table, the migration-seeded term list included."""
    from moderation.models import PolicyRevision, Term

    if not Term.objects.exists():
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {Term._meta.db_table} SELECT * FROM {_TERMS_COPY}")
        PolicyRevision.objects.update_or_create(pk=1, defaults={"token": _seeded_terms})

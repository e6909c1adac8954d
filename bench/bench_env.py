"""What the bench scripts do before their work: find the repository's code, point Django at a
bench database, and start worker threads together.

A script imports this by its bare name (`import bench_env`), as a script's sys.path[0] is its
own folder, bench/; `on_repo_path` then puts the repository before it, so an app wins over a
bench of the same name (bench/feed.py, bench/moderation.py), and the scripts import each other
as `bench.<name>`. bench/ stays on the path: a child process started by multiprocessing runs
the script's imports again with the parent's path. Every bench prints one JSON object and
never exits non-zero (errors are reported in the JSON).
"""

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH_DATABASE = "postgres://postgres@127.0.0.1:5432/castline_bench"


def on_repo_path() -> None:
    """The repository (apps, `bench.*`, `tests.*`) and platform/ first on sys.path."""
    sys.path[:0] = [str(ROOT), str(ROOT / "platform")]


def django_env(*, settings: str = "config.settings", database: str | None = BENCH_DATABASE,
               ) -> None:
    """on_repo_path, then defaults the caller's environment may override: Django's settings
    module, the database (None: the settings' own default) and quiet logs."""
    on_repo_path()
    if database is not None:
        os.environ.setdefault("DATABASE_URL", database)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings)
    os.environ.setdefault("LOG_LEVEL", "WARNING")


def run_together(count: int, work: Callable[[int], object]) -> float:
    """Run work(0) ... work(count - 1) in threads released at the same moment, each closing its
    own database connections when done; the wall seconds from release to the last one's end."""
    from django.db import connections

    barrier = threading.Barrier(count + 1)

    def target(i: int) -> None:
        try:
            barrier.wait()
            work(i)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def print_report(bench: str, main: Callable[[], dict[str, Any]]) -> None:
    """Print main()'s result as JSON; an exception is reported in it instead, as a bench never
    fails its caller."""
    try:
        output = main()
    except Exception as exc:
        output = {"bench": bench, "error": f"{type(exc).__name__}: {exc}"}
    print(json.dumps(output, indent=2))


def server_env(data_prefix: str) -> dict[str, str]:
    """The environment of a bench's own servers and workers (tests.integration.stack.base_env):
    a fresh data folder, quiet logs, no rate limits, and the caller's DATABASE_URL and REDIS_URL
    where set (else the embedded SQLite and datagram bus); that database migrated."""
    from tests.integration.stack import base_env

    overrides = {"DATA_DIR": tempfile.mkdtemp(prefix=data_prefix), "LOG_LEVEL": "ERROR",
                 "RATE_USER": "100000000/min", "RATE_ANON": "100000000/min"}
    for name in ("DATABASE_URL", "REDIS_URL"):
        if os.environ.get(name):
            overrides[name] = os.environ[name]
    env = base_env(**overrides)
    if overrides.get("DATABASE_URL"):
        from bench.bench_db import ensure_database  # a fresh machine has no bench database yet

        ensure_database(overrides["DATABASE_URL"])
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env,
                   check=True)
    return env

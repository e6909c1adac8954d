"""Live edit fan-out on one storyboard, against the websocket floor, in the same run.

50 collaborators (by default) hold /ws/storyboards/<id> on a real uvicorn server; each round
one of them changes a shot (the service, in one transaction: locked row, conditional UPDATE,
an event stored for every member, the room's live copy after commit) and the latency from
just before COMMIT to each socket's arrival is recorded. The floor is bench/api.py's: the
same users on /ws/events, one plain event each per transaction, same server. Prints JSON with
p50/p99 of both and the ratio. Embedded mode by default (SQLite, datagram bus); set
DATABASE_URL and REDIS_URL for Postgres + Redis. Never fails the test run.

    .venv/bin/python bench/storyboard_live.py [--collaborators 50] [--rounds 30]
"""

import argparse
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import bench_env  # beside this script (sys.path[0] is bench/ when it runs)

bench_env.on_repo_path()

from bench.api import (  # noqa: E402
    BenchUser,
    Burst,
    latency_summary,
    prepare_users,
    publish_burst,
    wait_serving,
)
from bench.ws_clients import ClientFleet  # noqa: E402
from tests.integration.stack import Stack, free_port, server_args, spawn  # noqa: E402

ROUND_PROMPT = "bench round "  # a change's shot prompt carries its round
ROUND_MARK = b'"prompt":"bench round '


def storyboard_for(users: list[BenchUser]) -> tuple[str, int]:
    """A storyboard of users[0] with one shot, every other user an editor: (id, shot id)."""
    from accounts.models import User
    from generation.storyboards import services

    owner = User.objects.get(pk=users[0].id)
    storyboard = services.storyboard_create(user=owner, title="bench",
                                            shots=[{"prompt": "x", "seconds": 4}])
    for user in User.objects.filter(pk__in=[u.id for u in users[1:]]):
        services.collaborator_add(user=owner, storyboard_id=storyboard.pk, handle=user.handle,
                                  role="editor")
    return str(storyboard.pk), storyboard.shots.get().pk


def edit(users: list[BenchUser], storyboard_id: str, shot_id: int, round_: int) -> Burst:
    """One shot change by a collaborator, at the version it read."""
    from django.db import transaction

    from accounts.models import User
    from generation.models import StoryboardShot
    from generation.storyboards import services

    editor = User.objects.get(pk=users[1 + round_ % (len(users) - 1)].id)
    version = StoryboardShot.objects.get(pk=shot_id).version
    committed = [0.0]
    with transaction.atomic():
        transaction.on_commit(lambda: committed.__setitem__(0, time.monotonic()))
        services.shot_update(user=editor, storyboard_id=storyboard_id, shot_id=shot_id,
                             version=version, changes={"prompt": f"{ROUND_PROMPT}{round_}"})
        committing = time.monotonic()
    return Burst(committing, committed[0], time.monotonic())


def run(stack: Stack, users: list[BenchUser], rounds: int, processes: int,
        storyboard: tuple[str, int] | None) -> dict[str, Any]:
    path, mark = (("/ws/events", b'"payload":{"r":') if storyboard is None
                  else (f"/ws/storyboards/{storyboard[0]}", ROUND_MARK))
    fleet = ClientFleet(stack.ws_url, [u.access for u in users], processes, path=path,
                        mark=mark)
    fleet.wait_ready()
    time.sleep(1)  # the presence of 50 arrivals settles
    commits: dict[int, Burst] = {}
    for round_ in range(rounds):
        commits[round_] = (publish_burst(users, round_) if storyboard is None
                           else edit(users, *storyboard, round_))
        fleet.wait_round(round_, timeout=60)
    return latency_summary(fleet.collect(rounds), commits, len(users))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--collaborators", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--client-processes", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    args = parser.parse_args()
    with_redis = bool(os.environ.get("REDIS_URL"))
    env = bench_env.server_env("castline-sbbench-")
    results: dict[str, Any] = {"mode": "redis+postgres" if with_redis else "embedded",
                               "collaborators": args.collaborators, "rounds": args.rounds,
                               "server_workers": args.workers}
    port = free_port()
    stack = Stack(base_url=f"http://127.0.0.1:{port}", env=env,
                  log_dir=Path(tempfile.mkdtemp(prefix="castline-sbbench-logs-")))
    try:
        users = prepare_users(env, args.collaborators)
        storyboard = storyboard_for(users)
        spawn(stack, "server", server_args(port, workers=args.workers))
        wait_serving(stack)
        for storyboard_or_floor in (None, storyboard):  # warm both paths; not reported
            run(stack, users, 3, args.client_processes, storyboard_or_floor)
        results["floor_plain_event"] = run(stack, users, args.rounds, args.client_processes,
                                           None)
        results["storyboard_edit"] = run(stack, users, args.rounds, args.client_processes,
                                         storyboard)
        floor, edit_run = results["floor_plain_event"], results["storyboard_edit"]
        results["p50_vs_floor"] = round(edit_run["p50_ms"] / max(floor["p50_ms"], 0.1), 2)
        results["p99_vs_floor"] = round(edit_run["p99_ms"] / max(floor["p99_ms"], 0.1), 2)
        results["p99_under_200ms"] = edit_run["p99_ms"] < 200
    except Exception as exc:  # a benchmark reports; it never fails the run
        results["error"] = f"{type(exc).__name__}: {exc}"
        results["logs"] = stack.logs()[-4000:]
    finally:
        stack.stop()
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

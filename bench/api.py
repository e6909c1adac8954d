"""API and live-event benchmark against a real uvicorn server.

Prints JSON: requests/s and p50/p99 latency for GET /api/v1/me and a paginated list
(/api/v1/notifications) under concurrent load, the same for a framework floor (an
unauthenticated JSON 404 that touches no database) as the in-run baseline, and websocket
delivery latency p50/p99 with 500 connected clients.

Embedded mode by default (SQLite); set
DATABASE_URL and REDIS_URL to measure Postgres + Redis. Never fails the test run.

    .venv/bin/python bench/api.py [--seconds 10] [--concurrency 32] [--clients 500]
"""

import argparse
import asyncio
import faulthandler
import json
import os
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import bench_env  # beside this script (sys.path[0] is bench/ when it runs)
import httpx

bench_env.on_repo_path()

from bench.ws_clients import ClientFleet  # noqa: E402
from tests.integration.stack import (  # noqa: E402
    Stack,
    free_port,
    server_args,
    spawn,
)
from tests.integration.stalled_client import StalledClient  # noqa: E402


def wait_serving(stack: Stack, timeout: float = 180) -> None:
    """Every worker process up. Not /healthz: its channel-layer round trip (send, then
    receive) never completes on RedisPubSubChannelLayer, which drops what nobody listens to."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{stack.base_url}/api/v1/_floor", timeout=2).status_code == 404:
                time.sleep(3)  # the other worker process imports in parallel
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"server not up after {timeout}s\n{stack.logs()}")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def load(url: str, headers: dict[str, str], seconds: float, concurrency: int
               ) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(headers=headers, limits=limits, timeout=30) as client:

        async def worker() -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                response = await client.get(url)
                latencies.append(time.perf_counter() - started)
                errors += response.status_code >= 500

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
    return {"requests": len(latencies), "rps": round(len(latencies) / elapsed, 1),
            "p50_ms": round(percentile(latencies, 0.5) * 1000, 2),
            "p99_ms": round(percentile(latencies, 0.99) * 1000, 2), "server_errors": errors}


@dataclass
class BenchUser:
    id: int
    access: str


def prepare_users(env: dict[str, str], count: int) -> list[BenchUser]:
    """Users, device sessions and access tokens made directly in the database, in bulk
    (hashing thousands of passwords through the API would measure PBKDF2, not the API)."""
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()
    from rest_framework_simplejwt.tokens import AccessToken

    from accounts.models import DeviceSession, User
    from events.services import event_publish

    run = uuid.uuid4().hex[:6]  # a database may hold earlier runs' users
    users = User.objects.bulk_create([
        User(email=f"bench{index}-{run}@example.com", handle=f"b{run}_{index}", password="!")
        for index in range(count)])
    sessions = DeviceSession.objects.bulk_create([DeviceSession(user=u, name="bench")
                                                  for u in users])
    prepared = []
    for user, session in zip(users, sessions, strict=True):
        token = AccessToken.for_user(user)
        token.set_exp(lifetime=timedelta(hours=3))  # a long run outlives the default 10 min
        token["sid"] = session.pk
        prepared.append(BenchUser(user.pk, str(token)))
    for index in range(30):  # something to paginate
        event_publish(user_id=prepared[0].id, type="bench.seed", payload={"n": index})
    return prepared


def seed_videos(owner_id: int) -> tuple[str, str]:
    """30 completed video rows and an API key for one user (rows only: no worker): the newest
    video's id and the key, for the two doors' read paths."""
    from django.utils import timezone

    from accounts.models import User
    from apikeys.services import api_key_create
    from generation.models import Video

    owner = User.objects.get(pk=owner_id)
    now = timezone.now()
    videos = [Video.objects.create(owner=owner, prompt=f"bench clip {n}", seconds=4,
                                   aspect_ratio="9:16", resolution="720p", width=720,
                                   height=1280, seed=n, shots=[{"prompt": "x", "seconds": 4}],
                                   model_name="castline-tiny", cost=6, status="completed",
                                   progress=1.0, finished_at=now)
              for n in range(30)]
    return str(videos[-1].pk), api_key_create(user=owner, name="bench").secret


# How each design runs: the servers' environment; the bench process publishes the same way.
DESIGNS: dict[str, dict[str, str]] = {
    "channel_layer": {"EVENTS_DELIVERY": "channel_layer"},  # channels_redis group_send: before
    "pubsub_layer": {"EVENTS_DELIVERY": "channel_layer", "EVENTS_CHANNEL_LAYER": "pubsub"},
    # one PUBLISH per commit, one SUBSCRIBE per process; each socket's events through a queue
    # and a writer task (the design before eager sends)
    "redis_queued": {"EVENTS_DELIVERY": "redis", "EVENTS_EAGER_SEND": "0",
                     "EVENTS_PREBUILT_FRAMES": "0"},
    # ... written in the bus's loop step when the socket is idle
    "redis_eager": {"EVENTS_DELIVERY": "redis", "EVENTS_PREBUILT_FRAMES": "0"},
    # ... and framed once per process, not per socket, sent through the ASGI send
    "redis_asgi_send": {"EVENTS_DELIVERY": "redis", "EVENTS_DIRECT_WRITE": "0"},
    "redis": {"EVENTS_DELIVERY": "redis"},  # ... and written by a plain call into the protocol
    "tail": {"EVENTS_DELIVERY": "local", "EVENTS_LOCAL_WAKE": "0",
             "EVENTS_TAIL_INTERVAL_S": "0.2"},  # embedded, before: the table tail alone
    "local_queued": {"EVENTS_DELIVERY": "local", "EVENTS_EAGER_SEND": "0",
                     "EVENTS_PREBUILT_FRAMES": "0"},
    "local": {"EVENTS_DELIVERY": "local"},  # embedded: datagram wake + tail as the safety net
}


def use_design(design: str) -> None:
    """Publish from this process the way the design's servers expect."""
    from channels.layers import channel_layers
    from django.conf import settings

    overrides = DESIGNS[design]
    settings.EVENTS_DELIVERY = overrides["EVENTS_DELIVERY"]
    settings.EVENTS_LOCAL_WAKE = overrides.get("EVENTS_LOCAL_WAKE") != "0"
    if settings.REDIS_URL:
        settings.CHANNEL_LAYERS["default"]["BACKEND"] = (
            "channels_redis.pubsub.RedisPubSubChannelLayer"
            if overrides.get("EVENTS_CHANNEL_LAYER") == "pubsub"
            else "channels_redis.core.RedisChannelLayer")
    channel_layers.backends.clear()


class _CommitClock:
    """An on-commit hook whose step before COMMIT (core/postgresql) reads the clock: on
    Postgres the events' INSERT runs in that step too, just before this one."""

    at = 0.0

    @classmethod
    def before_commit(cls, hooks: list["_CommitClock"]) -> None:
        cls.at = time.monotonic()

    def __call__(self) -> None:
        pass


@dataclass
class Burst:
    committing: float  # just before COMMIT, the events stored (the clients' clock)
    committed: float  # COMMIT returned, before the after-commit publishing
    published: float  # the bus has the burst


def publish_burst(users: list[BenchUser], round_: int) -> Burst:
    """One transaction, one event per user."""
    from django.db import transaction

    from events.services import events_publish_many

    committed = [0.0]
    with transaction.atomic():
        # the first on-commit hook: it runs as COMMIT returns, before the events' publishing
        transaction.on_commit(lambda: committed.__setitem__(0, time.monotonic()))
        events_publish_many(events=[(u.id, "bench.ping", {"r": round_}) for u in users])
        transaction.on_commit(_CommitClock())
        committing = _CommitClock.at = time.monotonic()  # the clients' clock (CLOCK_MONOTONIC)
    published = time.monotonic()
    return Burst(max(committing, _CommitClock.at), committed[0], published)


def tree_cpu_s(pid: int, fields_: tuple[int, ...] = (11, 12)) -> float:
    """CPU seconds (user + system; `(12,)`: the kernel's part alone) used so far by a process
    and its children (uvicorn's workers), from /proc; 0 where /proc is not there."""
    tick = os.sysconf("SC_CLK_TCK")
    total, parents = 0.0, {pid}
    try:
        stats = []
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                try:
                    with open(f"/proc/{entry.name}/stat") as handle:
                        fields = handle.read().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                stats.append((int(entry.name), int(fields[1]),
                              sum(int(fields[f]) for f in fields_)))
    except OSError:
        return 0.0
    for _ in range(3):  # the server, its workers, their children
        parents |= {p for p, ppid, _ in stats if ppid in parents}
    for process, _, ticks in stats:
        if process in parents:
            total += ticks / tick
    return total


def latency_summary(arrivals: Any, commits: dict[int, Burst], events_per_round: int
                    ) -> dict[str, float]:
    """Latency from just before COMMIT (the figure the targets are about), and, to tell the
    database's part from the bus's, from COMMIT returning and COMMIT's own time."""
    latencies = [arrived - commits[round_].committing for round_, arrived in arrivals.times]
    after_commit = [arrived - commits[round_].committed for round_, arrived in arrivals.times]
    publish_s = [b.published - b.committing for b in commits.values()]
    commit_s = [b.committed - b.committing for b in commits.values()]
    return {"events": len(latencies), "missing": arrivals.missing,
            "closed_by_server": arrivals.closed_by_server,
            "duplicates": arrivals.duplicates,
            "first_ms": round(min(latencies, default=float("nan")) * 1000, 1),
            "p50_ms": round(percentile(latencies, 0.5) * 1000, 1),
            "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
            "max_ms": round(max(latencies, default=float("nan")) * 1000, 1),
            "after_commit_p50_ms": round(percentile(after_commit, 0.5) * 1000, 1),
            "after_commit_p99_ms": round(percentile(after_commit, 0.99) * 1000, 1),
            "commit_ms_per_burst": round(percentile(commit_s, 0.5) * 1000, 1),
            "commit_ms_max": round(max(commit_s, default=float("nan")) * 1000, 1),
            "publish_ms_per_burst": round(percentile(publish_s, 0.5) * 1000, 1),
            "publisher_events_per_s": round(events_per_round / max(percentile(publish_s, 0.5),
                                                                   1e-9))}


def bursts(ws_url: str, users: list[BenchUser], rounds: int, processes: int,
           stalled_user: BenchUser | None = None, stall_s: float = 0,
           server_pid: int = 0) -> dict[str, Any]:
    """Clients connected, then bursts of one event per client, each after the last arrived.
    With a stalled user: during the bursts it also gets 8 kB events it never reads (for at
    least `stall_s`); then it reads, reconnects with ?after= and must have every one, once."""
    fleet = ClientFleet(ws_url, [u.access for u in users], processes)
    fleet.wait_ready()
    stalled = (StalledClient(f"{ws_url}/ws/events?token={stalled_user.access}")
               if stalled_user else None)
    time.sleep(1)
    server_cpu, wall = tree_cpu_s(server_pid), time.monotonic()
    server_sys = tree_cpu_s(server_pid, (12,))
    commits: dict[int, Burst] = {}
    slow_ids: list[int] = []
    started = time.monotonic()
    round_ = 0
    while round_ < rounds or (stalled and time.monotonic() - started < stall_s):
        commits[round_] = publish_burst(users, round_)
        fleet.wait_round(round_, timeout=120)
        if stalled_user is not None:  # between bursts: its cost is the publisher's, not the
            slow_ids += publish_padding(stalled_user, 40)  # stalled client's
        round_ += 1
    server_cpu, wall = tree_cpu_s(server_pid) - server_cpu, time.monotonic() - wall
    server_sys = tree_cpu_s(server_pid, (12,)) - server_sys
    arrivals = fleet.collect(round_)
    result: dict[str, Any] = {**latency_summary(arrivals, commits, len(users))}
    cores = os.cpu_count() or 1
    # what the bursts cost the machine: the clients' processes against the servers'
    result.update(clients=len(users), bursts=round_, wall_s=round(wall, 2),
                  server_cpu_s=round(server_cpu, 2),
                  client_cpu_s=round(arrivals.client_cpu_s, 2),
                  server_cpu_share=round(server_cpu / (wall * cores), 3),
                  client_cpu_share=round(arrivals.client_cpu_s / (wall * cores), 3),
                  server_cpu_us_per_delivery=round(
                      server_cpu * 1e6 / max(len(arrivals.times), 1), 1),
                  server_kernel_us_per_delivery=round(
                      server_sys * 1e6 / max(len(arrivals.times), 1), 1),
                  load_average=os.getloadavg()[0])
    if stalled is not None and stalled_user is not None:
        result["stalled_client"] = stalled_replay(ws_url, stalled, stalled_user, slow_ids,
                                                  time.monotonic() - started)
    return result


def publish_padding(user: BenchUser, count: int) -> list[int]:
    from events.services import events_publish_many

    return [n.pk for n in events_publish_many(events=[
        (user.id, "bench.padding", {"pad": "x" * 8000}) for _ in range(count)])]


def stalled_replay(ws_url: str, stalled: StalledClient, user: BenchUser, expected: list[int],
                   stalled_s: float) -> dict[str, Any]:
    from websockets.sync.client import connect

    got = [json.loads(text)["id"] for text in stalled.read_until_closed()]
    before_close, close = len(got), stalled.close
    if len(got) < len(expected):  # reconnect where it stopped, as a client does
        with connect(f"{ws_url}/ws/events?token={user.access}&after={got[-1] if got else 0}",
                     max_size=None) as again:
            while len(got) < len(expected):
                got.append(json.loads(again.recv(timeout=30))["id"])
    return {"stalled_s": round(stalled_s, 1), "events": len(expected),
            "received_before_close": before_close,
            "close_code": close.code if close else None,
            "close_reason": close.reason if close else None,
            "all_once_in_order": got == expected}


def publisher_rate(events: int, repeats: int = 5) -> dict[str, float]:
    """Events/s into the bus alone: the after-commit hook's publish of one transaction's
    message of `events` events (the servers of the design are subscribed meanwhile)."""
    from events.bus import publisher
    from events.wire import BusMessage, LiveEvent, event_text

    text = event_text({"id": 1, "type": "bench.rate", "payload": {"r": -1},
                       "created_at": "2026-01-01T00:00:00+00:00"})
    message = BusMessage(events=[LiveEvent(-1 - n, 10**12 + n, 0, text) for n in range(events)])
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        publisher().publish(message)
        timings.append(time.perf_counter() - started)
    seconds = percentile(timings, 0.5)
    return {"events": events, "ms": round(seconds * 1000, 2),
            "events_per_s": round(events / max(seconds, 1e-9))}


def live_events(stack_for: Any, designs: list[str], big_designs: list[str],
                users: list[BenchUser], args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for design in designs:
        use_design(design)
        stack = stack_for(design)
        try:
            pid = stack.processes[0].pid
            runs: dict[str, Any] = {"burst": bursts(stack.ws_url, users[:args.clients],
                                                    args.rounds, args.client_processes,
                                                    server_pid=pid)}
            if not design.startswith("tail"):
                runs["publisher_500"] = publisher_rate(500, repeats=3)
                runs["publisher_5000"] = publisher_rate(5000, repeats=1 if "layer" in design
                                                        else 5)
            if design in big_designs:
                runs["connected_big"] = bursts(stack.ws_url, users[:args.big_clients],
                                               args.big_rounds, args.big_client_processes,
                                               server_pid=pid)
            if design == designs[-1] and args.stall_s:
                runs["slow_reader"] = bursts(stack.ws_url, users[:args.clients], args.rounds,
                                             args.client_processes,
                                             stalled_user=users[args.big_clients],
                                             stall_s=args.stall_s, server_pid=pid)
                runs["slow_reader_p99_vs_burst"] = round(
                    runs["slow_reader"]["p99_ms"] / max(runs["burst"]["p99_ms"], 0.1), 2)
            results[design] = runs
        except Exception as exc:  # a benchmark reports; it never fails the run
            results[design] = {"error": f"{type(exc).__name__}: {exc}", "logs": stack.logs()}
        finally:
            stack.stop()
    baseline = designs[0]
    for design in designs[1:]:
        for run in ("burst", "connected_big"):
            if run in results[design] and run in results.get(baseline, {}):
                base, new = results[baseline][run], results[design][run]
                results[design][f"{run}_p99_vs_{baseline}"] = round(
                    new["p99_ms"] / max(base["p99_ms"], 0.1), 4)
        if "publisher_5000" in results[design] and "publisher_5000" in results.get(baseline, {}):
            results[design][f"publisher_5000_rate_vs_{baseline}"] = round(
                results[design]["publisher_5000"]["events_per_s"]
                / max(results[baseline]["publisher_5000"]["events_per_s"], 1), 1)
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--big-clients", type=int, default=5000)
    parser.add_argument("--big-rounds", type=int, default=3)
    parser.add_argument("--client-processes", type=int, default=2)
    # Two, as for --clients: on a 2-core machine each extra client process is one more to
    # wake per burst (paired runs at 5,000 clients, 2 against 4 processes: the clients' CPU
    # 0.84 s against 1.15 s, p99 506 against 668 ms, loaded machine)
    parser.add_argument("--big-client-processes", type=int, default=2,
                        help="client processes of the --big-clients run (before: 4)")
    parser.add_argument("--stall-s", type=float, default=10,
                        help="slow-reader run on the last design (0: skip)")
    with_redis = bool(os.environ.get("REDIS_URL"))
    parser.add_argument("--designs", help="comma-separated, baseline first (default: %(default)s)",
                        default="channel_layer,pubsub_layer,redis" if with_redis else "tail,local")
    parser.add_argument("--big-designs", default="channel_layer,redis",
                        help="designs that also run --big-clients")
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--ws", default="config.ws_protocol:PrebuiltFrameProtocol",
                        help="uvicorn's websocket implementation")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--watchdog-s", type=float, default=3600,
                        help="print every thread's stack and exit if the run takes longer")
    args = parser.parse_args()
    faulthandler.dump_traceback_later(args.watchdog_s, exit=True)
    designs = [d for d in args.designs.split(",") if d]

    env = bench_env.server_env("castline-apibench-")
    if with_redis:
        import redis
        redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()
    log_dir = Path(tempfile.mkdtemp(prefix="castline-apibench-logs-"))

    def stack_for(design: str) -> Stack:
        port = free_port()
        stack = Stack(base_url=f"http://127.0.0.1:{port}", env={**env, **DESIGNS[design]},
                      log_dir=log_dir)
        server = server_args(port, workers=args.workers)
        server[server.index("--ws") + 1] = args.ws
        spawn(stack, f"server-{design}", server)
        wait_serving(stack)
        return stack

    results: dict[str, Any] = {"mode": "redis+postgres" if with_redis else "embedded",
                               "server_workers": args.workers}
    try:
        users = prepare_users(env, max(args.big_clients, args.clients) + 1)
        if not args.skip_http:
            stack = stack_for(designs[-1])
            try:
                auth = {"Authorization": f"Bearer {users[0].access}"}
                results["concurrency"] = args.concurrency
                results["baseline_json_404"] = asyncio.run(load(
                    f"{stack.base_url}/api/v1/_floor", {}, args.seconds, args.concurrency))
                results["me"] = asyncio.run(load(f"{stack.base_url}/api/v1/me", auth,
                                                 args.seconds, args.concurrency))
                results["notifications_page"] = asyncio.run(load(
                    f"{stack.base_url}/api/v1/notifications?page_size=20", auth, args.seconds,
                    args.concurrency))
                # The app's door and the OpenAI-compatible one over the same rows.
                video_id, api_key = seed_videos(users[0].id)
                key = {"Authorization": f"Bearer {api_key}"}
                doors = {"app_video": (f"/api/v1/videos/{video_id}", auth),
                         "app_videos_page": ("/api/v1/videos?page_size=20", auth),
                         "v1_video": (f"/v1/videos/{video_id}", key),
                         "v1_videos_page": ("/v1/videos?limit=20", key)}
                for name, (path, headers) in doors.items():
                    results[name] = asyncio.run(load(f"{stack.base_url}{path}", headers,
                                                     args.seconds, args.concurrency))
                floor = results["baseline_json_404"]["rps"] or 1
                results["me_rps_vs_floor"] = round(results["me"]["rps"] / floor, 3)
                results["list_rps_vs_floor"] = round(
                    results["notifications_page"]["rps"] / floor, 3)
                for name in doors:
                    results[f"{name}_rps_vs_floor"] = round(results[name]["rps"] / floor, 3)
            finally:
                stack.stop()
        results["live_events"] = live_events(stack_for, designs, args.big_designs.split(","),
                                             users, args)
    except Exception as exc:  # a benchmark reports; it never fails the run
        results["error"] = f"{type(exc).__name__}: {exc}"
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

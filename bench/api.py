"""API and live-event benchmark against a real uvicorn server.

Prints JSON: requests/s and p50/p99 latency for GET /api/v1/me and a paginated list
(/api/v1/notifications) under concurrent load, one video and a page of videos through both
doors (the app's /api/v1/videos with a session token, the OpenAI-compatible /v1/videos with
an API key), the same for a framework floor (an
unauthenticated JSON 404 that touches no database) as the in-run baseline, and websocket
delivery latency p50/p99 with 500 connected clients.

Embedded mode by default (SQLite, events through the notifications-table tail); set
DATABASE_URL and REDIS_URL to measure Postgres + Redis. Never fails the test run.

    .venv/bin/python bench/api.py [--seconds 10] [--concurrency 32] [--clients 500]
"""

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import websockets

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "platform")]

from tests.integration.stack import (  # noqa: E402
    Stack,
    base_env,
    free_port,
    server_args,
    spawn,
    wait_healthy,
)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def load(url: str, headers: dict[str, str], seconds: float, concurrency: int
               ) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    statuses: set[int] = set()
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
                statuses.add(response.status_code)

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
    return {"requests": len(latencies), "rps": round(len(latencies) / elapsed, 1),
            "p50_ms": round(percentile(latencies, 0.5) * 1000, 2),
            "p99_ms": round(percentile(latencies, 0.99) * 1000, 2), "server_errors": errors,
            "statuses": sorted(statuses)}


def prepare_users(env: dict[str, str], count: int) -> list[dict[str, object]]:
    """Users + device sessions + tokens made directly in the database (hashing 500 passwords
    through the API would measure PBKDF2, not the API)."""
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()
    from accounts.models import User
    from accounts.services import session_start
    from events.services import event_publish

    users = []
    for index in range(count):
        user = User.objects.create(email=f"bench{index}@example.com", handle=f"bench{index}",
                                   password="!")
        tokens = session_start(user=user, device="bench")
        users.append({"id": user.pk, "access": tokens["access"]})
    for index in range(30):  # something to paginate
        event_publish(user_id=users[0]["id"], type="bench.seed", payload={"n": index})
    users[0].update(_seed_videos(User.objects.get(pk=users[0]["id"])))
    return users


def _seed_videos(owner: object) -> dict[str, object]:
    """30 completed videos rows and an API key for the first user (rows only: no worker)."""
    from django.utils import timezone

    from apikeys.services import api_key_create
    from generation.models import Video

    now = timezone.now()
    videos = [Video.objects.create(owner=owner, prompt=f"bench clip {n}", seconds=4,
                                   aspect_ratio="9:16", resolution="720p", width=720,
                                   height=1280, seed=n, shots=[{"prompt": "x", "seconds": 4}],
                                   model_name="castline-tiny", cost=6, status="completed",
                                   progress=1.0, finished_at=now)
              for n in range(30)]
    key = api_key_create(user=owner, name="bench").secret  # type: ignore[arg-type]
    return {"video_id": str(videos[-1].pk), "api_key": key}


async def websocket_latency(ws_url: str, users: list[dict[str, object]], rounds: int
                            ) -> dict[str, float]:
    from django.db import transaction

    from events.services import event_publish

    latencies: list[float] = []
    connections = [await websockets.connect(f"{ws_url}/ws/events?token={u['access']}",
                                            open_timeout=30, max_queue=None)
                   for u in users]
    await asyncio.sleep(1)  # let the server finish joining groups

    def publish_all() -> float:
        sent = time.time()
        with transaction.atomic():
            for user in users:
                event_publish(user_id=int(user["id"]), type="bench.ping", payload={"t": sent})
        return sent

    async def receive(connection: websockets.ClientConnection) -> None:
        while True:
            event = json.loads(await asyncio.wait_for(connection.recv(), 30))
            if event["type"] == "bench.ping":
                latencies.append(time.time() - event["payload"]["t"])
                return

    for _ in range(rounds):
        waiters = [asyncio.create_task(receive(c)) for c in connections]
        await asyncio.to_thread(publish_all)
        await asyncio.gather(*waiters)
    for connection in connections:
        await connection.close()
    return {"clients": len(connections), "events": len(latencies),
            "p50_ms": round(percentile(latencies, 0.5) * 1000, 1),
            "p99_ms": round(percentile(latencies, 0.99) * 1000, 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="castline-apibench-")
    overrides = {"DATA_DIR": data_dir, "LOG_LEVEL": "ERROR", "RATE_USER": "100000000/min",
                 "RATE_ANON": "100000000/min"}
    for name in ("DATABASE_URL", "REDIS_URL"):
        if os.environ.get(name):
            overrides[name] = os.environ[name]
    env = base_env(**overrides)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env,
                   check=True)
    port = free_port()
    stack = Stack(base_url=f"http://127.0.0.1:{port}", env=env,
                  log_dir=Path(tempfile.mkdtemp(prefix="castline-apibench-logs-")))
    spawn(stack, "server", server_args(port, workers=args.workers))
    try:
        wait_healthy(stack)
        users = prepare_users(env, args.clients)
        auth = {"Authorization": f"Bearer {users[0]['access']}"}
        key = {"Authorization": f"Bearer {users[0]['api_key']}"}
        results = {
            "mode": "redis+postgres" if os.environ.get("REDIS_URL") else "embedded",
            "concurrency": args.concurrency,
            "server_workers": args.workers,
            "baseline_json_404": asyncio.run(load(f"{stack.base_url}/api/v1/_floor", {},
                                                  args.seconds, args.concurrency)),
            "me": asyncio.run(load(f"{stack.base_url}/api/v1/me", auth, args.seconds,
                                   args.concurrency)),
            "notifications_page": asyncio.run(load(
                f"{stack.base_url}/api/v1/notifications?page_size=20", auth, args.seconds,
                args.concurrency)),
            "app_video": asyncio.run(load(
                f"{stack.base_url}/api/v1/videos/{users[0]['video_id']}", auth, args.seconds,
                args.concurrency)),
            "app_videos_page": asyncio.run(load(
                f"{stack.base_url}/api/v1/videos?page_size=20", auth, args.seconds,
                args.concurrency)),
            "v1_video": asyncio.run(load(
                f"{stack.base_url}/v1/videos/{users[0]['video_id']}", key, args.seconds,
                args.concurrency)),
            "v1_videos_page": asyncio.run(load(
                f"{stack.base_url}/v1/videos?limit=20", key, args.seconds, args.concurrency)),
            "websocket_delivery": asyncio.run(websocket_latency(stack.ws_url, users,
                                                                args.rounds)),
        }
        floor = results["baseline_json_404"]["rps"] or 1
        results["me_rps_vs_floor"] = round(results["me"]["rps"] / floor, 3)
        results["list_rps_vs_floor"] = round(results["notifications_page"]["rps"] / floor, 3)
        for name in ("app_video", "app_videos_page", "v1_video", "v1_videos_page"):
            results[f"{name}_rps_vs_floor"] = round(results[name]["rps"] / floor, 3)
        print(json.dumps(results, indent=2))
    except Exception as exc:  # a benchmark reports; it never fails the run
        print(json.dumps({"error": f"{type(exc).__name__}: {exc}", "logs": stack.logs()}))
    finally:
        stack.stop()


if __name__ == "__main__":
    main()

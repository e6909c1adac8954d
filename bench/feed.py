"""Feed bench: p50/p99 latency and requests per second of for-you and following under concurrent
load, through the real Django views, next to a naive version in the same run (a DRF
ModelSerializer list ordered by creation, offset pagination with a count, per-row lookups).

    .venv/bin/python bench/feed.py            # dataset in castline_feedbench, reused if present

Default mode (BENCH_MODE=server): a real uvicorn with BENCH_WORKERS processes (2) serves the app
plus the naive endpoints (this file doubles as the server's settings and URLconf module), and
`wrk` drives it at BENCH_CONCURRENCY open connections (8), each request with its own viewer's
token (a Lua script rotates them). BENCH_MODE=inprocess keeps the old django.test.Client threads.
Redis (REDIS_URL, default db 11) holds the for-you snapshots, as in production.

The dataset (100k people, 1M posts, 10M likes, 10M follows by default) is generated in SQL
with generate_series, secondary indexes and constraints dropped during the load and rebuilt
after. Knobs: BENCH_USERS, BENCH_POSTS, BENCH_LIKES_PER_USER, BENCH_FOLLOWS_PER_USER,
BENCH_THREADS (inprocess), BENCH_SECONDS (per phase and round), BENCH_ROUNDS (server mode:
every phase runs once per round, in turn, and the figures are the medians over the rounds; a
ratio is the median of the ratios inside each round, so a slow spell of this shared VM hits
both sides of it), BENCH_MAX_GENERATE_S, BENCH_MODE, BENCH_WORKERS, BENCH_CONCURRENCY,
BENCH_PHASES (comma-separated phase names; a ratio needs both of its phases).
Prints one JSON object; never exits non-zero (errors are reported in the JSON).
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path[:0] = [str(ROOT), str(ROOT / "platform")]
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/castline_feedbench")
# Test settings: generous rate limits, a throwaway data directory.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/11")
# The production default (the test settings turn the shared for-you pools off).
os.environ.setdefault("FEED_POOL_TTL_S", "10")

USERS = int(os.environ.get("BENCH_USERS", "100000"))
POSTS = int(os.environ.get("BENCH_POSTS", "1000000"))
LIKES_PER_USER = int(os.environ.get("BENCH_LIKES_PER_USER", "100"))
FOLLOWS_PER_USER = int(os.environ.get("BENCH_FOLLOWS_PER_USER", "100"))
THREADS = int(os.environ.get("BENCH_THREADS", "4"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
MAX_GENERATE_S = float(os.environ.get("BENCH_MAX_GENERATE_S", "1500"))
MODE = os.environ.get("BENCH_MODE", "server")
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "8"))
ONLY = {name for name in os.environ.get("BENCH_PHASES", "").split(",") if name}
VIEWERS = 200
SCHEMA = 4
DAYS = 30
BULK_TABLES = ["accounts_user", "generation_video", "feed_post", "accounts_follow", "feed_like"]


# --- dataset --------------------------------------------------------------------------------

def _wanted() -> dict[str, int]:
    # "schema" changes when the feed tables change shape, so an old dataset is regenerated.
    return {"users": USERS, "posts": POSTS, "likes": USERS * LIKES_PER_USER,
            "follows": USERS * FOLLOWS_PER_USER, "schema": SCHEMA}


def _existing(cursor: Any) -> dict[str, Any] | None:
    cursor.execute("CREATE TABLE IF NOT EXISTS feedbench_meta (spec jsonb, generation_s float)")
    cursor.execute("SELECT spec, generation_s FROM feedbench_meta")
    row = cursor.fetchone()
    if row is None:
        return None
    # Django hands jsonb back as text on a raw cursor.
    spec = json.loads(row[0]) if isinstance(row[0], str) else row[0]
    return {"spec": spec, "generation_s": row[1]}


def _drop_secondary(cursor: Any, table: str) -> list[str]:
    """Drop every index and constraint but the primary key; return the SQL to rebuild them."""
    cursor.execute("""SELECT conname, pg_get_constraintdef(oid), contype FROM pg_constraint
                      WHERE conrelid = %s::regclass AND contype IN ('u', 'f', 'c')""", [table])
    constraints = cursor.fetchall()
    cursor.execute("""SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s
                      AND indexname NOT IN (SELECT conname FROM pg_constraint
                                            WHERE conrelid = %s::regclass)""", [table, table])
    indexes = cursor.fetchall()
    rebuild = [definition for _, definition in indexes]
    for name, definition, kind in constraints:
        # Foreign keys come back NOT VALID: the generator guarantees them, and validating
        # 10M rows would double the load time.
        suffix = " NOT VALID" if kind == "f" else ""
        rebuild.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}{suffix}')
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    return rebuild


def _load_sql(n_users: int, n_posts: int) -> list[tuple[str, str]]:
    follow_step = max(1, n_users // (FOLLOWS_PER_USER + 1))
    like_step = max(1, n_posts // (LIKES_PER_USER + 1))
    span = f"interval '{DAYS} days'"
    return [
        ("users", f"""
        INSERT INTO accounts_user (id, password, is_superuser, email, handle, birthdate,
            display_name, bio, avatar, role, is_active, is_staff, date_joined)
        SELECT u, '!', false, 'b' || u || '@bench.invalid', 'b' || u,
            CASE WHEN u % 10 = 0 THEN date '2011-01-01' ELSE date '1990-01-01' END,
            'Bench ' || u, '', '', 'member', true, false, now() - {span}
        FROM generate_series(1::bigint, {n_users}) u"""),
        # Every 10th video (after the first thousand) remixes an earlier original.
        ("videos", f"""
        INSERT INTO generation_video (id, owner_id, prompt, negative_prompt, style, seconds,
            aspect_ratio, resolution, width, height, fps, with_audio, seed, shots, model_name,
            cast_handles, remix_of_id, remix_root_id, remix_depth, status, progress, stage,
            error_code, error_message, held_for_review, restricted, label, cancel_requested,
            cost, attempts, run_token, video_file, thumbnail_file, duration_s, watermark_id,
            provenance, output_codes, created_at, finished_at, deleted_at)
        SELECT md5(i::text)::uuid, 1 + (i * 7919) % {n_users}, 'bench prompt ' || i, '', '',
            4, '9:16', '480p', 480, 854, 24, true, i, '[]', 'tiny', '[]',
            CASE WHEN p IS NULL THEN NULL ELSE md5(p::text)::uuid END,
            CASE WHEN p IS NULL THEN NULL ELSE md5(p::text)::uuid END,
            CASE WHEN p IS NULL THEN 0 ELSE 1 END,
            'completed', 1, '', '', '', false, i % 50 = 3,
            CASE WHEN i % 40 = 5 THEN 'graphic' ELSE '' END, false, 10, 1, '', '', '', 4.0, i,
            '{{}}', '[]', ts, ts, CASE WHEN i % 200 = 7 THEN ts END
        FROM (SELECT i, now() - {span} * ({n_posts} - i) / {n_posts} AS ts,
                     CASE WHEN i % 10 = 0 AND i > 1000 THEN
                          i - 1 - (i * 7919) % 997 - CASE WHEN (i - 1 - (i * 7919) % 997) % 10 = 0
                                                           THEN 1 ELSE 0 END END AS p
              FROM generate_series(1::bigint, {n_posts}) i) s"""),
        ("posts", f"""
        INSERT INTO feed_post (id, video_id, author_id, caption, hashtags, allow_remix,
            allow_comments, visibility, parent_video_id, root_video_id, remix_depth,
            parent_author_id, root_author_id, like_count, comment_count, view_count,
            remix_count, share_count, hot_base, hot_score, published_at, in_feeds,
            choice_label, allow_extend, story_author_ids, collaborators)
        SELECT i, md5(i::text)::uuid, 1 + (i * 7919) % {n_users}, 'clip ' || i || ' #t' || i % 500,
            jsonb_build_array('t' || i % 500), true, true,
            CASE WHEN i % 20 = 0 THEN 'private' WHEN i % 20 IN (1, 2) THEN 'followers'
                 ELSE 'public' END,
            v.remix_of_id, v.remix_root_id, v.remix_depth,
            (SELECT owner_id FROM generation_video pv WHERE pv.id = v.remix_of_id),
            (SELECT owner_id FROM generation_video rv WHERE rv.id = v.remix_root_id),
            0, 0, 0, 0, 0,
            extract(epoch FROM v.created_at) / 43200, extract(epoch FROM v.created_at) / 43200,
            v.created_at,
            v.status = 'completed' AND v.deleted_at IS NULL AND NOT v.held_for_review
                AND NOT v.restricted,
            '', true, '[]'::jsonb, '[]'::jsonb
        FROM generate_series(1::bigint, {n_posts}) i
        JOIN generation_video v ON v.id = md5(i::text)::uuid"""),
        ("follows", f"""
        INSERT INTO accounts_follow (follower_id, followee_id, created_at)
        SELECT f, 1 + (f - 1 + k * {follow_step}) % {n_users}, now() - {span}
        FROM generate_series(1::bigint, {n_users}) f, generate_series(1, {FOLLOWS_PER_USER}) k"""),
        ("likes", f"""
        INSERT INTO feed_like (user_id, post_id, created_at)
        SELECT u, 1 + (u * 7919 + k * {like_step}) % {n_posts}, now() - {span} * random()
        FROM generate_series(1::bigint, {n_users}) u, generate_series(1, {LIKES_PER_USER}) k"""),
    ]


_COUNTERS_SQL = """
    WITH likes AS (SELECT post_id, count(*) AS n FROM feed_like GROUP BY post_id),
         remixes AS (SELECT parent_video_id, count(*) AS n FROM feed_post
                     WHERE visibility = 'public' AND parent_video_id IS NOT NULL
                     GROUP BY parent_video_id)
    UPDATE feed_post p SET like_count = coalesce(l.n, 0), remix_count = coalesce(r.n, 0),
        view_count = 7 * coalesce(l.n, 0),
        hot_score = p.hot_base + ln(1 + coalesce(l.n, 0) + 3 * coalesce(r.n, 0))
    FROM feed_post q LEFT JOIN likes l ON l.post_id = q.id
         LEFT JOIN remixes r ON r.parent_video_id = q.video_id
    WHERE p.id = q.id"""


def dataset_ensure() -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)
    wanted = _wanted()
    with connection.cursor() as cursor:
        existing = _existing(cursor)
    if existing and existing["spec"] == wanted:
        return {**wanted, "generation_s": existing["generation_s"], "reused": True}
    started = time.monotonic()
    steps: dict[str, float] = {}
    # One transaction (DDL included): a failure or the time box leaves the schema as it was.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute("TRUNCATE feedbench_meta, " + ", ".join(BULK_TABLES) + " CASCADE")
        rebuild: list[str] = []
        for table in reversed(BULK_TABLES):  # referencing tables first
            rebuild += _drop_secondary(cursor, table)
        for name, sql in _load_sql(wanted["users"], wanted["posts"]):
            if time.monotonic() - started > MAX_GENERATE_S:
                raise TimeoutError(f"dataset generation ran past {MAX_GENERATE_S} s at {name}")
            step = time.monotonic()
            cursor.execute(sql)
            steps[name] = round(time.monotonic() - step, 1)
        step = time.monotonic()
        cursor.execute(_COUNTERS_SQL)
        steps["counters"] = round(time.monotonic() - step, 1)
        step = time.monotonic()
        for statement in rebuild:
            cursor.execute(statement)
        steps["indexes"] = round(time.monotonic() - step, 1)
        for table, count in (("accounts_user", wanted["users"]),
                             ("feed_post", wanted["posts"])):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {count})")
    step = time.monotonic()
    with connection.cursor() as cursor:
        for table in BULK_TABLES:
            cursor.execute(f"VACUUM ANALYZE {table}")
        steps["vacuum_analyze"] = round(time.monotonic() - step, 1)
        generation_s = round(time.monotonic() - started, 1)
        cursor.execute("INSERT INTO feedbench_meta VALUES (%s, %s)",
                       [json.dumps(wanted), generation_s])
    return {**wanted, "generation_s": generation_s, "steps_s": steps, "reused": False}


# --- naive baseline -------------------------------------------------------------------------

def naive_urlpatterns() -> list[Any]:
    from django.urls import path
    from rest_framework import generics, serializers
    from rest_framework.pagination import LimitOffsetPagination

    from accounts.models import User
    from feed.models import Like, Post

    class Pages(LimitOffsetPagination):
        default_limit = 20

    class NaivePostSerializer(serializers.ModelSerializer[Post]):
        author = serializers.SerializerMethodField()
        video = serializers.SerializerMethodField()
        parent_creator = serializers.SerializerMethodField()
        liked = serializers.SerializerMethodField()

        class Meta:
            model = Post
            fields = "__all__"

        def get_author(self, post: Post) -> dict[str, str]:
            author = User.objects.get(pk=post.author_id)
            return {"handle": author.handle, "display_name": author.display_name}

        def get_video(self, post: Post) -> dict[str, Any]:
            video = post.video
            return {"width": video.width, "height": video.height, "label": video.label}

        def get_parent_creator(self, post: Post) -> str | None:
            return post.parent_video.owner.handle if post.parent_video else None

        def get_liked(self, post: Post) -> bool:
            return Like.objects.filter(user=self.context["request"].user, post=post).exists()

    class NaiveForYou(generics.ListAPIView[Post]):
        serializer_class = NaivePostSerializer
        pagination_class = Pages

        def get_queryset(self) -> Any:
            return Post.objects.filter(visibility="public").order_by("-id")

    class NaiveFollowing(NaiveForYou):
        def get_queryset(self) -> Any:
            followees = User.objects.filter(follower_set__follower=self.request.user)
            return Post.objects.filter(author__in=followees).order_by("-id")

    return [path("naive/for-you", NaiveForYou.as_view()),
            path("naive/following", NaiveFollowing.as_view())]


_urlpatterns: list[Any] = []


def __getattr__(name: str) -> Any:
    """`urlpatterns`, built on first use: this module is the server's URLconf, imported (as
    its settings module) before the apps are ready."""
    if name != "urlpatterns":
        raise AttributeError(name)
    if not _urlpatterns:
        from config.urls import urlpatterns as app_urls

        _urlpatterns[:] = [*app_urls, *naive_urlpatterns()]
    return _urlpatterns


if os.environ.get("DJANGO_SETTINGS_MODULE") == __name__:  # the bench server's settings
    from config.test_settings import *  # noqa: F403

    ROOT_URLCONF = __name__
    ALLOWED_HOSTS = ["*"]
    # Connections come from the settings' pool; DB_POOL_MAX=0 shows what connecting per
    # request costs.


# --- load -----------------------------------------------------------------------------------

def _tokens(count: int) -> list[str]:
    from accounts.models import User
    from accounts.services import session_start

    step = max(1, USERS // count)
    # Adults only: teens stop at the daily cap, which would measure the 429 path.
    ids = [i for i in range(7, USERS, step) if i % 10][:count]
    users = User.objects.filter(pk__in=ids)
    return [str(session_start(user=user, device="bench")["access"]) for user in users]


def _phase(make_url: Callable[[int], str], tokens: list[str]) -> dict[str, Any]:
    """In-process: django.test.Client threads; request n of thread i is viewer i + n * THREADS."""
    from django.test import Client

    from bench.bench_env import run_together

    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    deadline = time.monotonic() + SECONDS

    def worker(index: int) -> None:
        client = Client()
        mine: list[float] = []
        codes: dict[int, int] = {}
        n = 0
        try:
            while time.monotonic() < deadline:
                viewer = (index + n * THREADS) % len(tokens)
                token, url = tokens[viewer], make_url(viewer)
                started = time.perf_counter()
                response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}")
                mine.append(time.perf_counter() - started)
                codes[response.status_code] = codes.get(response.status_code, 0) + 1
                n += 1
        finally:
            with lock:
                latencies.extend(mine)
                for code, count in codes.items():
                    statuses[code] = statuses.get(code, 0) + count

    wall = run_together(THREADS, worker)
    ordered = sorted(latencies)
    return {"requests": len(ordered), "statuses": statuses,
            "p50_ms": round(statistics.median(ordered) * 1000, 2) if ordered else None,
            "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1] * 1000, 2) if ordered else None,
            "rps": round(len(ordered) / wall, 1)}


def _queries(url: str, token: str) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        Client().get(url, HTTP_AUTHORIZATION=f"Bearer {token}")
    return len(captured)


_WRK_LUA = r"""
-- One request per line of the file: path, a tab, the viewer's token. Threads start apart.
local reqs = {}
local counter = 0
local started = 0
setup = function(thread)
  thread:set("tid", started)
  started = started + 1
end
init = function(args)
  for line in io.lines(args[1]) do
    local path, token = line:match("([^\t]+)\t(.+)")
    reqs[#reqs + 1] = wrk.format("GET", path, {["Authorization"] = "Bearer " .. token})
  end
  counter = ((tid or 0) * 7919) % #reqs
end
request = function()
  counter = counter % #reqs + 1
  return reqs[counter]
end
done = function(summary, latency, requests)
  io.write(string.format('WRK {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, '
    .. '"max_us": %d, "non_2xx": %d, "socket_errors": %d}\n', summary.requests,
    summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    summary.errors.status, summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout))
end
"""


def _wrk(base_url: str, lines: list[str], seconds: float, workdir: Path) -> dict[str, Any]:
    script, requests = workdir / "feed.lua", workdir / "requests.tsv"
    script.write_text(_WRK_LUA)
    requests.write_text("\n".join(lines) + "\n")
    threads = max(1, min(2, CONCURRENCY))
    out = subprocess.run(["wrk", "-t", str(threads), "-c", str(CONCURRENCY),
                          "-d", f"{max(1, round(seconds))}s", "--timeout", "10s",
                          "-s", str(script), base_url, "--", str(requests)],
                         capture_output=True, text=True, check=True, timeout=seconds + 60)
    line = next(x for x in out.stdout.splitlines() if x.startswith("WRK "))
    raw = json.loads(line[4:])
    wall = raw["duration_us"] / 1e6
    return {"requests": raw["requests"], "non_2xx": raw["non_2xx"],
            "socket_errors": raw["socket_errors"], "p50_ms": round(raw["p50_us"] / 1000, 2),
            "p99_ms": round(raw["p99_us"] / 1000, 2), "max_ms": round(raw["max_us"] / 1000, 2),
            "rps": round(raw["requests"] / wall, 1) if wall else None}


def _medians(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One phase over the rounds: medians of each figure, every round's rps kept."""
    out: dict[str, Any] = {key: round(statistics.median(run[key] for run in runs), 2)
                           for key in ("p50_ms", "p99_ms", "max_ms", "rps")}
    out.update(requests=sum(run["requests"] for run in runs),
               non_2xx=sum(run["non_2xx"] for run in runs),
               socket_errors=sum(run["socket_errors"] for run in runs),
               rps_per_round=[run["rps"] for run in runs])
    return out


def _server(workdir: Path) -> tuple[Any, str]:
    from tests.integration import stack

    port = stack.free_port()
    env = stack.base_env(DATABASE_URL=os.environ["DATABASE_URL"],
                         REDIS_URL=os.environ["REDIS_URL"], DJANGO_SETTINGS_MODULE=_module_name(),
                         LOG_LEVEL="ERROR", RATE_USER="1000000/min", RATE_ANON="1000000/min",
                         RATE_SOCIAL="1000000/min", DATA_DIR=str(workdir / "data"))
    server = stack.Stack(base_url=f"http://127.0.0.1:{port}", env=env, log_dir=workdir)
    stack.spawn(server, "uvicorn", stack.server_args(port, workers=WORKERS))
    stack.wait_healthy(server)
    return server, server.base_url


def _module_name() -> str:
    """This file as an importable module (bench.feed), for the server's settings and URLconf."""
    return f"{HERE.name}.{Path(__file__).stem}"


Phases = dict[str, Callable[[int], str]]


def _phases(tokens: list[str], get: Callable[[str, str], dict[str, Any]]) -> Phases:
    """Each phase maps viewer k (tokens[k]) to a URL; page-3 cursors belong to that viewer."""
    def cursors_at(url: str, pages: int) -> list[str]:
        def walk(token: str) -> str:
            cursor = None
            for _ in range(pages):
                cursor = get(url + (f"?cursor={cursor}" if cursor else ""), token).get(
                    "next_cursor")
            return cursor or ""
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(4 if MODE == "server" else 1) as pool:
            return list(pool.map(walk, tokens))

    foryou = cursors_at("/api/v1/feed/for-you", 2)
    following = cursors_at("/api/v1/feed/following", 2)
    # Each phase next to its naive twin: a ratio compares runs seconds apart.
    return {
        # The fixed cost of any authenticated API request here (server, middleware, JWT, one
        # small query): no feed can be faster, and it bounds the ratio to the naive version.
        "floor_steering_list": lambda k: "/api/v1/feed/steering",
        "for_you": lambda k: "/api/v1/feed/for-you",
        "naive_for_you": lambda k: "/naive/for-you",
        "for_you_page3": lambda k: f"/api/v1/feed/for-you?cursor={foryou[k]}",
        "naive_for_you_page3": lambda k: "/naive/for-you?offset=40",
        "following": lambda k: "/api/v1/feed/following",
        "naive_following": lambda k: "/naive/following",
        "following_page3": lambda k: f"/api/v1/feed/following?cursor={following[k]}",
        "naive_following_page3": lambda k: "/naive/following?offset=40",
    }


def run() -> dict[str, Any]:
    from bench.bench_db import ensure_database  # beside this script (ROOT is on the path)

    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    settings.ROOT_URLCONF = __name__
    settings.ALLOWED_HOSTS = ["*"]
    dataset = dataset_ensure()
    tokens = _tokens(VIEWERS)
    results: dict[str, dict[str, Any]] = {}
    rounds: dict[str, list[dict[str, Any]]] = {}
    if MODE == "server":
        import httpx

        if shutil.which("wrk") is None:
            raise RuntimeError("wrk not found (apt-get install wrk), or set BENCH_MODE=inprocess")
        workdir = Path(tempfile.mkdtemp(prefix="feedbench-"))
        server, base_url = _server(workdir)
        try:
            http = httpx.Client(base_url=base_url, timeout=30)

            def get(url: str, token: str) -> dict[str, Any]:
                return dict(http.get(url, headers={"Authorization": f"Bearer {token}"}).json())

            phases = {name: make_url for name, make_url in _phases(tokens, get).items()
                      if not ONLY or name in ONLY}
            requests = {name: [f"{make_url(k)}\t{token}" for k, token in enumerate(tokens)]
                        for name, make_url in phases.items()}
            for lines in requests.values():
                _wrk(base_url, lines, 2, workdir)  # warm: connections, caches, pools
            for _ in range(max(1, ROUNDS)):
                for name, lines in requests.items():
                    time.sleep(1)  # the last phase's requests in flight finish first
                    rounds.setdefault(name, []).append(_wrk(base_url, lines, SECONDS, workdir))
            for name, make_url in phases.items():
                results[name] = _medians(rounds[name])
                results[name]["queries_per_request"] = _queries(make_url(0), tokens[0])
        finally:
            server.stop()
        client = (f"wrk, {CONCURRENCY} connections, against uvicorn --workers {WORKERS} "
                  "(full middleware, JWT auth, DRF views)")
    else:
        def get_inprocess(url: str, token: str) -> dict[str, Any]:
            return dict(Client().get(url, HTTP_AUTHORIZATION=f"Bearer {token}").json())

        for name, make_url in _phases(tokens, get_inprocess).items():
            for warm in range(min(20, len(tokens))):  # fill caches and connections
                Client().get(make_url(warm), HTTP_AUTHORIZATION=f"Bearer {tokens[warm]}")
            results[name] = _phase(make_url, tokens)
            results[name]["queries_per_request"] = _queries(make_url(0), tokens[0])
        client = f"django.test.Client in {THREADS} threads (full middleware, JWT auth, DRF views)"

    def ratio(fast: str, slow: str) -> float | None:
        if fast not in results or slow not in results or not results[slow]["rps"]:
            return None
        if fast in rounds and slow in rounds:  # inside each round, then the median
            return round(statistics.median(
                f["rps"] / s["rps"] for f, s in zip(rounds[fast], rounds[slow], strict=True)
                if s["rps"]), 1)
        return round(results[fast]["rps"] / results[slow]["rps"], 1)

    ratios = {"for_you": ratio("for_you", "naive_for_you"),
              "for_you_page3": ratio("for_you_page3", "naive_for_you_page3"),
              "following": ratio("following", "naive_following"),
              "following_page3": ratio("following_page3", "naive_following_page3")}
    optimised = [k for k in results if not k.startswith(("naive", "floor"))]
    return {
        "bench": "feed", "database": "postgresql", "dataset": dataset, "mode": MODE,
        "page_size": settings.FEED_PAGE_SIZE, "seconds_per_phase": SECONDS,
        "rounds": ROUNDS if MODE == "server" else 1,
        "concurrency": CONCURRENCY if MODE == "server" else THREADS,
        "server_workers": WORKERS if MODE == "server" else None, "cpus": os.cpu_count(),
        "client": client, "results": results, "throughput_ratio_vs_naive": ratios,
        "targets": {"p99_under_50ms": all((results[k]["p99_ms"] or 1e9) < 50
                                          for k in optimised),
                    "at_least_5x_naive": all((r or 0) >= 5 for r in ratios.values())},
    }


def main() -> None:
    try:
        report = run()
    except Exception as exc:  # a bench reports, it never fails the caller
        report = {"bench": "feed", "error": f"{type(exc).__name__}: {exc}",
                  "traceback": traceback.format_exc(limit=5)}
    print(json.dumps(report, indent=2, default=str))


if __name__ == "__main__":
    main()

"""Stories bench: the tree of a 1,000-node story for one viewer (GET /api/v1/stories/{id}'s
work: feed.selectors.stories + its output), time and queries, next to a naive per-node build
(one post lookup, visibility check and children query per node) in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/castline_bench .venv/bin/python bench/stories.py
"""

import os
import statistics
import time
import uuid
from typing import Any

import bench_env  # beside this script (sys.path[0] is bench/ when it runs)

bench_env.django_env()
NODES = int(os.environ.get("BENCH_STORY_NODES", "1000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
AUTHORS = 20


def build_story(tag: str) -> tuple[Any, Any]:
    """A root and NODES - 1 branches by AUTHORS people: a third private, a third followers-only,
    one author blocked by the viewer; returns (viewer, root video)."""
    from django.utils import timezone

    from accounts.models import Block, Follow, User
    from feed.models import Post
    from generation.models import Video

    people = [User.objects.create_user(email=f"s{tag}{i}@bench.local", handle=f"s{tag}{i}",
                                       password=None) for i in range(AUTHORS)]
    viewer = User.objects.create_user(email=f"v{tag}@bench.local", handle=f"v{tag}",
                                      password=None)
    Follow.objects.bulk_create(Follow(follower=viewer, followee=p) for p in people[:5])
    Block.objects.create(blocker=viewer, blocked=people[-1])
    common = {"prompt": "a relay", "seconds": 4, "aspect_ratio": "9:16", "resolution": "480p",
              "width": 480, "height": 854, "seed": 1, "model_name": "tiny", "cost": 10,
              "status": Video.Status.COMPLETED}
    root = Video.objects.create(owner=people[0], **common)
    videos = [root]
    now = timezone.now()
    for i in range(1, NODES):
        parent = videos[(i - 1) // 3]  # three branches under each node
        videos.append(Video(owner=people[i % AUTHORS], remix_of=parent, remix_root=root,
                            remix_depth=parent.remix_depth + 1,
                            provenance={"extends": str(parent.pk)} if i % 2 else {},
                            **common))
    Video.objects.bulk_create(videos[1:])
    Post.objects.bulk_create(
        Post(video=v, author_id=v.owner_id, parent_video=v.remix_of, root_video=v.remix_root,
             remix_depth=v.remix_depth, choice_label=f"choice {i}", published_at=now,
             visibility=("public", "private", "followers")[i % 3] if i else "public")
        for i, v in enumerate(videos))
    return viewer, root


def naive_tree(viewer: Any, root_id: uuid.UUID) -> dict[str, Any] | None:
    """The obvious build: walk down from the root, one post lookup (with its visibility
    check: follows, blocks) and one children query per node."""
    from feed.models import Post
    from feed.selectors.visibility import post_may_see
    from generation.facade import content_links
    from generation.models import Video

    def node(video_id: uuid.UUID) -> dict[str, Any] | None:
        post = Post.objects.select_related("author", "video").filter(video_id=video_id).first()
        shown = (post is not None and post.author.is_active
                 and post_may_see(viewer_id=viewer.pk, post=post, video=post.video))
        kids = [node(pk) for pk in Video.objects.filter(remix_of_id=video_id, status="completed")
                .order_by("created_at").values_list("pk", flat=True)]
        children = [kid for kid in kids if kid is not None]
        if not shown or post is None:
            return {"id": str(video_id), "tombstone": True, "children": children} if children \
                else None
        return {"id": str(video_id), "tombstone": False, "author": post.author.handle,
                "choice_label": post.choice_label,
                "thumbnail": content_links(video_id)["thumbnail"],
                "counts": {"likes": post.like_count, "views": post.view_count,
                           "branches": len(children)}, "children": children}

    return node(root_id)


def measure(fn: Any) -> tuple[float, int, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    connection.queries_log.clear()  # a full log (its maxlen) would count nothing
    with CaptureQueriesContext(connection) as captured:
        start = time.perf_counter()
        out = fn()
        elapsed = time.perf_counter() - start
    return elapsed * 1000, len(captured), out


def count(tree: dict[str, Any] | None) -> int:
    if tree is None:
        return 0
    return 1 + sum(count(child) for child in tree["children"])


def main() -> dict[str, Any]:
    from bench.bench_db import ensure_database  # bench_env put the repository on the path

    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from feed.api.serializers import story_out
    from feed.selectors.stories import story_tree

    viewer, root = build_story(uuid.uuid4().hex[:8])
    if os.environ.get("BENCH_PROFILE"):
        import cProfile

        cProfile.runctx("story_out(story_tree(viewer=viewer, video_id=root.pk), "
                        "viewer_id=viewer.pk)", globals(), locals(), sort="cumtime")
    fast_ms, naive_ms, ratios = [], [], []
    fast_q = naive_q = 0
    fast_nodes = naive_nodes = 0
    for _ in range(ROUNDS):
        t_fast, fast_q, body = measure(
            lambda: story_out(story_tree(viewer=viewer, video_id=root.pk), viewer_id=viewer.pk))
        t_naive, naive_q, naive = measure(lambda: naive_tree(viewer, root.pk))
        fast_nodes, naive_nodes = body["node_count"], count(naive)
        fast_ms.append(t_fast)
        naive_ms.append(t_naive)
        ratios.append(t_naive / t_fast)
    return {"bench": "stories", "db": connection.vendor, "nodes_in_story": NODES,
            "rounds": ROUNDS,
            "tree": {"p50_ms": round(statistics.median(fast_ms), 1), "queries": fast_q,
                     "nodes_shown_or_tombstone": fast_nodes},
            "naive_per_node": {"p50_ms": round(statistics.median(naive_ms), 1),
                               "queries": naive_q, "nodes_shown_or_tombstone": naive_nodes},
            "speedup_vs_naive": round(statistics.median(ratios), 1),
            "queries_ratio_naive_to_tree": round(naive_q / max(fast_q, 1), 1)}


if __name__ == "__main__":
    bench_env.print_report("stories", main)

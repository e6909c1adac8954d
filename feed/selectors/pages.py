"""Loading one page of posts with everything the output needs: one compiled query.

The page query holds every visibility rule (selectors.visibility and lists), the author, video
and remix credits, and whether the viewer liked each post (an EXISTS per row: no second round
trip). It is compiled once per shape (core.compiled_queries): the ORM built and compiled it in
more time than Postgres took to run it. Lists pick their ids first without joining users (keeps
the planner on the indexes); creators deactivated since drop out here.
"""

from collections.abc import Iterable
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from accounts.facade import User
from core.compiled_queries import CompiledQuery, StandIns, compiled, padded

from ..models import Like, Post
from .lists import discoverable_posts
from .visibility import feed_posts, story_branches, story_id_of, teen_cutoff

PostRow = dict[str, Any]  # PAGE_FIELDS, "viewer_liked", "story_id" and "story_branches"

PAGE_FIELDS = (
    "id", "video_id", "author_id", "caption", "hashtags", "allow_remix", "allow_extend",
    "allow_comments", "story_author_ids", "collaborators",
    "visibility", "remix_depth", "like_count", "comment_count", "view_count", "remix_count",
    "share_count", "published_at",
    "author__handle", "author__display_name",
    "video__width", "video__height", "video__duration_s", "video__label", "video__status",
    "parent_video_id", "root_video_id", "parent_author__handle", "root_author__handle",
    "choice_label",
)


def _page_query(*, teen: bool, ids: int, discoverable: bool,
                newest: int | None) -> CompiledQuery:
    # Teens' rules hold today's age cutoff as a constant: a new shape each day.
    key = ("feed.page", teen, teen_cutoff() if teen else None, ids, discoverable, newest)

    def build(stand_ins: StandIns) -> QuerySet[Post, Any]:
        viewer_id = stand_ins.one("viewer")
        posts = (discoverable_posts(viewer_id, teen=teen) if discoverable
                 else feed_posts(viewer_id, teen=teen))
        liked = Like.objects.filter(user_id=viewer_id, post_id=OuterRef("pk"))
        rows = (posts.filter(id__in=stand_ins.many("ids", ids), author__is_active=True)
                .annotate(viewer_liked=Exists(liked), story_id=story_id_of(),
                          story_branches=story_branches())
                .values(*PAGE_FIELDS, "viewer_liked", "story_id", "story_branches"))
        return rows.order_by("-id")[:newest] if newest else rows

    return compiled(key, build)


def page_rows(*, viewer: User, ids: list[int], discoverable: bool = True,
              newest: int | None = None) -> list[PostRow]:
    """The posts of `ids` the viewer may see, in the order of `ids` (a page can come back a
    little short); with `newest`, only the newest that many of them, newest first."""
    if not ids:
        return []
    ids_padded = padded(ids)
    query = _page_query(teen=viewer.is_teen, ids=len(ids_padded), discoverable=discoverable,
                        newest=newest)
    rows = query.rows(viewer=viewer.pk, ids=ids_padded)
    if newest:
        return rows
    by_id = {row["id"]: row for row in rows}
    return [by_id[i] for i in ids if i in by_id]


def liked_post_ids(*, viewer_id: int, posts: Iterable[Post]) -> set[int]:
    ids = [post.pk for post in posts]
    if not ids:
        return set()
    return set(Like.objects.filter(user_id=viewer_id, post_id__in=ids)
               .values_list("post_id", flat=True))

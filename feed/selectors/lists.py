"""The post lists behind each feed endpoint, newest first; pagination is the caller's."""

from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import BigIntegerField, F, Func, OuterRef, QuerySet

from accounts.facade import (
    User,
    active_user_by_handle,
    blocked_either_way_q,
    follow_rows,
    is_blocked_between,
)
from core.compiled_queries import StandIns, compiled
from core.errors import NotFoundError

from ..models import HiddenCreator, NotInterested, Post
from .visibility import feed_posts, followee_ids, post_get_visible


def discoverable_posts(viewer_id: int, *, teen: bool, candidates: bool = False
                       ) -> QuerySet[Post]:
    """Feed posts minus blocked (either way) and hidden creators and posts marked not
    interested. By id: compiled queries pass a stand-in. `candidates`: see feed_posts."""
    hidden = HiddenCreator.objects.filter(user_id=viewer_id).values("creator_id")
    not_interested = NotInterested.objects.filter(user_id=viewer_id).values("post_id")
    return (feed_posts(viewer_id, teen=teen, candidates=candidates)
            .exclude(blocked_either_way_q(viewer_id, "author_id"))
            .exclude(author_id__in=hidden).exclude(id__in=not_interested))


def followed_post_ids(viewer_id: int, *, limit: int, after: int | None = None
                      ) -> QuerySet[Any, Any]:
    """The newest `limit` non-private post ids of the people the viewer follows (below `after`
    when given), as a one-column values() query (`pid`), newest first.

    On Postgres each followee contributes at most `limit` ids from its own index range (an
    ARRAY subquery per follow row, unnested: a LATERAL join in ORM terms), so following
    prolific creators costs at most followees x limit index entries, whatever their post
    counts. Elsewhere (SQLite) one ordered scan over all the followees' posts. By id:
    compiled queries pass stand-ins."""
    posts = Post.objects.exclude(visibility=Post.Visibility.PRIVATE)
    if after is not None:
        posts = posts.filter(id__lt=after)
    if connection.vendor != "postgresql":
        return (posts.filter(author_id__in=followee_ids(viewer_id)).order_by("-id")
                .values(pid=F("id"))[:limit])
    newest = posts.filter(author_id=OuterRef("followee_id")).order_by("-id").values("id")[:limit]
    unnested = Func(ArraySubquery(newest), function="unnest", output_field=BigIntegerField())
    return (follow_rows(follower_id=viewer_id).annotate(pid=unnested)
            .order_by("-pid").values("pid")[:limit])


class ViewerWindow(Protocol):
    """(viewer id, limit, after) to a one-column values() query of the newest ids."""

    def __call__(self, viewer_id: int, *, limit: int, after: int | None = None
                 ) -> QuerySet[Any, Any]: ...


@dataclass(frozen=True)
class PostList:
    """`scope`: the list's own cheap, index-driven filter (who, which tag...). Pages take a
    window of ids from the scope first (window_ids), then apply every rule of who may see what
    to that window only (selectors.pages), so a page never joins more rows than it shows.
    `viewer_window`: instead of `scope`, for a list whose window depends on the viewer's id
    alone (following): compiled once per shape.
    `discoverable`: the rules drop hidden creators and "not interested" posts too.
    `one_per_story`: a page shows one post (the newest) of each story (a relay of many
    branches is one item); a later page may show the same story again."""

    scope: QuerySet[Post] | None = None
    viewer_window: ViewerWindow | None = None
    discoverable: bool = True
    one_per_story: bool = False


def window_ids(posts: PostList, *, viewer_id: int, after: int | None, limit: int) -> list[int]:
    """The newest `limit` ids of the list's scope, below `after` when given (index only)."""
    if posts.scope is not None:
        scope = posts.scope.filter(id__lt=after) if after is not None else posts.scope
        return list(scope.order_by("-id").values_list("id", flat=True)[:limit])
    viewer_window = posts.viewer_window
    if viewer_window is None:
        raise ValueError("a PostList has a scope or a viewer_window")

    def build(stand_ins: StandIns) -> QuerySet[Any, Any]:
        return viewer_window(stand_ins.one("viewer"), limit=limit,
                             after=None if after is None else stand_ins.one("after"))

    key = ("feed.window", viewer_window, after is None, limit)  # functions hash by identity
    query = compiled(key, build)
    return [next(iter(row.values())) for row in query.rows(viewer=viewer_id, after=after or 0)]


def following_posts(*, viewer: User) -> PostList:
    return PostList(viewer_window=followed_post_ids, one_per_story=True)


def hashtag_posts(*, viewer: User, tag: str) -> PostList:
    scope = Post.objects.filter(tag_rows__tag=tag.lower().removeprefix("#"))
    return PostList(scope=scope.exclude(visibility=Post.Visibility.PRIVATE))


def _profile(viewer: User, handle: str) -> User:
    user = active_user_by_handle(handle=handle)
    if user is None or is_blocked_between(viewer.pk, user.pk):
        raise NotFoundError("not_found", "No such user.")
    return user


def user_posts(*, viewer: User, handle: str) -> PostList:
    """A profile's posts: hidden creators still show when visited on purpose."""
    return PostList(scope=Post.objects.filter(author=_profile(viewer, handle)),
                    discoverable=False)


def appearance_posts(*, viewer: User, handle: str) -> PostList:
    """Public posts whose video casts this person (their cameo appearances)."""
    person = _profile(viewer, handle)
    return PostList(scope=Post.objects.filter(visibility=Post.Visibility.PUBLIC,
                                              cast_rows__handle=person.handle))


def remix_posts(*, viewer: User, video_id: UUID) -> PostList:
    """Published remixes of a post the viewer may see (a hidden parent is a 404)."""
    post_get_visible(viewer=viewer, video_id=video_id)
    return PostList(scope=Post.objects.filter(parent_video_id=video_id))

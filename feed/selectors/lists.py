"""The post lists behind each feed endpoint, newest first; pagination is the caller's."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db.models import QuerySet

from accounts.facade import User, blocked_either_way_q, is_blocked_between
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


@dataclass(frozen=True)
class PostList:
    """`scope`: the list's own cheap, index-driven filter (who, which tag...). Pages take a
    window of ids from the scope first (window_ids), then apply every rule of who may see what
    to that window only (selectors.pages), so a page never joins more rows than it shows.
    `viewer_scope`: instead of `scope`, for a list whose scope depends on the viewer's id
    alone (following): its window query is then compiled once per shape.
    `discoverable`: the rules drop hidden creators and "not interested" posts too."""

    scope: QuerySet[Post] | None = None
    viewer_scope: Callable[[int], QuerySet[Post]] | None = None
    discoverable: bool = True


def window_ids(posts: PostList, *, viewer_id: int, after: int | None, limit: int) -> list[int]:
    """The newest `limit` ids of the list's scope, below `after` when given (index only)."""
    if posts.scope is not None:
        scope = posts.scope.filter(id__lt=after) if after is not None else posts.scope
        return list(scope.order_by("-id").values_list("id", flat=True)[:limit])
    viewer_scope = posts.viewer_scope
    if viewer_scope is None:
        raise ValueError("a PostList has a scope or a viewer_scope")

    def build(stand_ins: StandIns) -> QuerySet[Post, Any]:
        scope = viewer_scope(stand_ins.one("viewer"))
        if after is not None:
            scope = scope.filter(id__lt=stand_ins.one("after"))
        return scope.order_by("-id").values("id")[:limit]

    key = ("feed.window", viewer_scope.__module__, viewer_scope.__qualname__, after is None,
           limit)
    return [row["id"] for row in compiled(key, build).rows(viewer=viewer_id, after=after or 0)]


def _following_scope(viewer_id: int) -> QuerySet[Post]:
    return (Post.objects.filter(author_id__in=followee_ids(viewer_id))
            .exclude(visibility=Post.Visibility.PRIVATE))


def following_posts(*, viewer: User) -> PostList:
    return PostList(viewer_scope=_following_scope)


def hashtag_posts(*, viewer: User, tag: str) -> PostList:
    scope = Post.objects.filter(tag_rows__tag=tag.lower().removeprefix("#"))
    return PostList(scope=scope.exclude(visibility=Post.Visibility.PRIVATE))


def _profile(viewer: User, handle: str) -> User:
    user = User.objects.filter(handle=handle.lower().removeprefix("@"), is_active=True).first()
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

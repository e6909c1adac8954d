"""The post lists behind each feed endpoint, newest first; pagination is the caller's."""

from dataclasses import dataclass
from uuid import UUID

from django.db.models import QuerySet

from accounts.facade import User, blocked_either_way_q, is_blocked_between
from core.errors import NotFoundError

from ..models import HiddenCreator, NotInterested, Post
from .visibility import feed_posts_for, followee_ids, post_get_visible


def discoverable_posts(viewer: User) -> QuerySet[Post]:
    """Feed posts minus blocked (either way) and hidden creators and posts marked not
    interested."""
    return discoverable_posts_for(viewer.pk, teen=viewer.is_teen)


def discoverable_posts_for(viewer_id: int, *, teen: bool) -> QuerySet[Post]:
    """discoverable_posts by the viewer's id (compiled queries pass a stand-in)."""
    hidden = HiddenCreator.objects.filter(user_id=viewer_id).values("creator_id")
    not_interested = NotInterested.objects.filter(user_id=viewer_id).values("post_id")
    return (feed_posts_for(viewer_id, teen=teen)
            .exclude(blocked_either_way_q(viewer_id, "author_id"))
            .exclude(author_id__in=hidden).exclude(id__in=not_interested))


@dataclass(frozen=True)
class PostList:
    """`scope`: the list's own cheap, index-driven filter (who, which tag...). Pages take a
    window of ids from the scope first, then apply every rule of who may see what to that
    window only (selectors.pages), so a page never joins more rows than it shows.
    `discoverable`: the rules drop hidden creators and "not interested" posts too."""

    scope: QuerySet[Post]
    discoverable: bool = True


def following_posts(*, viewer: User) -> PostList:
    return PostList(Post.objects.filter(author_id__in=followee_ids(viewer.pk))
                    .exclude(visibility=Post.Visibility.PRIVATE))


def hashtag_posts(*, viewer: User, tag: str) -> PostList:
    scope = Post.objects.filter(tag_rows__tag=tag.lower().removeprefix("#"))
    return PostList(scope.exclude(visibility=Post.Visibility.PRIVATE))


def _profile(viewer: User, handle: str) -> User:
    user = User.objects.filter(handle=handle.lower().removeprefix("@"), is_active=True).first()
    if user is None or is_blocked_between(viewer.pk, user.pk):
        raise NotFoundError("not_found", "No such user.")
    return user


def user_posts(*, viewer: User, handle: str) -> PostList:
    """A profile's posts: hidden creators still show when visited on purpose."""
    return PostList(Post.objects.filter(author=_profile(viewer, handle)), discoverable=False)


def appearance_posts(*, viewer: User, handle: str) -> PostList:
    """Public posts whose video casts this person (their cameo appearances)."""
    person = _profile(viewer, handle)
    return PostList(Post.objects.filter(visibility=Post.Visibility.PUBLIC,
                                        cast_rows__handle=person.handle))


def remix_posts(*, viewer: User, video_id: UUID) -> PostList:
    """Published remixes of a post the viewer may see (a hidden parent is a 404)."""
    post_get_visible(viewer=viewer, video_id=video_id)
    return PostList(Post.objects.filter(parent_video_id=video_id))

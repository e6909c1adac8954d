"""The post lists behind each feed endpoint, newest first; pagination is the caller's."""

from uuid import UUID

from django.db.models import QuerySet

from accounts.facade import User, blocked_user_ids, is_blocked_between
from core.errors import NotFoundError

from ..models import HiddenCreator, NotInterested, Post
from .visibility import feed_posts, followee_ids, post_get_visible


def discoverable_posts(viewer: User) -> QuerySet[Post]:
    """Feed posts minus blocked and hidden creators and posts marked not interested."""
    hidden = HiddenCreator.objects.filter(user_id=viewer.pk).values("creator_id")
    not_interested = NotInterested.objects.filter(user_id=viewer.pk).values("post_id")
    return (feed_posts(viewer).exclude(author_id__in=blocked_user_ids(viewer.pk))
            .exclude(author_id__in=hidden).exclude(id__in=not_interested))


def following_posts(*, viewer: User) -> QuerySet[Post]:
    return discoverable_posts(viewer).filter(author_id__in=followee_ids(viewer.pk))


def hashtag_posts(*, viewer: User, tag: str) -> QuerySet[Post]:
    return discoverable_posts(viewer).filter(tag_rows__tag=tag.lower().removeprefix("#"))


def _profile(viewer: User, handle: str) -> User:
    user = User.objects.filter(handle=handle.lower().removeprefix("@"), is_active=True).first()
    if user is None or is_blocked_between(viewer.pk, user.pk):
        raise NotFoundError("not_found", "No such user.")
    return user


def user_posts(*, viewer: User, handle: str) -> QuerySet[Post]:
    """A profile's posts: hidden creators still show when visited on purpose."""
    return feed_posts(viewer).filter(author=_profile(viewer, handle))


def appearance_posts(*, viewer: User, handle: str) -> QuerySet[Post]:
    """Public posts whose video casts this person (their cameo appearances)."""
    person = _profile(viewer, handle)
    return discoverable_posts(viewer).filter(visibility=Post.Visibility.PUBLIC,
                                             cast_rows__handle=person.handle)


def remix_posts(*, viewer: User, video_id: UUID) -> QuerySet[Post]:
    """Published remixes of a post the viewer may see (a hidden parent is a 404)."""
    post_get_visible(viewer=viewer, video_id=video_id)
    return discoverable_posts(viewer).filter(parent_video_id=video_id)

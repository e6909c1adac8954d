"""Who sees which post: the one place the audience, moderation and teen rules are written.

Every list and every single-post lookup goes through these predicates, so private, blocked and
moderated posts cannot leak through one endpoint that forgot a filter.
"""

from datetime import date, datetime
from typing import Any, Protocol
from uuid import UUID

from django.conf import settings
from django.db.models import Func, IntegerField, OuterRef, Q, QuerySet, Subquery, UUIDField
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.facade import User, blocked_user_ids, follow_rows, follows
from core.errors import NotFoundError
from generation.facade import STATUS_COMPLETED

from ..models import Post

Visibility = Post.Visibility


class ShownVideo(Protocol):
    """What post_may_see reads of a video: its row (post.video) or generation's VideoAccess."""

    @property
    def status(self) -> str: ...
    @property
    def deleted_at(self) -> datetime | None: ...
    @property
    def held_for_review(self) -> bool: ...


def followee_ids(viewer_id: int) -> QuerySet[Any, int]:
    """A subquery of the people the viewer follows (kept in SQL: never loaded into Python)."""
    return follow_rows(follower_id=viewer_id).values_list("followee_id", flat=True)


def reachable_q() -> Q:
    """A post whose video is publishable right now: completed, not deleted, no open case.
    (Whether the creator is still active is checked where the page is loaded: see
    selectors.pages.)"""
    return Q(video__status=STATUS_COMPLETED, video__deleted_at__isnull=True,
             video__held_for_review=False)


def in_feeds_q() -> Q:
    """Reachable and not restricted by moderation (restricted videos stay off every feed)."""
    return reachable_q() & Q(video__restricted=False)


def audience_q(viewer_id: int) -> Q:
    return (Q(visibility=Visibility.PUBLIC)
            | Q(visibility=Visibility.FOLLOWERS, author_id__in=followee_ids(viewer_id))
            | Q(author_id=viewer_id))


def teen_cutoff() -> date:
    """Born after this date: a minor today (same rule as User.is_teen)."""
    today = timezone.now().date()
    try:
        return today.replace(year=today.year - settings.ADULT_AGE)
    except ValueError:  # 29 February
        return today.replace(year=today.year - settings.ADULT_AGE, day=28)


def teen_safe_q(viewer_id: int) -> Q:
    """Teens see no labelled videos, and adults' posts only from adults they follow."""
    return Q(video__label="") & (Q(author__birthdate__gt=teen_cutoff())
                                 | Q(author_id__in=followee_ids(viewer_id))
                                 | Q(author_id=viewer_id))


def feed_posts(viewer_id: int, *, teen: bool, candidates: bool = False) -> QuerySet[Post]:
    """Posts the viewer may meet in any feed or list (per-list filters come on top). By id:
    compiled queries pass a stand-in.

    `candidates`: read the post's copy of the video's state (Post.in_feeds) instead of joining
    the video: half the random reads of a for-you source. Only for candidates, never for what
    is shown: the page load checks the video itself (selectors.pages), so a stale copy can
    drop a candidate late but never show a post."""
    in_feeds = Q(in_feeds=True) if candidates else in_feeds_q()
    posts = Post.objects.filter(in_feeds & audience_q(viewer_id))
    return posts.filter(teen_safe_q(viewer_id)) if teen else posts


def story_id_of() -> Coalesce:
    """A post's story: its root video (a root post is its own story's root)."""
    return Coalesce("root_video_id", "video_id", output_field=UUIDField())


def story_branches() -> Subquery:
    """Per post row: how many public branches its story has that feeds may show (never a
    private or taken-down one, like every public count)."""
    root = Coalesce(OuterRef("root_video_id"), OuterRef("video_id"), output_field=UUIDField())
    count = (Post.objects.filter(root_video_id=root, visibility=Post.Visibility.PUBLIC,
                                 in_feeds=True)
             # COUNT(*): no column needed, so the partial index alone answers it.
             .order_by().annotate(n=Func(template="COUNT(*)", output_field=IntegerField()))
             .values("n"))
    return Subquery(count, output_field=IntegerField())


def post_may_see(*, viewer_id: int, post: Post, video: ShownVideo) -> bool:
    """One post by direct link (detail, likes, comments, remix source); video is post.video."""
    if post.author_id == viewer_id:
        return video.deleted_at is None
    if (video.status != STATUS_COMPLETED or video.deleted_at is not None
            or video.held_for_review or post.visibility == Visibility.PRIVATE):
        return False
    if post.visibility == Visibility.FOLLOWERS and not follows(viewer_id, post.author_id):
        return False
    return post.author_id not in blocked_user_ids(viewer_id)


def post_get_visible(*, viewer: User, video_id: UUID, with_story: bool = False) -> Post:
    """The post of a video as the viewer may see it; anything else is a plain 404.
    `with_story`: annotate its story's public branch count (`story_branches`), for output."""
    posts = Post.objects.select_related("video", "author").filter(video_id=video_id,
                                                                   author__is_active=True)
    if with_story:
        posts = posts.annotate(story_branches=story_branches())
    post = posts.first()
    if post is None or not post_may_see(viewer_id=viewer.pk, post=post, video=post.video):
        raise NotFoundError("not_found", "No such post.")
    if viewer.is_teen and post.author_id != viewer.pk and post.video.label:
        raise NotFoundError("not_found", "No such post.")
    return post

"""For-you candidates and the viewer's taste.

Four sources, each one indexed query of at most FEED_CANDIDATES_PER_SOURCE rows: people I follow
(newest), trending (hot_score), remixes of videos I liked recently, and fresh public posts. All
exclusion rules are in SQL (discoverable_posts), so ranking only orders what may be shown.
"""

from collections import Counter

from django.conf import settings
from django.db.models import QuerySet

from accounts.facade import User

from ..models import Like, Post, SteeringTerm
from ..ranking import Candidate, Taste
from .lists import discoverable_posts
from .visibility import followee_ids

_CANDIDATE_FIELDS = ("id", "author_id", "published_at", "like_count", "comment_count",
                     "share_count", "remix_count", "caption", "hashtags")
_RECENT_LIKES = 200
_ENGAGED_VIDEOS = 50


def viewer_taste(*, viewer: User) -> Taste:
    recent = (Like.objects.filter(user_id=viewer.pk).order_by("-id")
              .values_list("post__author_id", flat=True)[:_RECENT_LIKES])
    steering = list(SteeringTerm.objects.filter(user_id=viewer.pk)
                    .values_list("term", "direction"))
    more = frozenset(t for t, d in steering if d == SteeringTerm.Direction.MORE)
    return Taste(followed=frozenset(followee_ids(viewer.pk)), liked_authors=Counter(recent),
                 more=more, less=frozenset(t for t, d in steering if t not in more))


def _candidates(posts: QuerySet[Post]) -> list[Candidate]:
    limit = settings.FEED_CANDIDATES_PER_SOURCE
    return [Candidate(*row) for row in posts.values_list(*_CANDIDATE_FIELDS)[:limit]]


def _newest(scope: QuerySet[Post]) -> QuerySet[Post]:
    """The newest ids of a scope, from its index alone: the rules then join only these."""
    window = 2 * settings.FEED_CANDIDATES_PER_SOURCE
    return Post.objects.filter(id__in=scope.order_by("-id").values("id")[:window])


def for_you_candidates(*, viewer: User) -> list[Candidate]:
    base = discoverable_posts(viewer).exclude(author_id=viewer.pk)
    public = base.filter(visibility=Post.Visibility.PUBLIC)
    engaged = (Like.objects.filter(user_id=viewer.pk).order_by("-id")
               .values("post__video_id")[:_ENGAGED_VIDEOS])
    followed = _newest(Post.objects.filter(author_id__in=followee_ids(viewer.pk)))
    remixes = _newest(Post.objects.filter(parent_video_id__in=engaged))
    return (_candidates(base.filter(id__in=followed.values("id")).order_by("-id"))
            + _candidates(public.order_by("-hot_score", "-id"))
            + _candidates(base.filter(id__in=remixes.values("id")).order_by("-id"))
            + _candidates(public.order_by("-id")))

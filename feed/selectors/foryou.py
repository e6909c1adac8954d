"""For-you candidates and the viewer's taste.

Four sources, each an indexed query of at most FEED_CANDIDATES_PER_SOURCE rows: people I follow
(newest), trending (hot_score), remixes of videos I liked recently, and fresh public posts. All
exclusion rules are in SQL (discoverable_posts), so ranking only orders what may be shown. The
four go to the database as one UNION ALL: one round trip instead of four.
"""

from collections import Counter
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import QuerySet

from accounts.facade import User

from ..models import Like, Post, SteeringTerm
from ..ranking import Candidate, Taste
from .visibility import followee_ids

_CANDIDATE_FIELDS = ("id", "author_id", "published_at", "like_count", "comment_count",
                     "share_count", "remix_count")
# Only steering reads the words of a post: without steering terms they are not fetched.
_TEXT_FIELDS = ("caption", "hashtags")
_RECENT_LIKES = 200
_ENGAGED_VIDEOS = 50


def taste_cache_key(viewer: User) -> str:
    # date_joined too: an id reused by a rolled-back test database never reads another's taste.
    return f"feed:taste:{viewer.pk}:{viewer.date_joined.timestamp()}"


def viewer_taste(*, viewer: User) -> Taste:
    """Cached FEED_TASTE_TTL_S: three queries saved on most first pages. Affinity from new
    follows may lag that long; likes and steering changes drop the entry (services)."""
    taste = cache.get(taste_cache_key(viewer))
    if not isinstance(taste, Taste):
        taste = _taste_load(viewer)
        cache.set(taste_cache_key(viewer), taste, timeout=settings.FEED_TASTE_TTL_S)
    return taste


def _taste_load(viewer: User) -> Taste:
    recent = (Like.objects.filter(user_id=viewer.pk).order_by("-id")
              .values_list("post__author_id", flat=True)[:_RECENT_LIKES])
    steering = list(SteeringTerm.objects.filter(user_id=viewer.pk)
                    .values_list("term", "direction"))
    more = frozenset(t for t, d in steering if d == SteeringTerm.Direction.MORE)
    return Taste(followed=frozenset(followee_ids(viewer.pk)), liked_authors=Counter(recent),
                 more=more, less=frozenset(t for t, d in steering if t not in more))


def _newest(scope: QuerySet[Post]) -> QuerySet[Post, Any]:
    """The newest ids of a scope, from its index alone: the rules then join only these.
    A quarter more than a source takes leaves room for the few the rules drop; every row of
    the window costs the rules two random reads (the post and its video)."""
    window = settings.FEED_CANDIDATES_PER_SOURCE * 5 // 4
    return scope.order_by("-id").values("id")[:window]


def for_you_candidates(*, viewer: User, visible: QuerySet[Post], taste: Taste) -> list[Candidate]:
    """`visible`: discoverable_posts(viewer), shared with the page load."""
    base = visible.exclude(author_id=viewer.pk)
    public = base.filter(visibility=Post.Visibility.PUBLIC)
    engaged = (Like.objects.filter(user_id=viewer.pk).order_by("-id")
               .values("post__video_id")[:_ENGAGED_VIDEOS])
    followed = _newest(Post.objects.filter(author_id__in=followee_ids(viewer.pk)))
    remixes = _newest(Post.objects.filter(parent_video_id__in=engaged))
    sources = [base.filter(id__in=followed).order_by("-id"),
               public.order_by("-hot_score", "-id"),
               base.filter(id__in=remixes).order_by("-id"),
               public.order_by("-id")]
    fields = _CANDIDATE_FIELDS + (_TEXT_FIELDS if taste.more or taste.less else ())
    limit = settings.FEED_CANDIDATES_PER_SOURCE
    parts = [source.values_list(*fields)[:limit] for source in sources]
    if connection.features.supports_slicing_ordering_in_compound:
        rows = list(parts[0].union(*parts[1:], all=True))
    else:  # SQLite cannot limit the parts of a UNION: one query per source there
        rows = [row for part in parts for row in part]
    return [Candidate(*row) for row in rows]

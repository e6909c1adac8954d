"""For-you candidates and the viewer's taste.

Four sources of at most FEED_CANDIDATES_PER_SOURCE posts each: people I follow (newest),
remixes of videos I liked recently, trending (hot_score) and fresh public posts. The first two
are the viewer's own: indexed queries with every exclusion rule in SQL (discoverable_posts),
sent as one UNION ALL and compiled once per shape; they read the posts' copy of the video
state (Post.in_feeds), and the page load re-checks the video. The last two are the same for
everyone, so they come from the process's shared pools (selectors.pools), filtered here by the
viewer's blocks, hides, "not interested" marks and own posts. Ranking thus only orders what may be
shown.
"""

from collections import Counter
from collections.abc import Callable
from functools import partial
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import QuerySet

from accounts.facade import User, blocked_user_ids
from core.compiled_queries import CompiledQuery, StandIns, compiled

from ..models import HiddenCreator, Like, NotInterested, Post, SteeringTerm
from ..ranking import Candidate, Taste
from .lists import discoverable_posts, followed_post_ids
from .pools import CANDIDATE_FIELDS, TEXT_FIELDS, shared_candidates
from .visibility import followee_ids, story_id_of, teen_cutoff

_RECENT_LIKES = 200
_ENGAGED_VIDEOS = 50
# Marks older than these still hold on every page load; they only stop thinning the candidates.
_NOT_INTERESTED_KEPT = 1000


def taste_cache_key(viewer: User) -> str:
    # date_joined too: an id reused by a rolled-back test database never reads another's taste.
    return f"feed:taste:{viewer.pk}:{viewer.date_joined.timestamp()}"


def viewer_taste(*, viewer: User) -> Taste:
    """Cached FEED_TASTE_TTL_S: five queries saved on most first pages. Affinity from new
    follows may lag that long; likes, hides, "not interested" and steering changes drop the
    entry (services)."""
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
    hidden = HiddenCreator.objects.filter(user_id=viewer.pk).values_list("creator_id", flat=True)
    not_interested = (NotInterested.objects.filter(user_id=viewer.pk).order_by("-id")
                      .values_list("post_id", flat=True)[:_NOT_INTERESTED_KEPT])
    return Taste(followed=frozenset(followee_ids(viewer.pk)), liked_authors=Counter(recent),
                 more=more, less=frozenset(t for t, d in steering if t not in more),
                 hidden=frozenset(hidden), not_interested=frozenset(not_interested))


def _newest(scope: QuerySet[Post], window: int) -> QuerySet[Post, Any]:
    """The newest ids of a scope, from its index alone: the rules then read only these.
    A quarter more than a source takes (the window) leaves room for the few the rules drop."""
    return scope.order_by("-id").values("id")[:window]


def for_you_candidates(*, viewer: User, taste: Taste) -> list[Candidate]:
    own = [Candidate(**row) for query in _own_queries(viewer, taste)
           for row in query.rows(viewer=viewer.pk)]
    # The pools are filtered in Python: they need the block list itself.
    return own + _shared_for(viewer, taste, blocked_user_ids(viewer.pk))


def _own_queries(viewer: User, taste: Taste) -> list[CompiledQuery]:
    """The viewer's two sources as compiled queries (core.compiled_queries): one UNION ALL,
    or one query each where the database cannot limit the parts of a UNION (SQLite)."""
    teen, steering = viewer.is_teen, bool(taste.more or taste.less)
    # Only steering reads the words of a post: without steering terms they are not fetched.
    fields = CANDIDATE_FIELDS + (TEXT_FIELDS if steering else ())
    limit = settings.FEED_CANDIDATES_PER_SOURCE
    key = ("feed.foryou", teen, teen_cutoff() if teen else None, fields, limit)

    def sources(stand_ins: StandIns) -> list[QuerySet[Post, Any]]:
        viewer_id = stand_ins.one("viewer")
        visible = discoverable_posts(viewer_id, teen=teen, candidates=True)
        base = visible.exclude(author_id=viewer_id)
        # The newest likes first, then their posts: joining first reads every liked post.
        liked = (Like.objects.filter(user_id=viewer_id).order_by("-id")
                 .values("post_id")[:_ENGAGED_VIDEOS])
        engaged = Post.objects.filter(id__in=liked).values("video_id")
        window = settings.FEED_CANDIDATES_PER_SOURCE * 5 // 4
        followed = followed_post_ids(viewer_id, limit=window)
        remixes = _newest(Post.objects.filter(parent_video_id__in=engaged), window)
        return [base.filter(id__in=ids).order_by("-id")
                .values(*fields, story_id=story_id_of())[:limit]
                for ids in (followed, remixes)]

    def union(stand_ins: StandIns) -> QuerySet[Post, Any]:
        followed, remixes = sources(stand_ins)
        return followed.union(remixes, all=True)

    if connection.features.supports_slicing_ordering_in_compound:
        return [compiled(key, union)]
    return [compiled((*key, part), partial(_part, sources, part)) for part in (0, 1)]


def _part(sources: Callable[[StandIns], list[QuerySet[Post, Any]]], part: int,
          stand_ins: StandIns) -> QuerySet[Post, Any]:
    return sources(stand_ins)[part]


def _shared_for(viewer: User, taste: Taste, blocked: set[int]) -> list[Candidate]:
    """The shared pools minus what this viewer must not get (the rules the pools cannot know)."""
    away = blocked | taste.hidden | {viewer.pk}
    limit = settings.FEED_CANDIDATES_PER_SOURCE
    return [candidate for pool in shared_candidates(teen=viewer.is_teen)
            for candidate in [c for c in pool
                              if c.author_id not in away and c.id not in taste.not_interested
                              ][:limit]]

"""Trending and fresh for-you candidates: the same lists for every viewer of one audience.

Two of the four for-you sources do not depend on who asks (public posts, by hot_score and by
age), so each web process loads them once every FEED_POOL_TTL_S and every first page filters
them in Python by its own exclusions (blocks, hidden creators, not interested, own posts). A
pool a few seconds old only changes the order of the candidates: the page load re-checks every
shown post against all the visibility rules (selectors.pages), so a post taken down since still
never shows.

Teens get their own pool: unlabelled posts of teen creators (the teen rule's shared part; the
adults a teen follows reach them through the followed source).
"""

import threading
import time
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import QuerySet

from ..models import Post
from ..ranking import Candidate
from .visibility import in_feeds_q, teen_cutoff

# hot_base, not published_at: a float loads several times faster than a timestamptz.
CANDIDATE_FIELDS = ("id", "author_id", "hot_base", "like_count", "comment_count",
                    "share_count", "remix_count")
TEXT_FIELDS = ("caption", "hashtags")


Pools = tuple[tuple[Candidate, ...], ...]  # trending, then fresh


@dataclass(frozen=True)
class _Pool:
    loaded_at: float
    candidates: Pools


_pools: dict[tuple[str, date | None], _Pool] = {}
_loading = threading.Lock()


def _public(teen_cutoff_date: date | None) -> QuerySet[Post]:
    posts = Post.objects.filter(in_feeds_q(), visibility=Post.Visibility.PUBLIC,
                                author__is_active=True)
    if teen_cutoff_date is not None:
        posts = posts.filter(video__label="", author__birthdate__gt=teen_cutoff_date)
    return posts


def _load(teen_cutoff_date: date | None) -> Pools:
    # A quarter more than a source takes: room for one viewer's exclusions.
    size = settings.FEED_CANDIDATES_PER_SOURCE * 5 // 4
    public = _public(teen_cutoff_date).values_list(*CANDIDATE_FIELDS, *TEXT_FIELDS)
    return tuple(tuple(Candidate(*row) for row in public.order_by(*order)[:size])
                 for order in (("-hot_score", "-id"), ("-id",)))


def shared_candidates(*, teen: bool) -> Pools:
    """Trending and fresh public candidates, at most FEED_POOL_TTL_S old.

    When a pool expires, one thread reloads it while the others go on with the old one, so a
    busy process never queues its requests behind the reload.
    """
    key = ("teen", teen_cutoff()) if teen else ("all", None)
    pool = _pools.get(key)
    if pool is not None and _fresh(pool):
        return pool.candidates
    if pool is not None and not _loading.acquire(blocking=False):
        return pool.candidates  # someone else is reloading it
    if pool is None:
        _loading.acquire()
    try:
        pool = _pools.get(key)
        if pool is None or not _fresh(pool):
            pool = _Pool(loaded_at=time.monotonic(), candidates=_load(key[1]))
            # The teen key moves on at midnight: yesterday's pool goes.
            for stale in [k for k in _pools if k[0] == key[0] and k != key]:
                del _pools[stale]
            _pools[key] = pool
        return pool.candidates
    finally:
        _loading.release()


def _fresh(pool: _Pool) -> bool:
    return time.monotonic() - pool.loaded_at < settings.FEED_POOL_TTL_S


def shared_pools_clear() -> None:
    """Forget every pool of this process (tests that turn the pools on start from here)."""
    _pools.clear()

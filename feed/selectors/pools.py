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
from django.db import connections
from django.db.models import QuerySet

from ..models import Post
from ..ranking import Candidate
from .visibility import story_id_of, teen_cutoff

# hot_base, not published_at: a float loads several times faster than a timestamptz.
# Then the story (Candidate.story_id, one post per story in for-you), then TEXT_FIELDS.
CANDIDATE_FIELDS = ("id", "author_id", "hot_base", "like_count", "comment_count",
                    "share_count", "remix_count")
TEXT_FIELDS = ("caption", "hashtags")


Pools = tuple[tuple[Candidate, ...], ...]  # trending, then fresh


@dataclass(frozen=True)
class _Pool:
    loaded_at: float
    candidates: Pools


_Key = tuple[str, date | None]
_pools: dict[_Key, _Pool] = {}
_loading = threading.Lock()


def _public(teen_cutoff_date: date | None) -> QuerySet[Post]:
    # The posts' copy of the video state: the page load re-checks the video (selectors.pages).
    posts = Post.objects.filter(in_feeds=True, visibility=Post.Visibility.PUBLIC,
                                author__is_active=True)
    if teen_cutoff_date is not None:
        posts = posts.filter(video__label="", author__birthdate__gt=teen_cutoff_date)
    return posts


def _load(teen_cutoff_date: date | None) -> Pools:
    # A quarter more than a source takes: room for one viewer's exclusions.
    size = settings.FEED_CANDIDATES_PER_SOURCE * 5 // 4
    public = _public(teen_cutoff_date).values_list(*CANDIDATE_FIELDS, story_id_of(),
                                                   *TEXT_FIELDS)
    return tuple(tuple(Candidate(*row) for row in public.order_by(*order)[:size])
                 for order in (("-hot_score", "-id"), ("-id",)))


def shared_candidates(*, teen: bool) -> Pools:
    """Trending and fresh public candidates, at most about FEED_POOL_TTL_S old (0: no pool,
    loaded on every call).

    Only a process's first request waits for a load. After that, an expired pool is still
    served while one background thread reloads it, so no request pays for the reload (it
    took tens of milliseconds on the bench data: a spike in every tail).
    """
    key = ("teen", teen_cutoff()) if teen else ("all", None)
    if settings.FEED_POOL_TTL_S <= 0:
        return _load(key[1])
    pool = _pools.get(key)
    if pool is None:
        with _loading:
            pool = _pools.get(key) or _store(key)
    elif not _fresh(pool) and _loading.acquire(blocking=False):
        threading.Thread(target=_reload, args=(key,), daemon=True,
                         name="feed-pool-reload").start()
    return pool.candidates


def _reload(key: _Key) -> None:
    try:
        _store(key)
    finally:
        _loading.release()
        connections.close_all()  # this thread's connection goes back to the pool


def _store(key: _Key) -> _Pool:
    pool = _Pool(loaded_at=time.monotonic(), candidates=_load(key[1]))
    # The teen key moves on at midnight: yesterday's pool goes.
    for stale in [k for k in _pools if k[0] == key[0] and k != key]:
        del _pools[stale]
    _pools[key] = pool
    return pool


def _fresh(pool: _Pool) -> bool:
    return time.monotonic() - pool.loaded_at < settings.FEED_POOL_TTL_S


def shared_pools_clear() -> None:
    """Forget every pool of this process (tests that turn the pools on start from here)."""
    _pools.clear()

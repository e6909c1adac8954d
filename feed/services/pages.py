"""Serving feed pages: the teen quota, cursors and for-you snapshots.

Chronological lists page by an id keyset (`id < last id`): ids grow with publish time, so a
post published between two fetches lands above the first page and no later page shifts.

For-you pages come from a snapshot: the first page ranks the candidates once, keeps the ranked
ids in the cache (Redis in production: shared by every worker, no INSERT and commit on the first
page, expiry for free) and hands out a cursor naming the snapshot and an offset. Later pages slice
that frozen list, so new posts, new likes and changing scores cannot duplicate or skip anything;
each slice is re-filtered through the visibility rules, so a block, a hide, a deletion or a
moderation decision made since still takes effect at once. A snapshot lives FEED_SNAPSHOT_TTL_S.
"""

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from accounts.facade import User
from core.errors import DomainError

from .. import cursors
from ..ranking import diversify, one_per_story, rank
from ..selectors.foryou import for_you_candidates, viewer_taste
from ..selectors.lists import PostList, window_ids
from ..selectors.pages import PostRow, page_rows
from .quota import feed_quota_refund, feed_quota_take

# Ids scanned per page, as a multiple of the page size: room for the rules to drop some.
_WINDOW = 3


@dataclass(frozen=True)
class Page:
    posts: list[PostRow]
    next_cursor: str | None


def page_size_clamp(requested: int | None) -> int:
    if requested is None:
        return settings.FEED_PAGE_SIZE
    return max(1, min(requested, settings.FEED_MAX_PAGE_SIZE))


def _page(viewer: User, posts: list[PostRow], granted: int, next_cursor: str | None) -> Page:
    feed_quota_refund(user=viewer, unused=granted - len(posts))
    return Page(posts=posts, next_cursor=next_cursor)


def _one_per_story(rows: list[PostRow]) -> list[PostRow]:
    """Newest first: the newest post of each story on the page stays."""
    seen: set[object] = set()  # story ids
    out = []
    for row in rows:
        if row["story_id"] not in seen:
            seen.add(row["story_id"])
            out.append(row)
    return out


def chronological_page(*, viewer: User, posts: PostList, cursor: str | None,
                       page_size: int | None = None) -> Page:
    """Newest first by id keyset. The ids come from a window of the list's scope (index only),
    then the visibility rules run on that window; when they drop so many that the page comes
    out short, the cursor still moves past the whole window, so nothing is skipped twice."""
    after = cursors.keyset_decode(cursor)
    size = feed_quota_take(user=viewer, wanted=page_size_clamp(page_size))
    window = window_ids(posts, viewer_id=viewer.pk, after=after, limit=size * _WINDOW + 1)
    window_full = len(window) > size * _WINDOW
    window = window[:size * _WINDOW]
    shown = page_rows(viewer=viewer, ids=window, discoverable=posts.discoverable,
                      newest=size + 1)
    next_after: int | None
    if len(shown) > size:
        shown, next_after = shown[:size], shown[size - 1]["id"]
    else:
        next_after = window[-1] if window_full else None
    if posts.one_per_story:
        shown = _one_per_story(shown)
    return _page(viewer, shown, size,
                 cursors.keyset_encode(next_after) if next_after is not None else None)


@dataclass(frozen=True)
class Snapshot:
    id: int
    post_ids: list[int]
    page_size: int
    created_at: float  # epoch seconds: the TTL is checked on read too, so a shorter setting bites


def _snapshot_key(viewer: User, snapshot_id: int) -> str:
    # The viewer is part of the key: someone else's cursor finds nothing (410).
    return f"feed:foryou:{viewer.pk}:{snapshot_id}"


def _snapshot_create(viewer: User, page_size: int) -> Snapshot:
    now = timezone.now()
    taste = viewer_taste(viewer=viewer)
    candidates = for_you_candidates(viewer=viewer, taste=taste)
    ranked = rank(candidates, taste, now)
    ids = diversify(one_per_story(ranked), page_size=page_size,
                    per_creator=settings.FEED_MAX_PER_CREATOR_PER_PAGE)
    # Random ids: nothing to allocate, and cursors cannot be guessed from one another.
    snapshot = Snapshot(id=secrets.randbits(48), post_ids=ids, page_size=page_size,
                        created_at=now.timestamp())
    cache.set(_snapshot_key(viewer, snapshot.id),
              (snapshot.post_ids, snapshot.page_size, snapshot.created_at),
              timeout=max(1, settings.FEED_SNAPSHOT_TTL_S))
    return snapshot


def _snapshot_get(viewer: User, snapshot_id: int) -> Snapshot:
    stored = cache.get(_snapshot_key(viewer, snapshot_id))
    if (stored is None
            or stored[2] < timezone.now().timestamp() - settings.FEED_SNAPSHOT_TTL_S):
        raise DomainError("feed.cursor_expired", "This feed session expired; start from the top.",
                          status_code=410)
    return Snapshot(id=snapshot_id, post_ids=stored[0], page_size=stored[1],
                    created_at=stored[2])


def for_you_page(*, viewer: User, cursor: str | None, page_size: int | None = None) -> Page:
    position = cursors.snapshot_decode(cursor)
    if position is None:
        snapshot, offset = _snapshot_create(viewer, page_size_clamp(page_size)), 0
    else:
        snapshot, offset = _snapshot_get(viewer, position.snapshot_id), position.offset
    size = feed_quota_take(user=viewer, wanted=snapshot.page_size)
    ids = snapshot.post_ids[offset:offset + size]
    # Re-checked now: anything blocked, hidden or moderated since the snapshot drops out.
    loaded = page_rows(viewer=viewer, ids=ids)
    end = offset + len(ids)
    more = end < len(snapshot.post_ids)
    return _page(viewer, loaded, size,
                 cursors.snapshot_encode(snapshot.id, end) if more else None)

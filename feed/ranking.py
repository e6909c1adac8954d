"""For-you ranking, pure functions: scores from recency, velocity, remixes, affinity, steering.

Kept free of the ORM so the weights can be unit-tested and tuned without a database.
"""

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

# Decay constant of hot_score: a post needs e times the points to beat one 12 h newer.
HOT_DECAY_S = 12 * 3600
POINTS = {"like_count": 1, "comment_count": 2, "share_count": 2, "remix_count": 3}

W_RECENCY = 1.0
W_VELOCITY = 1.5
W_REMIX = 0.5
W_FOLLOWED = 1.0
W_LIKED_AUTHOR = 0.8
W_MORE = 1.0
W_LESS = -3.0  # "less of" wins over everything else but the block and hide rules

_WORD = re.compile(r"[a-z0-9_]+")


def hot_base(published_at: datetime) -> float:
    return published_at.timestamp() / HOT_DECAY_S


@dataclass(frozen=True)
class Candidate:
    id: int
    author_id: int
    hot_base: float  # publish time / HOT_DECAY_S: a float column, cheaper to load than a datetime
    like_count: int
    comment_count: int
    share_count: int
    remix_count: int
    story_id: UUID | None = None  # the story's root video (selectors.visibility.story_id_of)
    caption: str = ""
    hashtags: list[str] = field(default_factory=list)

    @property
    def points(self) -> int:
        return (self.like_count + 2 * self.comment_count + 2 * self.share_count
                + 3 * self.remix_count)

    @property
    def published_ts(self) -> float:
        return self.hot_base * HOT_DECAY_S

    def terms(self) -> set[str]:
        return set(self.hashtags) | set(_WORD.findall(self.caption.lower()))


@dataclass(frozen=True)
class Taste:
    """What the viewer told us, directly (steering) or by acting (follows, likes)."""

    followed: frozenset[int] = frozenset()
    liked_authors: Counter[int] = field(default_factory=Counter)
    more: frozenset[str] = frozenset()
    less: frozenset[str] = frozenset()
    hidden: frozenset[int] = frozenset()  # creators the viewer hid
    not_interested: frozenset[int] = frozenset()  # the newest posts marked "not interested"


def score(candidate: Candidate, taste: Taste, now_ts: float) -> float:
    age_h = max((now_ts - candidate.published_ts) / 3600, 0.0)
    recency = math.exp(-age_h / 24)
    velocity = math.log1p(candidate.points / (age_h + 2))
    remix = math.log1p(candidate.remix_count)
    # .get: a Counter's [] on a missing key goes through __missing__, a Python call.
    affinity = (W_FOLLOWED * (candidate.author_id in taste.followed)
                + W_LIKED_AUTHOR * min(taste.liked_authors.get(candidate.author_id, 0), 4) / 4)
    steering = 0.0
    if taste.more or taste.less:
        terms = candidate.terms()
        steering = W_MORE * bool(terms & taste.more) + W_LESS * bool(terms & taste.less)
    return (W_RECENCY * recency + W_VELOCITY * velocity + W_REMIX * remix + affinity
            + steering)


def rank(candidates: Iterable[Candidate], taste: Taste, now: datetime) -> list[Candidate]:
    unique = {c.id: c for c in candidates}.values()
    now_ts = now.timestamp()
    return sorted(unique, key=lambda c: (-score(c, taste, now_ts), -c.id))


def one_per_story(ranked: list[Candidate]) -> list[Candidate]:
    """A relay is one story, not ten near-duplicates: keep each story's best-ranked post."""
    seen: set[UUID | None] = set()
    out: list[Candidate] = []
    for candidate in ranked:
        if candidate.story_id is None or candidate.story_id not in seen:
            seen.add(candidate.story_id)
            out.append(candidate)
    return out


def diversify(ranked: list[Candidate], *, page_size: int, per_creator: int) -> list[int]:
    """Pack pages in rank order with at most `per_creator` posts of one creator per page.

    Posts over the cap move to the next page; when a page cannot be filled any more (only a
    few creators left) it is the last one, so every page of the result obeys the cap.
    """
    out: list[int] = []
    pending = ranked
    while pending:
        per_author: Counter[int] = Counter()
        page: list[Candidate] = []
        deferred: list[Candidate] = []
        for position, candidate in enumerate(pending):
            if len(page) == page_size:
                deferred.extend(pending[position:])
                break
            if per_author[candidate.author_id] < per_creator:
                page.append(candidate)
                per_author[candidate.author_id] += 1
            else:
                deferred.append(candidate)
        out.extend(c.id for c in page)
        if len(page) < page_size:
            break
        pending = deferred
    return out

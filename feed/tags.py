"""Hashtag and steering-term normalisation: lower case, no '#', letters, digits, underscores."""

import re
from collections.abc import Iterable

from django.conf import settings

from core.errors import DomainError

TAG_RE = re.compile(r"^[a-z0-9_]{1,50}$")
_CAPTION_TAG = re.compile(r"#([A-Za-z0-9_]{1,50})")


def term_normalise(raw: str) -> str:
    term = raw.strip().lower().removeprefix("#")
    if not TAG_RE.match(term):
        raise DomainError("feed.invalid_term", f"'{raw}' is not a valid tag or topic: use "
                          "1-50 letters, digits or underscores.", fields={"term": [raw]})
    return term


def hashtags_from(explicit: Iterable[str], caption: str) -> list[str]:
    """Explicit tags plus the #tags of the caption, deduplicated in order."""
    tags = [term_normalise(t) for t in explicit]
    tags += [t.lower() for t in _CAPTION_TAG.findall(caption)]
    unique = list(dict.fromkeys(tags))
    if len(unique) > settings.FEED_MAX_HASHTAGS:
        raise DomainError("feed.too_many_hashtags",
                          f"At most {settings.FEED_MAX_HASHTAGS} hashtags per post.",
                          fields={"hashtags": ["Too many."]})
    return unique

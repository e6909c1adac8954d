"""Registry of moderated target types: apps tell moderation how to find a target's owner,
how to enforce a decision on it and how to show it to a moderator.

`enforce(target_id, action)` receives "remove", "restrict" or "label", or CLEARED on a dismissal
(enforcers ignore actions that mean nothing for their targets); an overturned appeal calls it
again with the matching entry of REVERSAL_OF. It runs inside the decision's transaction, so
an enforcer that raises rolls the decision back.

`visible_to(target_id, user_id)` says whether that user may see the target; a report on
something the reporter cannot see is refused exactly like one on an unknown id, so reports
cannot probe for drafts, private posts or their comments.

`describe(target_id)` returns a dict for the console; every key is optional:
  title, text, url, video_url, thumbnails (list of URLs), prompt, provenance (dict or str).
"""

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from core.errors import DomainError

# Sent to `enforce` when a case is dismissed: content held for review may be released.
CLEARED = "clear"
REVERSAL_OF = {"remove": "unremove", "restrict": "unrestrict", "label": "unlabel"}

OwnerOf = Callable[[str], int | None]
Enforce = Callable[[str, str], None]
Describe = Callable[[str], dict[str, Any]]
VisibleTo = Callable[[str, int], bool]


@dataclass(frozen=True, slots=True)
class TargetType:
    name: str
    # None: no such target.
    owner_of: OwnerOf
    enforce: Enforce
    describe: Describe
    # None: anyone who can name the target may see it.
    visible_to: VisibleTo | None = None


log = logging.getLogger(__name__)
_registry: dict[str, TargetType] = {}
_lock = threading.Lock()


def target_register(target_type: str, *, owner_of: OwnerOf, enforce: Enforce,
                    describe: Describe, visible_to: VisibleTo | None = None) -> None:
    """Register (or replace) a target type; call from the app's AppConfig.ready()."""
    with _lock:
        _registry[target_type] = TargetType(target_type, owner_of, enforce, describe,
                                            visible_to)


def target_type_get(target_type: str) -> TargetType:
    found = _registry.get(target_type)
    if found is None:
        raise DomainError("moderation.unknown_target_type",
                          f"Unknown target type {target_type!r}.",
                          fields={"target_type": ["Unknown target type."]})
    return found


def target_describe(target_type: str, target_id: str) -> dict[str, Any]:
    """What the console shows; empty when the type is not registered in this process."""
    found = _registry.get(target_type)
    if found is None:
        return {}
    try:
        return found.describe(target_id)
    except Exception:
        # A broken describe hook must not take the case page down with it.
        log.exception("describe failed for %s:%s", target_type, target_id)
        return {}

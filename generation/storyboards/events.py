"""A storyboard's change, published with the transaction that made it: stored for every
member (their /ws/events replays it) and told live to the storyboard's room."""

from typing import Any

from events.facade import event_publish, events_publish_many, room_publish

from .models import Storyboard

CHANGED = "storyboard.changed"
ACCESS_REMOVED = "storyboard.access_removed"


def room_of(storyboard_id: object) -> str:
    return f"storyboard:{storyboard_id}"


def storyboard_changed_publish(*, storyboard: Storyboard, member_ids: list[int], kind: str,
                               by: str, data: dict[str, Any]) -> None:
    payload = {"storyboard_id": str(storyboard.pk), "revision": storyboard.revision,
               "kind": kind, "by": by, **data}
    events_publish_many(events=[(user_id, CHANGED, payload) for user_id in member_ids])
    room_publish(room=room_of(storyboard.pk), payload={"type": CHANGED, **payload})


def storyboard_access_removed_publish(*, storyboard: Storyboard, user_id: int) -> None:
    event_publish(user_id=user_id, type=ACCESS_REMOVED,
                  payload={"storyboard_id": str(storyboard.pk)})

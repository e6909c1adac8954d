"""/ws/storyboards/<id>: a storyboard's room (events.facade.RoomConsumer). Members get every
change live (the copy of the stored event) and presence: who is here (handle), who is
editing which shot (an editor sends {"type": "editing", "shot": <id or null>})."""

from typing import Any
from uuid import UUID

from channels.db import database_sync_to_async

from accounts.facade import user_get
from core.errors import NotFoundError
from events.facade import RoomConsumer

from .events import room_of
from .models import StoryboardCollaborator
from .selectors import OWNER, membership


@database_sync_to_async
def _member(user_id: int, storyboard_id: UUID) -> tuple[str, bool] | None:
    """(handle, may edit) of a member, or None."""
    user = user_get(user_id=user_id, active=True)
    if user is None:
        return None
    try:
        _, role = membership(user=user, storyboard_id=storyboard_id)
    except NotFoundError:
        return None
    return user.handle, role in (OWNER, StoryboardCollaborator.Role.EDITOR)


class StoryboardConsumer(RoomConsumer):
    handle = ""
    may_edit = False
    editing: int | None = None

    def _storyboard_id(self) -> UUID:
        return UUID(str(self.scope["url_route"]["kwargs"]["storyboard_id"]))

    async def room_name(self) -> str:
        return room_of(self._storyboard_id())

    async def room_admit(self) -> bool:
        member = await _member(self.user_id, self._storyboard_id())
        if member is None:
            return False
        self.handle, self.may_edit = member
        return True

    def presence(self) -> dict[str, Any]:
        return {"handle": self.handle, "socket": self.key, "editing": self.editing}

    async def room_received(self, content: dict[str, Any]) -> None:
        if content.get("type") == "editing" and self.may_edit:
            shot = content.get("shot")
            self.editing = shot if isinstance(shot, int) and not isinstance(shot, bool) else None
            await self.presence_changed()

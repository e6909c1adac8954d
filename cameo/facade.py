"""What other apps may use of cameo: plain values only."""

from uuid import UUID

from .selectors import uses_likeness_of


def cameo_in_video(*, user_id: int, video_id: UUID | str) -> bool:
    """True when the user's likeness is (or was) cast in the video."""
    return uses_likeness_of(user_id, video_id)

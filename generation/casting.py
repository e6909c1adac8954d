"""Who is cast in a video: the seam where the cameo app plugs into generation.

Generation must not import cameo (cameo lists the videos that use a likeness, so it depends on
generation); cameo registers a provider here at start-up instead.
"""

from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

import numpy as np
import numpy.typing as npt

from core.errors import DomainError

# fence() answer meaning "not now": the provider re-queued the job (an owner must approve it).
FENCE_PARKED = "cameo.approval_pending"


@dataclass(frozen=True)
class CastMember:
    handle: str
    user_id: int
    receipt_id: str
    receipt_sha256: str
    preferences: str  # the owner's "always wears a red scarf", added to the prompt


class CastingProvider(Protocol):
    def cast(self, *, requester_id: int, video_id: UUID, handles: list[str], prompt: str
             ) -> list[CastMember]:
        """Check consent and record a receipt per cast person (in the caller's transaction);
        raise DomainError when someone may not be cast."""
        ...

    def fence(self, *, video_id: UUID) -> str | None:
        """None while every consent of the video still holds, FENCE_PARKED when the job was
        put back to wait for an owner's approval, else the error code to stop with."""
        ...

    def reference_frames(self, *, video_id: UUID) -> list[npt.NDArray[np.uint8]]:
        """Reference frames of the cast people, to condition generation."""
        ...


class _NoCameos:
    def cast(self, *, requester_id: int, video_id: UUID, handles: list[str], prompt: str
             ) -> list[CastMember]:
        if handles:
            raise DomainError("cameo.unavailable", "Cameos are not available here.")
        return []

    def fence(self, *, video_id: UUID) -> str | None:
        return None

    def reference_frames(self, *, video_id: UUID) -> list[npt.NDArray[np.uint8]]:
        return []


_provider: CastingProvider = _NoCameos()


def casting_provider_register(provider: CastingProvider) -> None:
    global _provider
    _provider = provider


def casting() -> CastingProvider:
    return _provider

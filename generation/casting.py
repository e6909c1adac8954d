"""Who is cast in a video: the seam where the cameo app plugs into generation.

Generation must not import cameo (cameo lists the videos that use a likeness, so it depends on
generation); cameo registers a provider here at start-up instead.
"""

from dataclasses import dataclass
from enum import Enum
from typing import Protocol
from uuid import UUID

import numpy as np
import numpy.typing as npt

from core.errors import DomainError


class FenceOutcome(Enum):
    """What the consent fence found for a running job."""

    HOLDS = "holds"  # every consent still holds: the job goes on
    PARKED = "parked"  # the provider put the job back in the queue until an owner approves
    BROKEN = "broken"  # a consent is gone: the job stops, blocked, with the verdict's code


@dataclass(frozen=True)
class FenceVerdict:
    outcome: FenceOutcome
    code: str = ""  # the error code a BROKEN fence stops the job with

    @classmethod
    def broken(cls, code: str) -> "FenceVerdict":
        return cls(FenceOutcome.BROKEN, code)


FENCE_HOLDS = FenceVerdict(FenceOutcome.HOLDS)
FENCE_PARKED = FenceVerdict(FenceOutcome.PARKED, "cameo.approval_pending")


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

    def fence(self, *, video_id: UUID) -> FenceVerdict:
        """Re-check every consent of a running job (and park it if an owner must approve)."""
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

    def fence(self, *, video_id: UUID) -> FenceVerdict:
        return FENCE_HOLDS

    def reference_frames(self, *, video_id: UUID) -> list[npt.NDArray[np.uint8]]:
        return []


_provider: CastingProvider = _NoCameos()


def casting_provider_register(provider: CastingProvider) -> None:
    global _provider
    _provider = provider


def casting() -> CastingProvider:
    return _provider

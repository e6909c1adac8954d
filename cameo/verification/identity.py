"""Identity: consistency across frames and matching against identities the caller supplies."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from .reasons import Reason

ENCODING_SIZE = 128


@dataclass(frozen=True)
class Candidate:
    key: str  # the caller's id for this face: a cameo id, an account id, a registry entry
    encoding: np.ndarray


@dataclass(frozen=True)
class Match:
    key: str
    distance: float


@dataclass(frozen=True)
class KnownIdentities:
    """What the caller knows: the owner's earlier verified face, other accounts' faces, and the
    protected-likeness registry."""

    owner: np.ndarray | None = None
    other_accounts: Sequence[Candidate] = field(default_factory=tuple)
    protected: Sequence[Candidate] = field(default_factory=tuple)


def match_identity(
    encoding: np.ndarray, candidates: Iterable[Candidate], threshold: float
) -> Match | None:
    """The closest candidate strictly under `threshold` (Euclidean distance), or None."""
    best: Match | None = None
    for candidate in candidates:
        distance = float(np.linalg.norm(np.asarray(candidate.encoding) - encoding))
        if distance < threshold and (best is None or distance < best.distance):
            best = Match(key=candidate.key, distance=distance)
    return best


def check_identity(
    encoding: np.ndarray, known: KnownIdentities, threshold: float
) -> tuple[list[Reason], dict[str, Match]]:
    """Reasons to reject this face, plus the matches that caused them (for the audit log)."""
    reasons: list[Reason] = []
    matches: dict[str, Match] = {}
    if known.owner is not None:
        owner = match_identity(encoding, [Candidate("owner", known.owner)], threshold)
        if owner is None:
            reasons.append(Reason.OWNER_MISMATCH)
    for reason, candidates in (
        (Reason.DUPLICATE_IDENTITY, known.other_accounts),
        (Reason.PROTECTED_LIKENESS, known.protected),
    ):
        match = match_identity(encoding, candidates, threshold)
        if match is not None:
            reasons.append(reason)
            matches[reason.value] = match
    return reasons, matches


def main_identity(encodings: np.ndarray, threshold: float) -> np.ndarray:
    """Mask of the frames that show the video's main person.

    The reference is the mean of the medoid's nearest half: it averages out the noise of
    turned or blurred faces (same person: < 0.6 from it) while a spliced-in second person
    stays far from it.
    """
    distances = np.linalg.norm(encodings[:, None, :] - encodings[None, :, :], axis=2)
    medoid = int(np.argmin(distances.sum(axis=1)))
    nearest = np.argsort(distances[medoid])[: max(1, len(encodings) // 2)]
    centre = encodings[nearest].mean(axis=0)
    return np.linalg.norm(encodings - centre, axis=1) < threshold


def encoding_to_bytes(encoding: np.ndarray) -> bytes:
    """Compact storage form (float32, 512 bytes); encrypt it with cameo.crypto at rest."""
    return np.asarray(encoding, dtype="<f4").tobytes()


def encoding_from_bytes(data: bytes) -> np.ndarray:
    values = np.frombuffer(data, dtype="<f4")
    if values.size != ENCODING_SIZE:
        raise ValueError(f"expected {ENCODING_SIZE} floats, got {values.size}")
    return values.astype(np.float64)

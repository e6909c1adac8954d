"""Output likeness check: a generated face may be a consented cameo of the job, or nobody
known; a face of another enrolled person or of the protected registry blocks the video."""

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from cameo.verification import Candidate, match_identity
from moderation.facade import Action, Category, DetectedFace, Match, ReasonCode, Verdict

from . import vault
from .models import Cameo, CameoFrame, ProtectedLikeness, Receipt

THRESHOLD = 0.6  # face_recognition's "same person" distance


def enrolled_candidates(*, exclude_owner_id: int | None = None) -> list[Candidate]:
    """Every verified cameo's mean and per-frame encodings, keyed "cameo:<owner id>"."""
    candidates = []
    cameos = Cameo.objects.filter(status=Cameo.Status.VERIFIED, encoding__isnull=False)
    if exclude_owner_id is not None:
        cameos = cameos.exclude(owner_id=exclude_owner_id)
    for cameo_id, owner_id, blob in cameos.values_list("pk", "owner_id", "encoding"):
        candidates.append(Candidate(f"cameo:{owner_id}", vault.unseal_encoding(
            bytes(blob or b""), bound_to=f"cameo:{cameo_id}")))
    frames = CameoFrame.objects.filter(cameo__status=Cameo.Status.VERIFIED)
    if exclude_owner_id is not None:
        frames = frames.exclude(cameo__owner_id=exclude_owner_id)
    for frame_id, frame_owner_id, frame_blob in frames.values_list("pk", "cameo__owner_id",
                                                                   "encoding"):
        candidates.append(Candidate(f"cameo:{frame_owner_id}", vault.unseal_encoding(
            bytes(frame_blob), bound_to=f"frame:{frame_id}")))
    return candidates


def protected_candidates() -> list[Candidate]:
    return [Candidate(f"protected:{pk}", vault.unseal_encoding(blob, bound_to=f"protected:{pk}"))
            for pk, blob in ProtectedLikeness.objects.values_list("pk", "encoding")]


def _block(rule_id: str) -> Match:
    return Match(Category.IMPERSONATION, ReasonCode.OUTPUT_LIKENESS, Action.BLOCK, rule_id,
                 "output")


def output_likeness_check(faces: Sequence[DetectedFace], context: Mapping[str, Any]
                          ) -> Verdict:
    video_id = context.get("video_id")
    consented = {f"cameo:{owner_id}" for owner_id in Receipt.objects.filter(
        video_id=str(video_id), revoked_at__isnull=True).values_list("owner_id", flat=True)
    } if video_id else set()
    candidates = enrolled_candidates() + protected_candidates()
    matches = []
    for face in faces:
        encoding: npt.NDArray[np.float64] = np.asarray(face.encoding, dtype=np.float64)
        best = match_identity(encoding, candidates, THRESHOLD)
        if best is not None and best.key not in consented:
            # rule ids are for moderators; the requester only sees the reason code
            matches.append(_block(best.key))
    return Verdict.from_matches(matches)

"""Stage 2: judge the evidence against the challenge and the known identities."""

import io
import os
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, TypedDict, Unpack

import numpy as np
from PIL import Image

from .config import VerificationConfig
from .evidence import Evidence, Observation, collect_evidence
from .identity import KnownIdentities, check_identity, main_identity
from .liveness import detect_turns, nonrigid_motion, yaw_proxy
from .media import AUDIO_RATE
from .protocols import SpeechRecognizer, SpoofDetector
from .reasons import Reason

SPOOF_THRESHOLD = 0.5
# Share of the phrase's words an ASR must hear (it will miss a word now and then).
MIN_PHRASE_RECALL = 0.75


@dataclass(frozen=True)
class VerificationResult:
    status: Literal["verified", "rejected"]
    reasons: list[str]
    encoding: np.ndarray | None = None  # mean 128-d encoding of the enrolled person
    encodings: list[np.ndarray] = field(default_factory=list)  # of the reference frames
    reference_frames: list[bytes] = field(default_factory=list)  # JPEG, face-centred
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage + total
    details: dict[str, object] = field(default_factory=dict)  # measurements, for audit

    @property
    def verified(self) -> bool:
        return self.status == "verified"


def _jpeg(rgb: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(rgb).save(out, format="JPEG", quality=90)
    return out.getvalue()


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z]+", text.lower())


def _check_audio(
    evidence: Evidence, phrase: str, recognizer: SpeechRecognizer | None, config: VerificationConfig
) -> list[Reason]:
    if evidence.audio is None:
        return [Reason.NO_AUDIO]
    words = _words(phrase)
    if evidence.speech_seconds < config.speech_seconds_per_word * len(words):
        return [Reason.NO_SPEECH]
    if recognizer is not None:
        heard = set(_words(recognizer.transcribe(evidence.audio, AUDIO_RATE)))
        if sum(w in heard for w in words) < MIN_PHRASE_RECALL * len(words):
            return [Reason.PHRASE_MISMATCH]
    return []


def _check_faces(observations: Sequence[Observation], config: VerificationConfig) -> list[Reason]:
    total = max(len(observations), 1)
    single = sum(o.face_count == 1 for o in observations) / total
    multi = sum(o.face_count > 1 for o in observations) / total
    if multi > config.max_multi_face_share:
        return [Reason.MULTIPLE_FACES]
    if single < config.min_single_face_share:
        return [Reason.NO_FACE]
    return []


def _codes(reasons: Sequence[Reason]) -> list[str]:
    return [r.value for r in dict.fromkeys(reasons)]


def _rejected(
    reasons: Sequence[Reason], timings: dict[str, float], details: dict[str, object]
) -> VerificationResult:
    """A rejection before any face was usable: no encodings or frames to hand back."""
    return VerificationResult("rejected", _codes(reasons), timings=timings, details=details)


def _reference_indices(yaws: Sequence[float], count: int) -> list[int]:
    """Most frontal first, then the two most turned views: useful conditioning frames."""
    order = [int(np.argmin(np.abs(yaws))), int(np.argmin(yaws)), int(np.argmax(yaws))]
    return list(dict.fromkeys(order))[:count]


class Checks(TypedDict, total=False):
    """The optional checks an enrollment is judged by, beside its challenge (moves, phrase):
    the identities it must not be, the speech recogniser, the spoof detector, the thresholds."""

    known: KnownIdentities | None
    recognizer: SpeechRecognizer | None
    spoof_detector: SpoofDetector | None
    config: VerificationConfig | None


def judge(evidence: Evidence, *, moves: Sequence[str], phrase: str,
          **checks: Unpack[Checks]) -> VerificationResult:
    config = checks.get("config") or VerificationConfig()
    known = checks.get("known")
    spoof_detector = checks.get("spoof_detector")
    timings = dict(evidence.timings)
    details: dict[str, object] = {"duration": round(evidence.duration, 2)}
    if evidence.fatal:
        return _rejected(evidence.fatal, timings, details)

    reasons = _check_audio(evidence, phrase, checks.get("recognizer"), config)
    details["speech_seconds"] = round(evidence.speech_seconds, 2)
    reasons += _check_faces(evidence.observations, config)
    seen = [o.single for o in evidence.observations if o.single is not None]
    details["frames"] = len(evidence.observations)
    details["single_face_frames"] = len(seen)
    if not seen:
        return _rejected(reasons, timings, details)

    started = time.perf_counter()
    encodings = np.array([s.face.encoding for s in seen])
    mask = main_identity(encodings, config.identity_threshold)
    details["foreign_frames"] = int((~mask).sum())
    if (~mask).sum() > config.max_foreign_frames:
        reasons.append(Reason.IDENTITY_INCONSISTENT)
    main = [s for s, keep in zip(seen, mask, strict=True) if keep]
    if not main:  # no person dominates: nothing to enroll
        return _rejected([*reasons, Reason.IDENTITY_INCONSISTENT], timings, details)
    track = [s.face.landmarks for s in main]
    yaws = [yaw_proxy(points) for points in track]
    if len(track) < config.min_liveness_frames:
        reasons.append(Reason.LIVENESS_FAILED)
    else:
        residual = nonrigid_motion(track)
        turns = detect_turns(yaws, on=config.turn_on, off=config.turn_off, mirrored=config.mirrored)
        details.update(nonrigid_residual=round(residual, 4), turns=turns)
        if residual < config.min_nonrigid_residual:
            reasons.append(Reason.STATIC_IMAGE)
        if turns != list(moves):
            reasons.append(Reason.WRONG_MOVES)
        crops = [s.crop for s in main]
        if spoof_detector is not None and spoof_detector.spoof_score(crops) >= SPOOF_THRESHOLD:
            reasons.append(Reason.SPOOF_DETECTED)
    timings["liveness"] = time.perf_counter() - started

    started = time.perf_counter()
    mean = encodings[mask].mean(axis=0)
    if known is not None:
        identity_reasons, matches = check_identity(mean, known, config.identity_threshold)
        reasons += identity_reasons
        details["matches"] = {k: (m.key, round(m.distance, 3)) for k, m in matches.items()}
    picks = _reference_indices(yaws, config.reference_frames)
    timings["identity"] = time.perf_counter() - started

    return VerificationResult(
        status="rejected" if reasons else "verified",
        reasons=_codes(reasons),
        encoding=mean,
        encodings=[main[i].face.encoding for i in picks],
        reference_frames=[_jpeg(main[i].crop) for i in picks],
        timings=timings,
        details=details,
    )


def verify_enrollment(video_path: str | os.PathLike[str], *, moves: Sequence[str], phrase: str,
                      **checks: Unpack[Checks]) -> VerificationResult:
    """Check an enrollment video against its challenge; reasons list every failed check."""
    started = time.perf_counter()
    evidence = collect_evidence(video_path, checks.get("config") or VerificationConfig())
    result = judge(evidence, moves=moves, phrase=phrase, **checks)
    result.timings["total"] = time.perf_counter() - started
    return result

"""Stage 1: everything measured from the video (decode, faces, audio), before any decision.

Kept apart from the decision so one costly analysis can be judged against several
challenges or identity sets (retries, re-checks when the registry grows, tests).
"""

import os
import time
from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from .audio import speech_seconds
from .config import VerificationConfig
from .faces import Face, detect_faces
from .media import AUDIO_RATE, MediaError, decode_audio, open_checked, sample_video
from .reasons import Reason

# Frame timestamps cover one frame less than the container's duration.
DURATION_SLACK = 0.5


@dataclass(frozen=True)
class Sighting:
    """The one face of a frame that shows exactly one."""

    face: Face
    crop: np.ndarray  # face-centred RGB crop


@dataclass(frozen=True)
class Observation:
    time: float
    face_count: int
    single: Sighting | None = None


@dataclass
class Evidence:
    fatal: list[Reason] = field(default_factory=list)  # the video could not be analysed
    duration: float = 0.0
    observations: list[Observation] = field(default_factory=list)
    audio: np.ndarray | None = None  # mono float32 at AUDIO_RATE; None when there is no track
    speech_seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)


def face_crop(rgb: np.ndarray, box: tuple[int, int, int, int], size: int) -> np.ndarray:
    """Square crop around the face with room for hair and chin (black outside the frame)."""
    left, top, right, bottom = box
    cx, cy = (left + right) / 2, (top + bottom) / 2
    half = max(right - left, bottom - top)
    region = (round(cx - half), round(cy - half), round(cx + half), round(cy + half))
    crop = Image.fromarray(rgb).crop(region).resize((size, size), Image.Resampling.BILINEAR)
    return np.asarray(crop)


def collect_evidence(path: str | os.PathLike[str], config: VerificationConfig) -> Evidence:
    evidence = Evidence()
    started = time.perf_counter()
    video = None
    try:
        evidence.duration = open_checked(path, config)
        if config.min_seconds <= evidence.duration <= config.max_seconds:
            video = sample_video(path, config)
            # The decoded span overrides a header that lies about the duration.
            if not (
                config.min_seconds - DURATION_SLACK
                <= video.duration
                <= config.max_seconds + DURATION_SLACK
            ):
                evidence.duration = video.duration
    except MediaError:
        evidence.fatal.append(Reason.VIDEO_UNREADABLE)
    if not evidence.fatal and evidence.duration < config.min_seconds:
        evidence.fatal.append(Reason.TOO_SHORT)
    elif not evidence.fatal and evidence.duration > config.max_seconds:
        evidence.fatal.append(Reason.TOO_LONG)
    evidence.timings["decode"] = time.perf_counter() - started
    if evidence.fatal or video is None:
        return evidence

    started = time.perf_counter()
    for frame in video.frames:
        faces = detect_faces(frame.rgb)
        single = None
        if len(faces) == 1:
            single = Sighting(faces[0], face_crop(frame.rgb, faces[0].box, config.reference_size))
        evidence.observations.append(Observation(frame.time, len(faces), single))
    evidence.timings["faces"] = time.perf_counter() - started

    started = time.perf_counter()
    try:
        evidence.audio = decode_audio(path, config) if video.has_audio else None
    except MediaError:
        evidence.audio = None
    if evidence.audio is not None:
        evidence.speech_seconds = speech_seconds(evidence.audio, AUDIO_RATE)
    evidence.timings["audio"] = time.perf_counter() - started
    return evidence

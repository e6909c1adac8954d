"""Checks on generated frames: nudity, faces handed to likeness checks, and the prompt again.

Generation calls check_output() after post-processing; the cameo app registers a likeness
check that compares face encodings with the consenting people of the video.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .categories import Action, Category, ReasonCode
from .classifiers import NUDENET_EXPOSED, NUDENET_SUGGESTIVE, ImageClassifier, NudeNetClassifier
from .engine import PolicyEngine, default_engine
from .verdict import Match, Verdict

log = logging.getLogger(__name__)

MAX_SAMPLED_FRAMES = 8
# Detector confidence at which a label blocks; teens are held to lower thresholds, and
# covered-but-suggestive labels count for them too.
NUDITY_THRESHOLDS = {label: 0.5 for label in NUDENET_EXPOSED}
TEEN_NUDITY_THRESHOLDS = {label: 0.35 for label in NUDENET_EXPOSED} | {
    label: 0.6 for label in NUDENET_SUGGESTIVE}
# HOG face detection is slow on large frames: find faces on a copy no wider than this.
FACE_DETECTION_WIDTH = 640


@dataclass(frozen=True, slots=True)
class DetectedFace:
    frame_index: int
    # (top, right, bottom, left) in the original frame's pixels, as face_recognition returns.
    box: tuple[int, int, int, int]
    # 128-d dlib embedding, comparable with face_recognition.compare_faces.
    encoding: np.ndarray


LikenessCheck = Callable[[Sequence[DetectedFace], Mapping[str, Any]], Verdict]
_likeness_checks: list[LikenessCheck] = []
_likeness_lock = threading.Lock()


def register_likeness_check(check: LikenessCheck) -> LikenessCheck:
    """Adds a check called with the faces found in a video (only when there are faces) and
    the caller's context; usable as a decorator. Registering the same function twice is a
    no-op."""
    with _likeness_lock:
        if check not in _likeness_checks:
            _likeness_checks.append(check)
    return check


def unregister_likeness_check(check: LikenessCheck) -> None:
    with _likeness_lock:
        if check in _likeness_checks:
            _likeness_checks.remove(check)


def sample_frames(frames: np.ndarray, count: int = MAX_SAMPLED_FRAMES) -> np.ndarray:
    """Indices of up to `count` frames spread evenly from first to last."""
    total = frames.shape[0]
    return np.unique(np.linspace(0, total - 1, num=min(count, total)).round().astype(int))


def check_nudity(frames: np.ndarray, *, teen: bool,
                 classifier: ImageClassifier | None = None) -> Verdict:
    thresholds = TEEN_NUDITY_THRESHOLDS if teen else NUDITY_THRESHOLDS
    classifier = classifier or NudeNetClassifier()
    scores: dict[str, float] = {}
    for frame_scores in classifier.classify_images(frames):
        for result in frame_scores:
            key = f"{classifier.name}:{result.label}"
            scores[key] = max(scores.get(key, 0.0), result.score)
    matches = [
        Match(Category.SEXUAL, ReasonCode.OUTPUT_NUDITY, Action.BLOCK, key, "output",
              score=score)
        for key, score in scores.items()
        if score >= thresholds.get(key.split(":", 1)[1], 2.0)
    ]
    return Verdict.from_matches(matches, scores)


def find_faces(frames: np.ndarray, indices: Sequence[int]) -> list[DetectedFace]:
    import face_recognition  # loads dlib models; only needed when frames are checked

    faces: list[DetectedFace] = []
    for index in indices:
        frame = np.ascontiguousarray(frames[index])
        scale = min(1.0, FACE_DETECTION_WIDTH / frame.shape[1])
        small = frame if scale == 1.0 else _resize(frame, scale)
        boxes = face_recognition.face_locations(small, model="hog")
        if not boxes:
            continue
        full_boxes = [tuple(round(v / scale) for v in box) for box in boxes]
        encodings = face_recognition.face_encodings(frame, known_face_locations=full_boxes)
        faces.extend(DetectedFace(int(index), box, enc)  # type: ignore[arg-type]
                     for box, enc in zip(full_boxes, encodings, strict=True))
    return faces


def _resize(frame: np.ndarray, scale: float) -> np.ndarray:
    import cv2

    height, width = frame.shape[:2]
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return cv2.resize(frame, size, interpolation=cv2.INTER_AREA)


def check_likeness(faces: Sequence[DetectedFace], context: Mapping[str, Any]) -> Verdict:
    with _likeness_lock:
        checks = list(_likeness_checks)
    verdicts = []
    for check in checks:
        try:
            verdicts.append(check(faces, context))
        except Exception:
            # Fail closed: a broken consent check must not let a video through unreviewed.
            log.exception("likeness check %r failed", check)
            verdicts.append(Verdict.from_matches([Match(
                Category.IMPERSONATION, ReasonCode.OUTPUT_CHECK_FAILED, Action.REVIEW,
                getattr(check, "__name__", repr(check)), "output")]))
    return Verdict.merge(*verdicts)


def check_output(frames: np.ndarray, *, prompt: str, teen: bool,
                 context: Mapping[str, Any], engine: PolicyEngine | None = None,
                 nudity_classifier: ImageClassifier | None = None) -> Verdict:
    """Checks a generated video. frames: [T, H, W, 3] uint8 RGB.

    context is passed to likeness checks as is; its "extra_rules" (cameo owner terms) are
    also applied to the prompt recheck.
    """
    if frames.ndim != 4 or frames.shape[-1] != 3 or frames.dtype != np.uint8 or not len(frames):
        raise ValueError(f"expected [T,H,W,3] uint8 frames, got {frames.shape} {frames.dtype}")
    indices = sample_frames(frames)
    sampled = frames[indices]
    verdicts = [
        (engine or default_engine()).check(prompt, teen=teen,
                                           extra_rules=context.get("extra_rules", ())),
        check_nudity(sampled, teen=teen, classifier=nudity_classifier),
    ]
    faces = find_faces(frames, indices.tolist())
    if faces:
        verdicts.append(check_likeness(faces, context))
    return Verdict.merge(*verdicts)

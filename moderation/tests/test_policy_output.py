"""Output checks on synthetic frames and, where present, the shared face photos."""

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pytest

from moderation.policy import Action, Category, Match, ReasonCode, Verdict, owner_rule_terms
from moderation.policy.classifiers import ClassifierScore, classifier_names, create_classifier
from moderation.policy.output import (
    DetectedFace,
    check_output,
    register_likeness_check,
    sample_frames,
    unregister_likeness_check,
)
from tests.faces import faces_dir

# DESIGN.md: the real photos live beside the project, never inside it.
FACES_DIR = faces_dir()


def _synthetic_frames(count: int = 12) -> np.ndarray:
    """A smooth colour gradient that drifts over time: no skin, no faces."""
    y, x = np.mgrid[0:96, 0:128]
    frames = [np.stack([(x + t * 8) % 256, (y * 2) % 256, np.full_like(x, 90)], axis=-1)
              for t in range(count)]
    return np.asarray(frames, dtype=np.uint8)


class _FakeNudity:
    name = "fake"

    def __init__(self, score: float) -> None:
        self.score = score
        self.frames_seen = 0

    def classify_images(self, frames: np.ndarray) -> list[list[ClassifierScore]]:
        self.frames_seen += len(frames)
        return [[ClassifierScore("BUTTOCKS_EXPOSED", Category.SEXUAL, self.score)]
                for _ in frames]


def test_sampling_spreads_up_to_eight_frames() -> None:
    assert sample_frames(np.zeros((100, 1, 1, 3), np.uint8)).tolist() == [
        0, 14, 28, 42, 57, 71, 85, 99]
    assert sample_frames(np.zeros((3, 1, 1, 3), np.uint8)).tolist() == [0, 1, 2]


def test_synthetic_frames_are_allowed_with_the_real_detector() -> None:
    verdict = check_output(_synthetic_frames(), prompt="a calm abstract gradient", teen=True,
                           context={})
    assert verdict.action is Action.ALLOW, verdict.matches
    assert not any(score >= 0.35 for score in verdict.scores.values())


def test_nudity_thresholds_are_stricter_for_teens() -> None:
    fake = _FakeNudity(score=0.4)
    frames = _synthetic_frames(20)
    adult = check_output(frames, prompt="a beach", teen=False, context={}, nudity_classifier=fake)
    teen = check_output(frames, prompt="a beach", teen=True, context={}, nudity_classifier=fake)
    assert adult.action is Action.ALLOW
    assert teen.action is Action.BLOCK and teen.codes == (ReasonCode.OUTPUT_NUDITY,)
    assert fake.frames_seen == 16  # 8 sampled frames per call


def test_prompt_is_rechecked_with_owner_rules() -> None:
    fake = _FakeNudity(score=0.0)
    verdict = check_output(_synthetic_frames(2), prompt="a senator waving", teen=False,
                           context={"extra_rules": owner_rule_terms(["senator"], rule_id="r")},
                           nudity_classifier=fake)
    assert verdict.codes == (ReasonCode.OWNER_RULE,)


def test_frames_are_validated() -> None:
    with pytest.raises(ValueError, match="uint8"):
        check_output(np.zeros((2, 8, 8, 3), np.float32), prompt="", teen=False, context={})


def test_registry_knows_nudenet() -> None:
    assert "nudenet" in classifier_names()
    assert create_classifier("nudenet").name == "nudenet"
    with pytest.raises(LookupError):
        create_classifier("does-not-exist")


def test_likeness_check_receives_face_encodings(monkeypatch: pytest.MonkeyPatch) -> None:
    # Only this test's check: apps (cameo) register their own at start-up.
    monkeypatch.setattr("moderation.policy.output._likeness_checks", [])
    photo = FACES_DIR / "obama.jpg"
    if not photo.is_file():
        pytest.skip(f"face fixture {photo} not found (set FACES_FIXTURES_DIR)")
    import face_recognition

    image = face_recognition.load_image_file(str(photo))
    calls: list[tuple[Sequence[DetectedFace], Mapping[str, Any]]] = []

    def likeness(faces: Sequence[DetectedFace], context: Mapping[str, Any]) -> Verdict:
        calls.append((faces, context))
        return Verdict.from_matches([Match(Category.IMPERSONATION, ReasonCode.OUTPUT_LIKENESS,
                                           Action.BLOCK, "test-likeness", "output")])

    register_likeness_check(likeness)
    try:
        frames = np.stack([image, image])
        verdict = check_output(frames, prompt="a man talking", teen=False,
                               context={"job": 7}, nudity_classifier=_FakeNudity(0.0))
        no_faces = check_output(_synthetic_frames(2), prompt="a wall", teen=False, context={},
                                nudity_classifier=_FakeNudity(0.0))
    finally:
        unregister_likeness_check(likeness)
    assert len(calls) == 1, "called only for the video with a face"
    faces, context = calls[0]
    assert context == {"job": 7}
    assert len(faces) == 2 and {face.frame_index for face in faces} == {0, 1}
    assert faces[0].encoding.shape == (128,)
    reference = face_recognition.face_encodings(image)[0]
    assert face_recognition.face_distance([reference], faces[0].encoding)[0] < 0.1
    assert verdict.codes == (ReasonCode.OUTPUT_LIKENESS,)
    assert no_faces.action is Action.ALLOW


def test_a_failing_likeness_check_sends_the_video_to_review() -> None:
    photo = FACES_DIR / "obama.jpg"
    if not photo.is_file():
        pytest.skip(f"face fixture {photo} not found (set FACES_FIXTURES_DIR)")
    import face_recognition

    def broken(faces: Sequence[DetectedFace], context: Mapping[str, Any]) -> Verdict:
        raise RuntimeError("db down")

    register_likeness_check(broken)
    try:
        verdict = check_output(face_recognition.load_image_file(str(photo))[None],
                               prompt="a man", teen=False, context={},
                               nudity_classifier=_FakeNudity(0.0))
    finally:
        unregister_likeness_check(broken)
    assert verdict.action is Action.REVIEW
    assert verdict.codes == (ReasonCode.OUTPUT_CHECK_FAILED,)

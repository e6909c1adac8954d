"""End-to-end verification of enrollment videos built from the real face fixtures."""

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from cameo_media import (
    PERFORMER_SPAN,
    PERFORMER_TURNS,
    PHRASE,
    clip_audio,
    clip_frames,
    fixture_path,
    speech_like,
    still_frames,
    write_video,
)

from cameo.verification import (
    Candidate,
    Evidence,
    KnownIdentities,
    SpeechRecognizer,
    SpoofDetector,
    VerificationConfig,
    collect_evidence,
    judge,
    verify_enrollment,
)

Encode = Callable[[str], np.ndarray]


@pytest.fixture(scope="module")
def performer_evidence(performer_video: Path) -> Evidence:
    return collect_evidence(performer_video, VerificationConfig())


def test_real_enrollment_is_verified(performer_video: Path, photo_encoding: Encode) -> None:
    owner = photo_encoding("performer.png")
    result = verify_enrollment(
        performer_video,
        moves=PERFORMER_TURNS,
        phrase=PHRASE,
        known=KnownIdentities(
            owner=owner, protected=[Candidate("potus", photo_encoding("obama.jpg"))]
        ),
    )
    assert result.reasons == []
    assert result.verified
    assert result.details["turns"] == PERFORMER_TURNS
    assert result.encoding is not None and result.encoding.shape == (128,)
    assert np.linalg.norm(result.encoding - owner) < 0.6
    assert 1 <= len(result.encodings) == len(result.reference_frames) <= 3
    assert all(frame.startswith(b"\xff\xd8") for frame in result.reference_frames)
    assert {"decode", "faces", "liveness", "audio", "identity", "total"} <= result.timings.keys()


def test_opposite_moves_are_rejected(performer_evidence: Evidence) -> None:
    opposite = ["left" if move == "right" else "right" for move in PERFORMER_TURNS]
    result = judge(performer_evidence, moves=opposite, phrase=PHRASE)
    assert result.reasons == ["cameo.wrong_moves"]
    assert judge(performer_evidence, moves=PERFORMER_TURNS[:2], phrase=PHRASE).reasons == [
        "cameo.wrong_moves"
    ]


def test_face_enrolled_by_another_account_is_a_duplicate(
    performer_evidence: Evidence, photo_encoding: Encode
) -> None:
    known = KnownIdentities(
        other_accounts=[
            Candidate("account-7", photo_encoding("biden.jpg")),
            Candidate("account-9", photo_encoding("performer.png")),
        ]
    )
    result = judge(performer_evidence, moves=PERFORMER_TURNS, phrase=PHRASE, known=known)
    assert result.reasons == ["cameo.duplicate_identity"]
    assert result.details["matches"]["cameo.duplicate_identity"][0] == "account-9"  # type: ignore[index]


def test_someone_else_than_the_owner_is_rejected(
    performer_evidence: Evidence, photo_encoding: Encode
) -> None:
    known = KnownIdentities(owner=photo_encoding("obama.jpg"))
    result = judge(performer_evidence, moves=PERFORMER_TURNS, phrase=PHRASE, known=known)
    assert result.reasons == ["cameo.owner_mismatch"]


def test_protected_likeness_is_rejected(
    performer_evidence: Evidence, photo_encoding: Encode
) -> None:
    known = KnownIdentities(protected=[Candidate("registry-1", photo_encoding("performer.png"))])
    result = judge(performer_evidence, moves=PERFORMER_TURNS, phrase=PHRASE, known=known)
    assert result.reasons == ["cameo.protected_likeness"]


def test_panned_still_photo_fails_liveness(media_dir: Path) -> None:
    video = write_video(
        media_dir / "still.mp4",
        still_frames(fixture_path("performer.png"), 4.0, 12),
        12,
        speech_like(4.0),
    )
    result = verify_enrollment(video, moves=PERFORMER_TURNS, phrase=PHRASE)
    assert not result.verified
    assert "cameo.static_image" in result.reasons
    assert "cameo.no_face" not in result.reasons  # the face was seen: it just did not move


def test_photo_of_a_public_figure_hits_the_registry(
    media_dir: Path, photo_encoding: Encode
) -> None:
    video = write_video(
        media_dir / "obama.mp4",
        still_frames(fixture_path("obama.jpg"), 4.0, 12),
        12,
        speech_like(4.0),
    )
    registry = [
        Candidate("biden", photo_encoding("biden.jpg")),
        Candidate("obama", photo_encoding("obama2.jpg")),
    ]
    result = verify_enrollment(
        video, moves=["left", "right"], phrase=PHRASE, known=KnownIdentities(protected=registry)
    )
    assert "cameo.protected_likeness" in result.reasons
    assert "cameo.static_image" in result.reasons
    assert result.details["matches"]["cameo.protected_likeness"][0] == "obama"  # type: ignore[index]


def test_splice_of_two_people_is_rejected(media_dir: Path) -> None:
    clip = fixture_path("performer_clip.mp4")
    start = PERFORMER_SPAN[0]
    frames = [
        *clip_frames(clip, start, start + 2.5),
        *still_frames(fixture_path("obama.jpg"), 2.5, 30),
    ]
    audio = np.concatenate([clip_audio(clip, start, start + 2.5), speech_like(2.5)])
    video = write_video(media_dir / "splice.mp4", frames, 30, audio)
    result = verify_enrollment(video, moves=PERFORMER_TURNS, phrase=PHRASE)
    assert "cameo.identity_inconsistent" in result.reasons


def test_too_short_video(media_dir: Path) -> None:
    video = write_video(
        media_dir / "short.mp4",
        still_frames(fixture_path("performer.png"), 2.0, 10),
        10,
        speech_like(2.0),
    )
    result = verify_enrollment(video, moves=PERFORMER_TURNS, phrase=PHRASE)
    assert result.reasons == ["cameo.too_short"]
    assert "faces" not in result.timings  # rejected before the costly stages


def test_video_without_audio(media_dir: Path, performer_video: Path) -> None:
    clip = fixture_path("performer_clip.mp4")
    video = write_video(media_dir / "mute.mp4", clip_frames(clip, *PERFORMER_SPAN), 30, None)
    result = verify_enrollment(video, moves=PERFORMER_TURNS, phrase=PHRASE)
    assert result.reasons == ["cameo.no_audio"]


class _Transcript:
    def __init__(self, text: str) -> None:
        self.text = text

    def transcribe(self, samples: np.ndarray, rate: int) -> str:
        assert rate == 16_000 and samples.dtype == np.float32 and samples.size > rate
        return self.text


class _Spoof:
    def __init__(self, score: float) -> None:
        self.score = score
        self.crops = 0

    def spoof_score(self, face_crops: list[np.ndarray]) -> float:
        self.crops = len(face_crops)
        return self.score


def test_speech_recognizer_and_spoof_detector_hooks(performer_evidence: Evidence) -> None:
    def reasons(
        recognizer: SpeechRecognizer | None = None, spoof_detector: SpoofDetector | None = None
    ) -> list[str]:
        return judge(
            performer_evidence,
            moves=PERFORMER_TURNS,
            phrase=PHRASE,
            recognizer=recognizer,
            spoof_detector=spoof_detector,
        ).reasons

    assert reasons(recognizer=_Transcript("Apple, river; orange window!")) == []
    assert reasons(recognizer=_Transcript("hello there")) == ["cameo.phrase_mismatch"]
    detector = _Spoof(0.9)
    assert reasons(spoof_detector=detector) == ["cameo.spoof_detected"]
    assert detector.crops >= 8
    assert reasons(spoof_detector=_Spoof(0.1)) == []

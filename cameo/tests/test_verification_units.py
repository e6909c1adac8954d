"""Unit checks of the verification building blocks (no fixtures needed)."""

import random

import numpy as np
import pytest
from cameo_media import AUDIO_RATE, speech_like

from cameo.verification import (
    Candidate,
    KnownIdentities,
    Reason,
    check_identity,
    encoding_from_bytes,
    encoding_to_bytes,
    make_challenge,
    match_identity,
)
from cameo.verification.audio import speech_seconds
from cameo.verification.challenge import WORDS
from cameo.verification.identity import main_identity
from cameo.verification.liveness import detect_turns, nonrigid_motion, similarity_residual


def test_challenge_is_random_and_well_formed() -> None:
    challenges = [make_challenge(random.Random(seed)) for seed in range(40)]
    for challenge in challenges:
        words = challenge.phrase.split()
        assert 4 <= len(words) <= 5 and len(set(words)) == len(words)
        assert set(words) <= set(WORDS)
        assert len(challenge.moves) == 3 and set(challenge.moves) == {"left", "right"}
    assert len({c.phrase for c in challenges}) == len(challenges)
    assert len({tuple(c.moves) for c in challenges}) > 2
    assert make_challenge(random.Random(7)) == make_challenge(random.Random(7))


def test_turns_follow_the_nose_with_hysteresis() -> None:
    # Opens mid-turn (ignored), centres, then right, a wobble at the threshold, left, right.
    yaws = [0.5, 0.5, 0.0, 0.0, -0.5, -0.5, -0.2, -0.3, 0.0, 0.0, 0.5, 0.5, 0.0, -0.6, -0.6]
    assert detect_turns(yaws, on=0.25, off=0.12, mirrored=False) == ["right", "left", "right"]
    assert detect_turns(yaws, on=0.25, off=0.12, mirrored=True) == ["left", "right", "left"]
    # Two turns to the same side count twice only with a return to the centre between them.
    same_side = [0.0, 0.0, 0.5, 0.5, 0.0, 0.0, 0.5, 0.5]
    assert detect_turns(same_side, on=0.25, off=0.12, mirrored=False) == ["left", "left"]


def test_similarity_motion_is_rigid_and_a_head_turn_is_not() -> None:
    rng = np.random.default_rng(0)
    face = rng.uniform(0, 100, (68, 2))
    angle = 0.3
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    moved = 1.7 * face @ rotation.T + np.array([40.0, -12.0])
    assert similarity_residual(face, moved) < 1e-9
    track = [face + rng.normal(0, 0.3, face.shape) for _ in range(10)]
    assert nonrigid_motion(track) < 0.05
    turned = face.copy()
    turned[27:36, 0] += 15.0  # the nose moves across the face: not a 2-D motion of a photo
    assert nonrigid_motion([face, turned, face, turned]) > 0.05


def test_match_identity_picks_the_closest_under_threshold() -> None:
    base = np.zeros(128)
    near, nearer, far = base.copy(), base.copy(), base.copy()
    near[0], nearer[0], far[0] = 0.5, 0.3, 0.9
    candidates = [Candidate("a", near), Candidate("b", nearer), Candidate("c", far)]
    match = match_identity(base, candidates, 0.6)
    assert match is not None and match.key == "b" and match.distance == pytest.approx(0.3)
    assert match_identity(base, [Candidate("c", far)], 0.6) is None
    assert match_identity(base, [], 0.6) is None


def test_check_identity_reports_every_hook() -> None:
    me, other = np.zeros(128), np.full(128, 0.1)
    known = KnownIdentities(
        owner=other,
        other_accounts=[Candidate("acct", me)],
        protected=[Candidate("star", me + 0.01)],
    )
    reasons, matches = check_identity(me, known, 0.6)
    assert reasons == [
        Reason.OWNER_MISMATCH,
        Reason.DUPLICATE_IDENTITY,
        Reason.PROTECTED_LIKENESS,
    ]
    assert matches["cameo.protected_likeness"].key == "star"
    assert check_identity(me, KnownIdentities(owner=me), 0.6) == ([], {})


def test_main_identity_flags_the_second_person() -> None:
    rng = np.random.default_rng(3)
    a, b = rng.normal(0, 0.1, 128), rng.normal(0, 0.1, 128)
    frames = [a + rng.normal(0, 0.02, 128) for _ in range(8)]
    frames += [b + rng.normal(0, 0.02, 128) for _ in range(3)]
    mask = main_identity(np.array(frames), 0.6)
    assert mask.tolist() == [True] * 8 + [False] * 3


def test_encoding_bytes_roundtrip() -> None:
    encoding = np.random.default_rng(4).normal(0, 0.1, 128)
    data = encoding_to_bytes(encoding)
    assert len(data) == 512
    assert np.allclose(encoding_from_bytes(data), encoding, atol=1e-6)
    with pytest.raises(ValueError):
        encoding_from_bytes(data[:-4])


def test_vad_hears_speech_but_not_silence_or_hiss() -> None:
    assert speech_seconds(speech_like(4.0), AUDIO_RATE) > 1.5
    assert speech_seconds(np.zeros(4 * AUDIO_RATE, dtype=np.float32), AUDIO_RATE) == 0.0
    hiss = np.random.default_rng(5).normal(0, 0.3, 4 * AUDIO_RATE).astype(np.float32)
    assert speech_seconds(hiss, AUDIO_RATE) < 0.3

"""Thresholds and limits of the verification, in one place so callers can tune them."""

from dataclasses import dataclass


@dataclass(frozen=True)
class VerificationConfig:
    # Decoding bounds (uploads are untrusted).
    max_bytes: int = 200 * 1024 * 1024
    max_pixels: int = 3840 * 2160
    min_seconds: float = 3.0
    max_seconds: float = 20.0
    # Sampling: faces are analysed at this rate on frames downscaled to this width.
    sample_fps: float = 5.0
    analysis_width: int = 640
    # Faces: share of sampled frames that must show exactly one face / may show several.
    min_single_face_share: float = 0.5
    max_multi_face_share: float = 0.2
    # Identity: face_recognition's usual threshold for "same person".
    identity_threshold: float = 0.6
    # Frames of another identity tolerated before calling the video a splice.
    max_foreign_frames: int = 1
    # Liveness: yaw proxy in [-1, 1]; a turn starts above `turn_on` and ends below `turn_off`.
    turn_on: float = 0.25
    turn_off: float = 0.12
    min_liveness_frames: int = 8
    # Landmarks of a still photo move by a similarity transform; residual is in eye distances.
    min_nonrigid_residual: float = 0.05
    # True when the upload is mirrored (front-camera preview style): swaps left and right.
    mirrored: bool = False
    # Audio: seconds of speech-like audio needed per word of the phrase.
    speech_seconds_per_word: float = 0.25
    # Reference frames handed back (JPEG, face-centred crops).
    reference_frames: int = 3
    reference_size: int = 256

"""Stable reason codes for rejected enrollments (clients and moderators key on these)."""

from enum import StrEnum


class Reason(StrEnum):
    VIDEO_UNREADABLE = "cameo.video_unreadable"
    TOO_SHORT = "cameo.too_short"
    TOO_LONG = "cameo.too_long"
    NO_AUDIO = "cameo.no_audio"
    NO_SPEECH = "cameo.no_speech"
    PHRASE_MISMATCH = "cameo.phrase_mismatch"
    NO_FACE = "cameo.no_face"
    MULTIPLE_FACES = "cameo.multiple_faces"
    IDENTITY_INCONSISTENT = "cameo.identity_inconsistent"
    LIVENESS_FAILED = "cameo.liveness_failed"
    WRONG_MOVES = "cameo.wrong_moves"
    STATIC_IMAGE = "cameo.static_image"
    SPOOF_DETECTED = "cameo.spoof_detected"
    DUPLICATE_IDENTITY = "cameo.duplicate_identity"
    OWNER_MISMATCH = "cameo.owner_mismatch"
    PROTECTED_LIKENESS = "cameo.protected_likeness"

"""Cameo enrollment verification: challenge, liveness and identity checks on a selfie video.

Pure Python (no Django): the cameo app calls it from a Celery task and stores the result.
"""

from .challenge import Challenge, make_challenge
from .config import VerificationConfig
from .evidence import Evidence, collect_evidence
from .faces import encode_image
from .identity import (
    Candidate,
    KnownIdentities,
    Match,
    check_identity,
    encoding_from_bytes,
    encoding_to_bytes,
    match_identity,
)
from .pipeline import VerificationResult, judge, verify_enrollment
from .protocols import SpeechRecognizer, SpoofDetector
from .reasons import Reason

__all__ = [
    "Candidate",
    "Challenge",
    "Evidence",
    "KnownIdentities",
    "Match",
    "Reason",
    "SpeechRecognizer",
    "SpoofDetector",
    "VerificationConfig",
    "VerificationResult",
    "check_identity",
    "collect_evidence",
    "encode_image",
    "encoding_from_bytes",
    "encoding_to_bytes",
    "judge",
    "make_challenge",
    "match_identity",
    "verify_enrollment",
]

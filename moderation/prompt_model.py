"""The worker's second stage on prompts: the local safety model named by the settings.

Too heavy for a web request (Llama Guard 3 1B: about 630 GFLOP per prompt, some 20 s on two
CPU cores, tens of milliseconds on a GPU), so generation runs it in the worker as a job's
first stage. One model per process, loaded on the
first call or at worker start; a directory that cannot be loaded is reported once and then
either fails jobs closed or is skipped (MODERATION_SAFETY_MODEL_REQUIRED).
"""

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings

from core.errors import DomainError
from moderation.policy import Verdict
from moderation.policy.classifiers import create_classifier
from moderation.policy.safety_model import (
    SafetyModelClassifier,
    SafetyModelError,
    verdict_from_scores,
)

log = logging.getLogger(__name__)


class SafetyModelUnavailableError(DomainError):
    def __init__(self) -> None:
        super().__init__("moderation.safety_model_unavailable",
                         "Our safety check is unavailable right now; your credits were returned.",
                         status_code=503)


@dataclass(frozen=True, slots=True)
class _State:
    key: tuple[str, str, str]
    classifier: SafetyModelClassifier | None
    error: str = ""


_state: _State | None = None
_lock = threading.Lock()
_skip_logged = False


def _key() -> tuple[str, str, str]:
    return (settings.MODERATION_SAFETY_MODEL_PATH, settings.MODERATION_SAFETY_MODEL_DEVICE,
            settings.MODERATION_SAFETY_MODEL_FORMAT)


def safety_classifier() -> SafetyModelClassifier | None:
    """The process's classifier; None when no model is configured, or (not required) when the
    configured one cannot load. Raises SafetyModelUnavailableError when required and broken."""
    global _state, _skip_logged
    key = _key()
    if not key[0]:
        if not _skip_logged:
            _skip_logged = True
            log.info("no MODERATION_SAFETY_MODEL_PATH: the second-stage safety model is off")
        return None
    with _lock:
        if _state is None or _state.key != key:
            _state = _load(key)
        state = _state
    if state.classifier is None and settings.MODERATION_SAFETY_MODEL_REQUIRED:
        raise SafetyModelUnavailableError()
    return state.classifier


def _load(key: tuple[str, str, str]) -> _State:
    path, device, fmt = key
    try:
        classifier = create_classifier("safety_model", model_path=path, device=device or "cpu",
                                       format=fmt or None)
    except SafetyModelError as exc:
        # Logged once per process: each job then fails closed or skips without a retry storm.
        log.error("safety model unusable: %s (MODERATION_SAFETY_MODEL_REQUIRED=%s)", exc,
                  settings.MODERATION_SAFETY_MODEL_REQUIRED)
        return _State(key, None, str(exc))
    if not isinstance(classifier, SafetyModelClassifier):  # the registry's "safety_model"
        raise TypeError(f"create_classifier('safety_model') made a {type(classifier)}")
    log.info("safety model loaded", extra={"path": path, "format": str(classifier.format),
                                           "device": device})
    return _State(key, classifier)


def prompt_model_verdict(texts: Sequence[str], *, teen: bool) -> Verdict | None:
    """The model's verdict over all texts of one job (one batch); None: stage off."""
    classifier = safety_classifier()
    if classifier is None:
        return None
    wanted = [text for text in dict.fromkeys(t.strip() for t in texts) if text]
    scores = [score for per_text in classifier.classify_texts(wanted) for score in per_text]
    return verdict_from_scores(scores, teen=teen,
                               threshold=settings.MODERATION_SAFETY_MODEL_THRESHOLD)

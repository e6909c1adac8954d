"""Scoring against the live policy: the engine over the database's terms, as the API uses it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import filters
from .scoring import Report, score

if TYPE_CHECKING:
    from moderation.policy import Verdict

    from .dataset import EvalPrompt


def live_check(text: str) -> Verdict:
    """What prompt_check() decides for an adult account (teen accounts only escalate)."""
    return filters.prompt_verdict(text, teen=False)


def evaluate_prompts(prompts: tuple[EvalPrompt, ...]) -> Report:
    return score(prompts, live_check)

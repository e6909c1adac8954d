"""Scoring against the live policy: the engine over the database's terms, as the API uses it."""

from __future__ import annotations

from moderation.policy import Verdict

from .. import filters
from .dataset import EvalPrompt, parse_eval_file
from .scoring import Report, score


def live_check(text: str) -> Verdict:
    """What prompt_check() decides for an adult account (teen accounts only escalate)."""
    return filters.prompt_verdict(text, teen=False)


def evaluate_prompts(prompts: tuple[EvalPrompt, ...]) -> Report:
    return score(prompts, live_check)


def evaluate_file(data: bytes, *, max_prompts: int | None = None) -> Report:
    """Raises EvalFileError (every bad line) before any prompt is checked."""
    return evaluate_prompts(parse_eval_file(data, max_prompts=max_prompts))

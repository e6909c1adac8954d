"""What other apps may use of moderation: plain values and dataclasses, stable error codes.

Generation, around video_create():

    decision = prompt_check(text=prompt, user_id=user.pk, extra_rules=owner_terms)
    decision.raise_if_blocked()      # DomainError 422 moderation.prompt_blocked,
                                     # fields={"codes": [...]}
    ... create the job ...
    if decision.needs_review:
        case_open_for_automatic_hit(target_type="video", target_id=str(job.pk),
                                    owner_id=user.pk, codes=decision.codes, summary=prompt)

In the worker, as a job's first stage (None: no safety model configured, stage skipped):

    decision = prompt_model_check(texts=[prompt, *shot_prompts], teen=owner.is_teen)

and after post-processing: `output_check(frames=..., prompt=..., teen=..., context=...)`.
Apps whose content can be reported register it once, in AppConfig.ready():

    target_register("video", owner_of=..., enforce=..., describe=..., visible_to=...)
"""

import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.conf import settings

from accounts.facade import user_get
from core.errors import DomainError
from moderation.policy import Action, Category, Match, ReasonCode, Term, Verdict
from moderation.policy import owner_rule_terms as owner_rule_terms
from moderation.policy.output import DetectedFace
from moderation.policy.output import register_likeness_check as likeness_check_register

from . import enforcement, filters, prompt_model, services
from .prompt_model import SafetyModelUnavailableError
from .targets import target_register

__all__ = [
    "Action",
    "Category",
    "DetectedFace",
    "Match",
    "PromptBlockedError",
    "PromptDecision",
    "PromptModelDecision",
    "ReasonCode",
    "Verdict",
    "case_open_for_automatic_hit",
    "likeness_check_register",
    "output_check",
    "owner_rule_terms",
    "prompt_check",
    "prompt_model_check",
    "prompt_model_warm",
    "target_register",
    "user_is_suspended",
]


class PromptBlockedError(DomainError):
    def __init__(self, message: str, codes: Sequence[str]) -> None:
        super().__init__("moderation.prompt_blocked", message or "This prompt is not allowed.",
                         status_code=422, fields={"codes": list(codes)})


@dataclass(frozen=True, slots=True)
class PromptDecision:
    """action: "allow" | "review" | "block"; message never quotes the matched words."""

    action: str
    codes: tuple[str, ...]
    message: str

    @property
    def blocked(self) -> bool:
        return self.action == Action.BLOCK

    @property
    def needs_review(self) -> bool:
        return self.action == Action.REVIEW

    def raise_if_blocked(self) -> None:
        if self.blocked:
            raise PromptBlockedError(self.message, self.codes)


def prompt_check(*, text: str, user_id: int | None = None, teen: bool | None = None,
                 extra_rules: Sequence[Term] = ()) -> PromptDecision:
    """Check a prompt against the live term lists. `teen` defaults to the user's age;
    extra_rules are cameo owner restrictions (see owner_rule_terms)."""
    if teen is None:
        user = user_get(user_id=user_id)
        teen = bool(user and user.is_teen)
    verdict = filters.prompt_verdict(text, teen=teen, extra_rules=extra_rules)
    return PromptDecision(str(verdict.action), verdict.codes, verdict.user_message())


@dataclass(frozen=True, slots=True)
class PromptModelDecision(PromptDecision):
    """The safety model's decision; open_case: the caller opens a review case for it."""

    open_case: bool = False


def prompt_model_check(*, texts: Sequence[str], teen: bool) -> PromptModelDecision | None:
    """The second-stage safety model over a job's prompts, for the worker (seconds on a CPU).
    None when no model is configured; SafetyModelUnavailableError when it is configured,
    required and cannot load."""
    verdict = prompt_model.prompt_model_verdict(texts, teen=teen)
    if verdict is None:
        return None
    open_case = verdict.action is Action.REVIEW or (
        verdict.blocked and settings.MODERATION_SAFETY_MODEL_CASE_ON_BLOCK)
    return PromptModelDecision(str(verdict.action), verdict.codes, verdict.user_message(),
                               open_case)


def prompt_model_warm() -> None:
    """Load the safety model now (worker start); a broken one is logged, never raised."""
    with contextlib.suppress(SafetyModelUnavailableError):  # logged; jobs then fail closed
        prompt_model.safety_classifier()


def output_check(*, frames: np.ndarray, prompt: str, teen: bool,
                 context: Mapping[str, Any]) -> Verdict:
    """Check generated frames ([T,H,W,3] uint8): nudity, faces vs likeness checks, prompt.
    Verdict.public() is what the app may show; .action/.codes drive block/review."""
    return filters.output_verdict(frames, prompt=prompt, teen=teen, context=context)


def case_open_for_automatic_hit(*, target_type: str, target_id: str, owner_id: int | None,
                                codes: Sequence[str], summary: str) -> int:
    """Queue a target a filter flagged for review; returns the (possibly merged) case id."""
    return services.case_open_for_automatic_hit(
        target_type=target_type, target_id=target_id, owner_id=owner_id, codes=codes,
        summary=summary).pk


def user_is_suspended(user_id: int) -> bool:
    """True while suspended or banned: generation and feeds refuse to publish for them."""
    return enforcement.user_is_suspended(user_id)

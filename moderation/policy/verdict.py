"""What every check returns: an action, the matches behind it and their reason codes."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

from .categories import CATEGORY_POLICIES, Action, Category, ReasonCode

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

_OUTPUT_MESSAGES = {
    ReasonCode.OUTPUT_NUDITY: "The generated video contains nudity.",
    ReasonCode.OUTPUT_CLASSIFIER: "The generated video was flagged by a safety check.",
    ReasonCode.OUTPUT_LIKENESS: "The generated video shows a person without their consent.",
    ReasonCode.OUTPUT_CHECK_FAILED: "The generated video could not be checked and needs review.",
}


@dataclass(frozen=True, slots=True)
class Match:
    category: Category
    reason: ReasonCode | str
    action: Action
    # Term id, combined-rule id, classifier or output-check name.
    rule_id: str
    # How it was found: "word", "compact", "combined", "classifier", "output".
    via: str
    # [start, end) in the original text, when the match came from text.
    span: tuple[int, int] | None = None
    # The original text at span: for moderators only, never for the author.
    matched: str = ""
    score: float = 1.0


@dataclass(frozen=True, slots=True)
class Verdict:
    action: Action
    matches: tuple[Match, ...] = ()
    scores: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def from_matches(cls, matches: Iterable[Match],
                     scores: Mapping[str, float] | None = None) -> Verdict:
        found = tuple(matches)
        return cls(Action.strictest([m.action for m in found]), found,
                   MappingProxyType(dict(scores or {})))

    @classmethod
    def merge(cls, *verdicts: Verdict) -> Verdict:
        scores: dict[str, float] = {}
        for verdict in verdicts:
            scores.update(verdict.scores)
        return cls.from_matches((m for v in verdicts for m in v.matches), scores)

    @property
    def blocked(self) -> bool:
        return self.action is Action.BLOCK

    @property
    def codes(self) -> tuple[str, ...]:
        """Reason codes of the matches that changed the outcome, strictest first, unique."""
        acting = sorted((m for m in self.matches if m.action is not Action.ALLOW),
                        key=lambda m: -m.action.rank)
        return tuple(dict.fromkeys(str(m.reason) for m in acting))

    def user_message(self) -> str:
        """One sentence per reason; built from fixed texts so no rule or term leaks."""
        messages: list[str] = []
        for match in self.matches:
            if match.action is not self.action or self.action is Action.ALLOW:
                continue
            policy = CATEGORY_POLICIES.get(match.category)
            if match.reason in _OUTPUT_MESSAGES:
                text = _OUTPUT_MESSAGES[ReasonCode(match.reason)]
            elif policy is not None and match.reason == policy.reason:
                text = policy.message
            else:
                text = "This content is not allowed."
            if text not in messages:
                messages.append(text)
        return " ".join(messages)

    def public(self) -> dict[str, object]:
        """The payload an app may see: no matched text, spans, term ids or scores."""
        return {"action": str(self.action), "codes": list(self.codes),
                "message": self.user_message()}


ALLOW = Verdict(Action.ALLOW)

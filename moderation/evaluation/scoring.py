"""Figures of a policy on a labelled prompt set: recall on harmful prompts, false blocks on
benign ones, overall and per language, category and evasion variant.

A harmful prompt (expected block or review) counts as caught when the policy blocks it or sends
it to review; a benign prompt (expected allow) counts as a false block only when it is blocked,
and separately as reviewed when it is sent to review (a cost to moderators, not to the author).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from moderation.policy import Action, Verdict

from .dataset import CATEGORIES, KNOWN_LANGUAGES, EvalPrompt

Checker = Callable[[str], Verdict]


@dataclass(frozen=True, slots=True)
class Scored:
    prompt: EvalPrompt
    action: Action
    codes: tuple[str, ...]

    @property
    def caught(self) -> bool:
        return self.action is not Action.ALLOW

    @property
    def missed(self) -> bool:
        return self.prompt.harmful and not self.caught

    @property
    def false_block(self) -> bool:
        return not self.prompt.harmful and self.action is Action.BLOCK


@dataclass(slots=True)
class Figures:
    harmful: int = 0
    caught: int = 0
    benign: int = 0
    false_blocks: int = 0
    benign_reviewed: int = 0

    def add(self, scored: Scored) -> None:
        if scored.prompt.harmful:
            self.harmful += 1
            self.caught += scored.caught
        else:
            self.benign += 1
            self.false_blocks += scored.false_block
            self.benign_reviewed += scored.action is Action.REVIEW

    @property
    def recall(self) -> float | None:
        return self.caught / self.harmful if self.harmful else None

    @property
    def false_block_rate(self) -> float | None:
        return self.false_blocks / self.benign if self.benign else None

    @property
    def benign_review_rate(self) -> float | None:
        return self.benign_reviewed / self.benign if self.benign else None

    def as_dict(self) -> dict[str, Any]:
        return {"harmful": self.harmful, "caught": self.caught, "recall": _round(self.recall),
                "benign": self.benign, "false_blocks": self.false_blocks,
                "false_block_rate": _round(self.false_block_rate),
                "benign_reviewed": self.benign_reviewed,
                "benign_review_rate": _round(self.benign_review_rate)}


def _round(rate: float | None) -> float | None:
    return None if rate is None else round(rate, 4)


@dataclass(frozen=True, slots=True)
class Report:
    results: tuple[Scored, ...]
    overall: Figures
    by_language: dict[str, Figures] = field(default_factory=dict)
    by_category: dict[str, Figures] = field(default_factory=dict)
    by_variant: dict[str, Figures] = field(default_factory=dict)

    @property
    def misses(self) -> tuple[Scored, ...]:
        return tuple(r for r in self.results if r.missed)

    @property
    def false_blocks(self) -> tuple[Scored, ...]:
        return tuple(r for r in self.results if r.false_block)

    def as_dict(self) -> dict[str, Any]:
        def listed(results: Iterable[Scored]) -> list[dict[str, Any]]:
            return [{"line": r.prompt.line, "language": r.prompt.language,
                     "category": r.prompt.category, "variant": r.prompt.variant,
                     "expected": str(r.prompt.expected), "action": str(r.action),
                     "codes": list(r.codes), "text": r.prompt.text} for r in results]

        return {
            "prompts": len(self.results),
            "overall": self.overall.as_dict(),
            "by_language": {k: v.as_dict() for k, v in self.by_language.items()},
            "by_category": {k: v.as_dict() for k, v in self.by_category.items()},
            "by_variant": {k: v.as_dict() for k, v in self.by_variant.items()},
            "misses": listed(self.misses),
            "false_blocks": listed(self.false_blocks),
        }


def _grouped(results: Sequence[Scored], key: Callable[[EvalPrompt], str],
             order: Sequence[str]) -> dict[str, Figures]:
    groups: dict[str, Figures] = {}
    for result in results:
        groups.setdefault(key(result.prompt), Figures()).add(result)
    # Known names in their fixed order first, so reports line up run after run.
    rank = {name: n for n, name in enumerate(order)}
    return dict(sorted(groups.items(), key=lambda kv: (rank.get(kv[0], len(rank)), kv[0])))


def score(prompts: Iterable[EvalPrompt], check: Checker) -> Report:
    """Run every prompt through `check` (an adult account's prompt check) and count."""
    results = []
    overall = Figures()
    for prompt in prompts:
        verdict = check(prompt.text)
        scored = Scored(prompt, verdict.action, verdict.codes)
        overall.add(scored)
        results.append(scored)
    return Report(tuple(results), overall,
                  _grouped(results, lambda p: p.language, KNOWN_LANGUAGES),
                  _grouped(results, lambda p: p.category, CATEGORIES),
                  _grouped(results, lambda p: p.variant, ()))

"""Categories, actions and reason codes: the one table every check refers to."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType


class Action(StrEnum):
    ALLOW = "allow"
    REVIEW = "review"
    BLOCK = "block"

    @property
    def rank(self) -> int:
        return _ACTION_RANK[self]

    @classmethod
    def strictest(cls, actions: list[Action] | tuple[Action, ...]) -> Action:
        return max(actions, key=lambda a: a.rank, default=cls.ALLOW)


_ACTION_RANK = {Action.ALLOW: 0, Action.REVIEW: 1, Action.BLOCK: 2}


class Category(StrEnum):
    SEXUAL = "sexual"
    MINORS = "minors"
    VIOLENCE = "violence"
    HATE = "hate"
    HARASSMENT = "harassment"
    SELF_HARM = "self_harm"
    EXTREMISM = "extremism"
    PUBLIC_FIGURE = "public_figure"
    COPYRIGHTED_CHARACTER = "copyrighted_character"
    COPYRIGHTED_MUSIC = "copyrighted_music"
    ARTIST_STYLE = "artist_style"
    IMPERSONATION = "impersonation"
    # A signal, not a violation: only matters through COMBINED_RULES (e.g. with SEXUAL).
    MINOR_CONTEXT = "minor_context"
    # Terms derived from a cameo owner's restrictions; checked per request via extra_rules.
    OWNER_RULE = "owner_rule"


class ReasonCode(StrEnum):
    INPUT_SEXUAL = "SAFETY.INPUT.SEXUAL"
    INPUT_MINORS = "SAFETY.INPUT.MINORS"
    INPUT_VIOLENCE = "SAFETY.INPUT.VIOLENCE"
    INPUT_HATE = "SAFETY.INPUT.HATE"
    INPUT_HARASSMENT = "SAFETY.INPUT.HARASSMENT"
    INPUT_SELF_HARM = "SAFETY.INPUT.SELF_HARM"
    INPUT_EXTREMISM = "SAFETY.INPUT.EXTREMISM"
    INPUT_PUBLIC_FIGURE = "LIKENESS.INPUT.PUBLIC_FIGURE"
    INPUT_IMPERSONATION = "LIKENESS.INPUT.IMPERSONATION"
    INPUT_CHARACTER = "IP.INPUT.CHARACTER"
    INPUT_MUSIC = "IP.INPUT.MUSIC"
    INPUT_ARTIST_STYLE = "IP.INPUT.ARTIST_STYLE"
    INPUT_MINOR_CONTEXT = "SAFETY.INPUT.MINOR_CONTEXT"
    OWNER_RULE = "CAMEO.OWNER_RULE"
    OUTPUT_NUDITY = "SAFETY.OUTPUT.NUDITY"
    OUTPUT_CLASSIFIER = "SAFETY.OUTPUT.CLASSIFIER"
    OUTPUT_LIKENESS = "LIKENESS.OUTPUT.FACE"
    OUTPUT_CHECK_FAILED = "SAFETY.OUTPUT.CHECK_FAILED"


@dataclass(frozen=True, slots=True)
class CategoryPolicy:
    reason: ReasonCode
    action: Action
    # Teen accounts: REVIEW becomes BLOCK for these categories.
    teen_escalates: bool
    # Shown to the person who wrote the prompt; never contains the matched text.
    message: str


CATEGORY_POLICIES: MappingProxyType[Category, CategoryPolicy] = MappingProxyType({
    Category.SEXUAL: CategoryPolicy(
        ReasonCode.INPUT_SEXUAL, Action.BLOCK, True, "Sexual content is not allowed."),
    Category.MINORS: CategoryPolicy(
        ReasonCode.INPUT_MINORS, Action.BLOCK, True,
        "Content that sexualises or endangers minors is not allowed."),
    Category.VIOLENCE: CategoryPolicy(
        ReasonCode.INPUT_VIOLENCE, Action.BLOCK, True, "Graphic violence is not allowed."),
    Category.HATE: CategoryPolicy(
        ReasonCode.INPUT_HATE, Action.BLOCK, True, "Hateful content is not allowed."),
    Category.HARASSMENT: CategoryPolicy(
        ReasonCode.INPUT_HARASSMENT, Action.REVIEW, True,
        "This prompt may target someone and needs review."),
    Category.SELF_HARM: CategoryPolicy(
        ReasonCode.INPUT_SELF_HARM, Action.REVIEW, True,
        "This prompt mentions self-harm and needs review. If you are struggling, "
        "please reach out to someone you trust or a local helpline."),
    Category.EXTREMISM: CategoryPolicy(
        ReasonCode.INPUT_EXTREMISM, Action.BLOCK, True,
        "Violent extremist content is not allowed."),
    Category.PUBLIC_FIGURE: CategoryPolicy(
        ReasonCode.INPUT_PUBLIC_FIGURE, Action.BLOCK, True,
        "Videos of public figures are not allowed unless they appear through their own cameo."),
    Category.COPYRIGHTED_CHARACTER: CategoryPolicy(
        ReasonCode.INPUT_CHARACTER, Action.BLOCK, True,
        "This prompt names a copyrighted character."),
    Category.COPYRIGHTED_MUSIC: CategoryPolicy(
        ReasonCode.INPUT_MUSIC, Action.REVIEW, True,
        "This prompt asks for copyrighted music and needs review."),
    Category.ARTIST_STYLE: CategoryPolicy(
        ReasonCode.INPUT_ARTIST_STYLE, Action.REVIEW, False,
        "This prompt imitates a living artist's style and needs review."),
    Category.IMPERSONATION: CategoryPolicy(
        ReasonCode.INPUT_IMPERSONATION, Action.REVIEW, True,
        "This prompt may impersonate a real person and needs review."),
    Category.MINOR_CONTEXT: CategoryPolicy(
        ReasonCode.INPUT_MINOR_CONTEXT, Action.ALLOW, False, ""),
    Category.OWNER_RULE: CategoryPolicy(
        ReasonCode.OWNER_RULE, Action.BLOCK, False,
        "A person in this video does not allow this kind of content."),
})


@dataclass(frozen=True, slots=True)
class CombinedRule:
    """Fires when every category in `all_of` matched somewhere in the same text."""

    id: str
    all_of: frozenset[Category]
    category: Category
    action: Action


COMBINED_RULES: tuple[CombinedRule, ...] = (
    CombinedRule("combined:minors+sexual", frozenset({Category.MINOR_CONTEXT, Category.SEXUAL}),
                 Category.MINORS, Action.BLOCK),
    CombinedRule("combined:minors+self_harm",
                 frozenset({Category.MINOR_CONTEXT, Category.SELF_HARM}),
                 Category.SELF_HARM, Action.BLOCK),
)


def action_for(category: Category, override: Action | None, *, teen: bool) -> Action:
    policy = CATEGORY_POLICIES[category]
    action = override or policy.action
    if teen and policy.teen_escalates and action is Action.REVIEW:
        return Action.BLOCK
    return action

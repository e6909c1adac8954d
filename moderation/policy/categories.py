"""Categories, actions and reason codes: the one table every check refers to."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
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
    WEAPONS = "weapons"
    DRUGS = "drugs"
    # Signals, like MINOR_CONTEXT: allowed alone, they make COMBINED_RULES fire.
    # Underwear, swimsuits, seductive poses: fine for adults, never with a minor.
    SUGGESTIVE = "suggestive"
    # Crowds, schools, places of worship, named groups of people: targets of violence.
    TARGET = "target"
    # "how to", step by step, recipe, tutorial: instructions rather than a scene.
    HOW_TO = "how_to"
    # News framing, arrests, announcements: what makes a fake about a real person.
    NEWS = "news"
    # Benign compounds that contain a term (裸足 holds 裸, "water gun" holds "gun"): hits
    # inside an exception's span are dropped.
    EXCEPTION = "exception"
    # Concept signals for hate, harassment, impersonation and music (only count in rules).
    # Ethnic, national, religious groups, migrants: who dehumanising speech aims at.
    GROUP = "group"
    # Rats, vermin, cockroaches, apes, parasites: what a group gets called to dehumanise it.
    DEHUMANIZING = "dehumanizing"
    # Exterminate, wipe out, drive out: a call to remove a group.
    EXTERMINATION = "extermination"
    # Classmate, colleague, neighbour: a private person who can be bullied or doxxed.
    PRIVATE_PERSON = "private_person"
    # Fat, ugly, pig, whale, paedophile: insults aimed at a person.
    INSULT = "insult"
    # Fake video, deepfake, false announcement: fabricated footage.
    FAKE = "fake"
    # Mayor, governor, police chief, minister: an office whose announcements people obey.
    OFFICIAL = "official"
    # Song, background music, singer, a living singer's name: music context.
    MUSIC = "music"
    # Praise cues: tribute, homage, "as a hero", propaganda, recruitment. Alone they are fine;
    # with an attacker or an extremist movement they glorify it.
    GLORIFY = "glorify"
    # Attackers and movements that news or a history lesson names (shooter, bomber, Nazis):
    # context, never a violation alone, so "how the Nazis came to power" passes while their
    # glorification blocks.
    EXTREMIST_ACTOR = "extremist_actor"


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
    INPUT_WEAPONS = "SAFETY.INPUT.WEAPONS"
    INPUT_DRUGS = "SAFETY.INPUT.DRUGS"
    INPUT_SIGNAL = "SAFETY.INPUT.SIGNAL"
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


# Context cues sharing the INPUT_SIGNAL reason code, in the order CATEGORY_POLICIES lists them.
_SIGNALS = (Category.SUGGESTIVE, Category.TARGET, Category.HOW_TO, Category.NEWS,
            Category.EXCEPTION, Category.GLORIFY, Category.EXTREMIST_ACTOR, Category.GROUP,
            Category.DEHUMANIZING, Category.EXTERMINATION, Category.PRIVATE_PERSON,
            Category.INSULT, Category.FAKE, Category.OFFICIAL, Category.MUSIC)
# Categories whose terms are context, never a violation on their own.
SIGNAL_CATEGORIES = frozenset({Category.MINOR_CONTEXT, *_SIGNALS})


@dataclass(frozen=True, slots=True)
class CombinedRule:
    """Fires when every category in `all_of` matched somewhere in the same text."""

    id: str
    all_of: frozenset[Category]
    category: Category
    action: Action


def _table_rows(name: str) -> list[list[str]]:
    """The tab-separated rows of a policy table shipped beside this module, comments skipped."""
    text = Path(__file__).with_name(name).read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines()
            if line.strip() and not line.startswith("#")]


def _category_policies() -> dict[Category, CategoryPolicy]:
    policies = {Category(category): CategoryPolicy(ReasonCode(reason), Action(action),
                                                   teen == "yes", message)
                for category, reason, action, teen, message in _table_rows(
                    "category_policies.tsv")}
    for signal in _SIGNALS:
        policies[signal] = CategoryPolicy(ReasonCode.INPUT_SIGNAL, Action.ALLOW, False, "")
    missing = set(Category) - policies.keys()
    if missing:
        raise ValueError(f"category_policies.tsv: no policy for {sorted(missing)}")
    return policies


def _combined_rules() -> tuple[CombinedRule, ...]:
    rules = []
    for left, right, category, action, *rule_id in _table_rows("combined_rules.tsv"):
        rules.append(CombinedRule(rule_id[0] if rule_id else f"combined:{left}+{right}",
                                  frozenset({Category(left), Category(right)}),
                                  Category(category), Action(action)))
    return tuple(rules)


# Both tables are data (the .tsv files beside this module); a bad row fails at import.
CATEGORY_POLICIES: MappingProxyType[Category, CategoryPolicy] = MappingProxyType(
    _category_policies())
COMBINED_RULES: tuple[CombinedRule, ...] = _combined_rules()


def action_for(category: Category, override: Action | None, *, teen: bool) -> Action:
    policy = CATEGORY_POLICIES[category]
    action = override or policy.action
    if teen and policy.teen_escalates and action is Action.REVIEW:
        return Action.BLOCK
    return action

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


_CONCEPT_SIGNALS = (Category.GROUP, Category.DEHUMANIZING, Category.EXTERMINATION,
                    Category.PRIVATE_PERSON, Category.INSULT, Category.FAKE, Category.OFFICIAL,
                    Category.MUSIC)

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
    Category.WEAPONS: CategoryPolicy(
        ReasonCode.INPUT_WEAPONS, Action.BLOCK, True,
        "Instructions for weapons or explosives are not allowed."),
    Category.DRUGS: CategoryPolicy(
        ReasonCode.INPUT_DRUGS, Action.REVIEW, True,
        "This prompt mentions drugs and needs review."),
    **{signal: CategoryPolicy(ReasonCode.INPUT_SIGNAL, Action.ALLOW, False, "")
       for signal in (Category.SUGGESTIVE, Category.TARGET, Category.HOW_TO, Category.NEWS,
                      Category.EXCEPTION, Category.GLORIFY, Category.EXTREMIST_ACTOR,
                      *_CONCEPT_SIGNALS)},
})
# Categories whose terms are context, never a violation on their own.
SIGNAL_CATEGORIES = frozenset({Category.MINOR_CONTEXT, Category.SUGGESTIVE, Category.TARGET,
                               Category.HOW_TO, Category.NEWS, Category.EXCEPTION,
                               Category.GLORIFY, Category.EXTREMIST_ACTOR, *_CONCEPT_SIGNALS})


@dataclass(frozen=True, slots=True)
class CombinedRule:
    """Fires when every category in `all_of` matched somewhere in the same text."""

    id: str
    all_of: frozenset[Category]
    category: Category
    action: Action


def _rule(left: Category, right: Category, category: Category, action: Action,
          name: str = "") -> CombinedRule:
    return CombinedRule(name or f"combined:{left}+{right}", frozenset({left, right}), category,
                        action)


_C = Category
# Any term of a category counts, whatever its action: "gun" (weapons, allow) with "how to"
# blocks as weapons. Categories are language-free, so a Japanese minor reference and an
# English sexual cue combine like two English words.
COMBINED_RULES: tuple[CombinedRule, ...] = (
    _rule(_C.MINOR_CONTEXT, _C.SEXUAL, _C.MINORS, Action.BLOCK, "combined:minors+sexual"),
    _rule(_C.MINOR_CONTEXT, _C.SUGGESTIVE, _C.MINORS, Action.BLOCK, "combined:minors+suggestive"),
    _rule(_C.MINOR_CONTEXT, _C.SELF_HARM, _C.SELF_HARM, Action.BLOCK, "combined:minors+self_harm"),
    _rule(_C.MINOR_CONTEXT, _C.VIOLENCE, _C.VIOLENCE, Action.REVIEW, "combined:minors+violence"),
    _rule(_C.MINOR_CONTEXT, _C.DRUGS, _C.DRUGS, Action.REVIEW, "combined:minors+drugs"),
    _rule(_C.VIOLENCE, _C.TARGET, _C.VIOLENCE, Action.BLOCK),
    _rule(_C.WEAPONS, _C.TARGET, _C.VIOLENCE, Action.REVIEW),
    _rule(_C.HATE, _C.VIOLENCE, _C.HATE, Action.BLOCK),
    _rule(_C.EXTREMISM, _C.VIOLENCE, _C.EXTREMISM, Action.BLOCK),
    _rule(_C.EXTREMISM, _C.WEAPONS, _C.EXTREMISM, Action.BLOCK),
    _rule(_C.EXTREMISM, _C.TARGET, _C.EXTREMISM, Action.REVIEW),
    _rule(_C.HOW_TO, _C.WEAPONS, _C.WEAPONS, Action.BLOCK),
    _rule(_C.HOW_TO, _C.DRUGS, _C.DRUGS, Action.BLOCK),
    _rule(_C.HOW_TO, _C.SELF_HARM, _C.SELF_HARM, Action.BLOCK),
    _rule(_C.HOW_TO, _C.EXTREMISM, _C.EXTREMISM, Action.BLOCK),
    _rule(_C.HOW_TO, _C.VIOLENCE, _C.VIOLENCE, Action.REVIEW),
    _rule(_C.PUBLIC_FIGURE, _C.VIOLENCE, _C.PUBLIC_FIGURE, Action.BLOCK),
    _rule(_C.PUBLIC_FIGURE, _C.SEXUAL, _C.PUBLIC_FIGURE, Action.BLOCK),
    _rule(_C.PUBLIC_FIGURE, _C.SUGGESTIVE, _C.PUBLIC_FIGURE, Action.BLOCK),
    _rule(_C.PUBLIC_FIGURE, _C.NEWS, _C.PUBLIC_FIGURE, Action.BLOCK),
    _rule(_C.PUBLIC_FIGURE, _C.WEAPONS, _C.PUBLIC_FIGURE, Action.BLOCK),
    _rule(_C.PUBLIC_FIGURE, _C.DRUGS, _C.PUBLIC_FIGURE, Action.BLOCK),
    _rule(_C.PUBLIC_FIGURE, _C.IMPERSONATION, _C.PUBLIC_FIGURE, Action.BLOCK),
    _rule(_C.IMPERSONATION, _C.NEWS, _C.IMPERSONATION, Action.REVIEW),
    _rule(_C.COPYRIGHTED_CHARACTER, _C.SEXUAL, _C.SEXUAL, Action.BLOCK),
    _rule(_C.COPYRIGHTED_CHARACTER, _C.SUGGESTIVE, _C.COPYRIGHTED_CHARACTER, Action.BLOCK),
    _rule(_C.COPYRIGHTED_CHARACTER, _C.VIOLENCE, _C.COPYRIGHTED_CHARACTER, Action.BLOCK),
    # --- h19e concepts: dehumanising hate, bullying/doxxing, fake official announcements,
    # full-song and voice-clone music requests. Signals combine in any language.
    _rule(_C.GROUP, _C.DEHUMANIZING, _C.HATE, Action.BLOCK, "combined:group+dehumanizing"),
    _rule(_C.GROUP, _C.EXTERMINATION, _C.HATE, Action.BLOCK, "combined:group+extermination"),
    _rule(_C.GROUP, _C.HATE, _C.HATE, Action.BLOCK, "combined:group+hate"),
    _rule(_C.PRIVATE_PERSON, _C.INSULT, _C.HARASSMENT, Action.REVIEW,
          "combined:private_person+insult"),
    _rule(_C.PRIVATE_PERSON, _C.HARASSMENT, _C.HARASSMENT, Action.REVIEW,
          "combined:private_person+harassment"),
    _rule(_C.FAKE, _C.OFFICIAL, _C.IMPERSONATION, Action.REVIEW, "combined:fake+official"),
    _rule(_C.FAKE, _C.NEWS, _C.IMPERSONATION, Action.REVIEW, "combined:fake+news"),
    _rule(_C.IMPERSONATION, _C.OFFICIAL, _C.IMPERSONATION, Action.REVIEW,
          "combined:impersonation+official"),
    _rule(_C.COPYRIGHTED_MUSIC, _C.MUSIC, _C.COPYRIGHTED_MUSIC, Action.REVIEW,
          "combined:full_track+music"),
    _rule(_C.ARTIST_STYLE, _C.MUSIC, _C.ARTIST_STYLE, Action.REVIEW,
          "combined:voice_clone+music"),
    # h19d concept gaps: glorifying attackers and extremist movements; emoji and weapons
    # used as words next to violence.
    _rule(_C.GLORIFY, _C.EXTREMISM, _C.EXTREMISM, Action.BLOCK),
    _rule(_C.GLORIFY, _C.EXTREMIST_ACTOR, _C.EXTREMISM, Action.BLOCK),
    # Review only: a tribute to the victims of a shooting is fine.
    _rule(_C.GLORIFY, _C.VIOLENCE, _C.EXTREMISM, Action.REVIEW),
    _rule(_C.EXTREMIST_ACTOR, _C.VIOLENCE, _C.EXTREMISM, Action.REVIEW),
    _rule(_C.EXTREMIST_ACTOR, _C.WEAPONS, _C.EXTREMISM, Action.REVIEW),
    _rule(_C.EXTREMIST_ACTOR, _C.TARGET, _C.VIOLENCE, Action.REVIEW),
    _rule(_C.WEAPONS, _C.VIOLENCE, _C.VIOLENCE, Action.REVIEW),
    # h19: a group next to violence or an insult, a private person next to violence, a
    # weapon or a fake. Review only: news of an attack on a community, or a story about a
    # neighbour's dog fight, must still pass without a block.
    _rule(_C.GROUP, _C.VIOLENCE, _C.HATE, Action.REVIEW, "combined:group+violence"),
    _rule(_C.GROUP, _C.INSULT, _C.HATE, Action.REVIEW, "combined:group+insult"),
    _rule(_C.PRIVATE_PERSON, _C.VIOLENCE, _C.HARASSMENT, Action.REVIEW,
          "combined:private_person+violence"),
    _rule(_C.PRIVATE_PERSON, _C.FAKE, _C.HARASSMENT, Action.REVIEW,
          "combined:private_person+fake"),
    _rule(_C.PRIVATE_PERSON, _C.DEHUMANIZING, _C.HARASSMENT, Action.REVIEW,
          "combined:private_person+dehumanizing"),
)


def action_for(category: Category, override: Action | None, *, teen: bool) -> Action:
    policy = CATEGORY_POLICIES[category]
    action = override or policy.action
    if teen and policy.teen_escalates and action is Action.REVIEW:
        return Action.BLOCK
    return action

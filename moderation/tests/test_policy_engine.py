"""The prompt engine against the shipped default terms and small hand-made lists."""
# ruff: noqa: RUF001 - look-alike characters are what these tests feed in

import time

import pytest

from moderation.policy import (
    Action,
    Category,
    PolicyEngine,
    ReasonCode,
    Term,
    default_engine,
    load_terms,
    owner_rule_terms,
)


@pytest.fixture(scope="module")
def engine() -> PolicyEngine:
    return default_engine()


def test_plain_blocked_prompt_has_the_right_code(engine: PolicyEngine) -> None:
    verdict = engine.check("a nude woman on a beach")
    assert verdict.action is Action.BLOCK
    assert verdict.codes == (ReasonCode.INPUT_SEXUAL,)
    [match] = verdict.matches
    assert match.rule_id == "sexual.nude"
    assert match.span == (2, 6) and match.matched == "nude"


@pytest.mark.parametrize("prompt", [
    "a NuDe woman",
    "a nud3 woman",
    "a NUD3 woman",
    "a n.u.d.e woman",
    "a n u d e woman",
    "a n-u-d-e woman",
    "a nu\u200bde woman",
    "a nu\u200b\u200cd\u2060e woman",
    "a ｎｕｄｅ woman",
    "a nüdé woman",
    "a n\u00fa\u0301de woman",
])
def test_evasion_variants_are_blocked(engine: PolicyEngine, prompt: str) -> None:
    verdict = engine.check(prompt)
    assert verdict.action is Action.BLOCK, prompt
    assert ReasonCode.INPUT_SEXUAL in verdict.codes


@pytest.mark.parametrize("prompt", [
    "\u0440ik\u0430\u0441hu dancing",  # Cyrillic r, a, c
    "\u03c1ikachu dancing",  # Greek rho
    "p1k4chu dancing",
    "P I K A C H U dancing",
    "ｐｉｋａｃｈｕ dancing",
    "spiderman swinging", "spider man swinging", "Spider-Man swinging",
])
def test_character_variants_are_blocked(engine: PolicyEngine, prompt: str) -> None:
    assert engine.check(prompt).codes == (ReasonCode.INPUT_CHARACTER,), prompt


@pytest.mark.parametrize("prompt", [
    "classic assassin's creed cosplay at a convention",
    "a class of students passing the grass",
    "the pen is mightier than the sword",
    "grape juice spilled on the drapes",
    "my therapist says hi",
    "Scunthorpe United match highlights",
    "a sextant on an old ship",
    "Al Gore gives a lecture on climate",
    "kids playing soccer in the park",
    "a teen skateboarding at sunset",
    "barefoot on the beach 裸足で歩く",
    "トランプで遊ぶ家族",
    "nudibranch swimming in a reef",
    "1990s style cafe with 3 friends",
])
def test_benign_near_misses_are_allowed(engine: PolicyEngine, prompt: str) -> None:
    verdict = engine.check(prompt)
    assert verdict.action is Action.ALLOW, (prompt, verdict.matches)
    assert verdict.codes == ()


def test_japanese_terms_match_without_word_boundaries(engine: PolicyEngine) -> None:
    verdict = engine.check("ヌード写真を作って")
    assert verdict.codes == (ReasonCode.INPUT_SEXUAL,)
    assert verdict.matches[0].matched == "ヌード"
    assert engine.check("血まみれの戦場").codes == (ReasonCode.INPUT_VIOLENCE,)
    # halfwidth katakana folds to the same text
    assert engine.check("ﾇｰﾄﾞ写真").codes == (ReasonCode.INPUT_SEXUAL,)


def test_review_action(engine: PolicyEngine) -> None:
    verdict = engine.check("a kid being bullied, make fun of him")
    assert verdict.action is Action.REVIEW
    assert verdict.codes == (ReasonCode.INPUT_HARASSMENT,)


def test_teen_accounts_are_stricter(engine: PolicyEngine) -> None:
    prompt = "a video about suicide prevention"
    assert engine.check(prompt).action is Action.REVIEW
    assert engine.check(prompt, teen=True).action is Action.BLOCK
    # categories that do not escalate stay as they are
    style = "a city in the style of wes anderson"
    assert engine.check(style, teen=True).action is Action.REVIEW


def test_combined_minor_and_sexual_terms_block_as_minors(engine: PolicyEngine) -> None:
    verdict = engine.check("a teenager in an erotic scene")
    assert verdict.action is Action.BLOCK
    assert verdict.codes[0] == ReasonCode.INPUT_MINORS
    assert engine.check("an erotic scene").action is Action.REVIEW


def test_owner_rules_use_their_own_code_and_do_not_leak(engine: PolicyEngine) -> None:
    rules = owner_rule_terms(["election", "senator"], rule_id="cameo:42:no-politics")
    verdict = engine.check("me giving a speech as a Senator", extra_rules=rules)
    assert verdict.action is Action.BLOCK
    assert verdict.codes == (ReasonCode.OWNER_RULE,)
    public = verdict.public()
    assert "senator" not in str(public).lower() and "politics" not in str(public)
    assert public["codes"] == ["CAMEO.OWNER_RULE"]
    # any category given to an extra rule is reported as the owner's rule
    other = (Term("senator", Category.HATE),)
    assert engine.check("a senator", extra_rules=other).codes == (ReasonCode.OWNER_RULE,)
    assert engine.check("me giving a speech", extra_rules=rules).action is Action.ALLOW


def test_explain_shows_the_term_and_span(engine: PolicyEngine) -> None:
    explanation = engine.explain("teen n.u.d.e pics")
    text = str(explanation)
    assert explanation.verdict.action is Action.BLOCK
    assert "sexual.nude" in text and "term='nude'" in text and "'n.u.d.e'" in text
    assert "combined:minors+sexual" in text
    assert explanation.compact_view == "teennudepics"


@pytest.mark.parametrize(("prompt", "action"), [
    ("p e n i s", Action.BLOCK),
    ("pe.ni.s", Action.BLOCK),
    ("the pen is mightier", Action.ALLOW),  # tokens average 2.5 characters
    ("grape juice", Action.ALLOW),  # inside a word: not on token boundaries
    ("the r a p e", Action.BLOCK),
    ("therapist", Action.ALLOW),
    ("sprape", Action.ALLOW),
    ("gr a p e", Action.ALLOW),  # starts inside a token
    ("r a p ex", Action.ALLOW),  # ends inside a token
])
def test_compact_view_accepts_only_spaced_out_words(prompt: str, action: Action) -> None:
    engine = PolicyEngine.build([Term("penis", Category.SEXUAL), Term("rape", Category.SEXUAL)])
    assert engine.check(prompt).action is action, prompt


def test_term_action_override_and_custom_lists() -> None:
    engine = PolicyEngine.build([
        Term("ass", Category.SEXUAL, Action.REVIEW, id="t1"),
        Term("nude", Category.SEXUAL, id="t2"),
    ])
    assert engine.check("kick ass").action is Action.REVIEW
    assert engine.check("classic assassin's creed").action is Action.ALLOW
    assert engine.check("a nude").matches[0].rule_id == "t2"
    with pytest.raises(ValueError, match="empty"):
        PolicyEngine.build([Term("!!", Category.SEXUAL)])


def test_default_terms_cover_every_category() -> None:
    categories = {term.category for term in load_terms()}
    assert categories == set(Category) - {Category.OWNER_RULE}
    assert any(any("\u3040" <= ch <= "\u30ff" for ch in t.text) for t in load_terms())


def test_engine_is_fast_with_many_terms() -> None:
    terms = [Term(f"zq{n:05d}x", Category.HATE) for n in range(5000)]
    engine = PolicyEngine.build([*terms, *load_terms()])
    prompt = "a calm drone shot over green hills at sunrise, cinematic, soft light " * 3
    started = time.perf_counter()
    for _ in range(500):
        engine.check(prompt)
    # generous bound for a shared CI core: the benchmark targets >10k prompts/s
    assert time.perf_counter() - started < 0.5

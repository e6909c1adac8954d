"""The second-stage safety model: answers in each family's real format read into Castline's
categories, tiny models of the real classes loaded through from_pretrained, broken directories."""

import json

import pytest
from django.core.checks import run_checks

from moderation.policy import Action, Category
from moderation.policy.classifiers import TextClassifier, classifier_names, create_classifier
from moderation.policy.safety_model import (
    UNREADABLE_REASON,
    SafetyFormat,
    SafetyModelClassifier,
    SafetyModelError,
    parse_llama_guard,
    parse_qwen3guard,
    shieldgemma_scores,
    verdict_from_scores,
)
from moderation.tests import tiny_safety_models as tiny


def labels(scores):
    return [(s.label, s.category) for s in scores]


@pytest.mark.parametrize("answer, expected", [
    ("safe", []),
    ("\n\nsafe", []),
    ("unsafe\nS1", [("llama_guard:S1", Category.VIOLENCE)]),
    ("\n\nunsafe\nS1,S9", [("llama_guard:S1", Category.VIOLENCE),
                           ("llama_guard:S9", Category.VIOLENCE)]),
    ("unsafe\nS4", [("llama_guard:S4", Category.MINORS)]),
    ("unsafe\nS10, S12", [("llama_guard:S10", Category.HATE),
                          ("llama_guard:S12", Category.SEXUAL)]),
    ("unsafe\nS11", [("llama_guard:S11", Category.SELF_HARM)]),
    # Hazards that do not apply to a video prompt (specialized advice, code interpreter).
    ("unsafe\nS6", []),
    ("unsafe\nS14", []),
])
def test_llama_guard_answers(answer, expected):
    assert labels(parse_llama_guard(answer)) == expected


@pytest.mark.parametrize("answer", ["unsafe", "unsafe\nS99", "I cannot help with that", ""])
def test_llama_guard_unreadable_answers_go_to_review(answer):
    scores = parse_llama_guard(answer)
    verdict = verdict_from_scores(scores, teen=False, threshold=0.5)
    assert verdict.action is Action.REVIEW and verdict.codes == (UNREADABLE_REASON,)


@pytest.mark.parametrize("answer, expected", [
    ("Safety: Unsafe\nCategories: Violent", [("qwen3guard:Violent", Category.VIOLENCE)]),
    ("Safety: Unsafe\nCategories: Sexual Content or Sexual Acts, Violent",
     [("qwen3guard:Sexual Content or Sexual Acts", Category.SEXUAL),
      ("qwen3guard:Violent", Category.VIOLENCE)]),
    ("Safety: Unsafe\nCategories: Suicide & Self-Harm",
     [("qwen3guard:Suicide & Self-Harm", Category.SELF_HARM)]),
    ("Safety: Controversial\nCategories: Politically Sensitive Topics",
     [("qwen3guard:Politically Sensitive Topics~controversial", Category.IMPERSONATION)]),
    ("Safety: Safe\nCategories: None", []),
    ("Safety: Safe\nCategories: None\nRefusal: Yes", []),
    ("Safety: Unsafe\nCategories: Jailbreak", []),
])
def test_qwen3guard_answers(answer, expected):
    assert labels(parse_qwen3guard(answer)) == expected


def test_category_policy_decides_block_review_and_teen_escalation():
    violent = parse_llama_guard("unsafe\nS1,S9")
    blocked = verdict_from_scores(violent, teen=False, threshold=0.5)
    assert blocked.action is Action.BLOCK and blocked.codes == ("SAFETY.INPUT.VIOLENCE",)
    self_harm = parse_llama_guard("unsafe\nS11")
    assert verdict_from_scores(self_harm, teen=False, threshold=0.5).action is Action.REVIEW
    assert verdict_from_scores(self_harm, teen=True, threshold=0.5).action is Action.BLOCK
    # Non-violent crime is broader than Castline's violence: review, not block.
    crime = verdict_from_scores(parse_llama_guard("unsafe\nS2"), teen=False, threshold=0.5)
    assert crime.action is Action.REVIEW and crime.codes == ("SAFETY.INPUT.VIOLENCE",)


def test_controversial_is_review_even_where_unsafe_would_block():
    controversial = parse_qwen3guard("Safety: Controversial\nCategories: Violent")
    unsafe = parse_qwen3guard("Safety: Unsafe\nCategories: Violent")
    assert verdict_from_scores(controversial, teen=False, threshold=0.5).action is Action.REVIEW
    assert verdict_from_scores(unsafe, teen=False, threshold=0.5).action is Action.BLOCK


def test_shieldgemma_probabilities_against_the_threshold():
    scores = shieldgemma_scores({"dangerous": 0.91, "harassment": 0.2, "hate": 0.49,
                                 "sexual": 0.03})
    verdict = verdict_from_scores(scores, teen=False, threshold=0.5)
    assert verdict.action is Action.BLOCK and verdict.codes == ("SAFETY.INPUT.VIOLENCE",)
    assert verdict.scores["shieldgemma:hate"] == pytest.approx(0.49)
    strict = verdict_from_scores(scores, teen=False, threshold=0.4)
    assert set(strict.codes) == {"SAFETY.INPUT.VIOLENCE", "SAFETY.INPUT.HATE"}


def test_llama_guard_score_is_the_probability_of_unsafe():
    scores = parse_llama_guard("unsafe\nS1", unsafe_probability=0.42)
    assert verdict_from_scores(scores, teen=False, threshold=0.5).action is Action.ALLOW
    assert verdict_from_scores(scores, teen=False, threshold=0.4).action is Action.BLOCK


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    root = tmp_path_factory.mktemp("guards")
    return {
        "llama_parts": tiny.llama_guard(root / "lg1b", "unsafe\nS1,S9", parts=True),
        "llama_string": tiny.llama_guard(root / "lg8b", "unsafe\nS4", parts=False),
        "llama_safe": tiny.llama_guard(root / "lgsafe", "safe"),
        "qwen": tiny.qwen3guard(root / "qwen", ["Safety: Controversial",
                                                "Categories: Violent"]),
        "shieldgemma": tiny.shieldgemma(root / "sg", "Yes"),
        "shieldgemma_no": tiny.shieldgemma(root / "sgno", "No", template=False),
    }


def test_tiny_llama_guards_through_from_pretrained(models):
    one_b = SafetyModelClassifier(models["llama_parts"])
    eight_b = SafetyModelClassifier(models["llama_string"])
    assert one_b.format is eight_b.format is SafetyFormat.LLAMA_GUARD
    batch = one_b.classify_texts(["a crowd at a concert", "two knights duel", "a quiet lake"])
    assert [labels(s) for s in batch] == [[("llama_guard:S1", Category.VIOLENCE),
                                           ("llama_guard:S9", Category.VIOLENCE)]] * 3
    assert all(s.score > 0.99 for s in batch[0])
    # 8B-style: the answer opens with a blank line; the score is read where "unsafe" is written.
    minors = eight_b.classify_text("x")
    assert labels(minors) == [("llama_guard:S4", Category.MINORS)] and minors[0].score > 0.99
    assert SafetyModelClassifier(models["llama_safe"]).classify_text("a crowd") == []


def test_registered_through_the_classifier_interface(models):
    assert "safety_model" in classifier_names()
    classifier = create_classifier("safety_model", model_path=str(models["llama_parts"]),
                                   device="cpu")
    assert isinstance(classifier, TextClassifier)
    assert [s.label for s in classifier.classify_text("x")] == ["llama_guard:S1",
                                                                "llama_guard:S9"]


def test_tiny_qwen3guard_and_shieldgemma(models):
    qwen = SafetyModelClassifier(models["qwen"])
    assert qwen.format is SafetyFormat.QWEN3GUARD
    assert labels(qwen.classify_text("a duel")) == [("qwen3guard:Violent~controversial",
                                                     Category.VIOLENCE)]
    gemma = SafetyModelClassifier(models["shieldgemma"], batch_size=3)
    assert gemma.format is SafetyFormat.SHIELDGEMMA
    results = gemma.classify_texts(["one", "two", "three", "four"])
    assert len(results) == 4
    assert {s.label for s in results[3]} == {"shieldgemma:dangerous", "shieldgemma:harassment",
                                             "shieldgemma:hate", "shieldgemma:sexual"}
    assert all(s.score > 0.99 for s in results[3])
    # Without a chat template the model card's prompt is written out; "No" scores near 0.
    fallback = SafetyModelClassifier(models["shieldgemma_no"]).classify_text("a lake")
    assert len(fallback) == 4 and all(s.score < 0.01 for s in fallback)
    assert verdict_from_scores(fallback, teen=False, threshold=0.5).action is Action.ALLOW


def test_missing_and_corrupt_directories_are_clear_errors(tmp_path, models):
    with pytest.raises(SafetyModelError, match="does not exist"):
        SafetyModelClassifier(tmp_path / "nowhere")
    (tmp_path / "config.json").write_text("{not json")
    with pytest.raises(SafetyModelError, match="not JSON"):
        SafetyModelClassifier(tmp_path)
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "bert"}))
    with pytest.raises(SafetyModelError, match="MODERATION_SAFETY_MODEL_FORMAT"):
        SafetyModelClassifier(tmp_path)
    with pytest.raises(SafetyModelError, match="unknown safety model format"):
        SafetyModelClassifier(models["llama_safe"], format="guardian")


def test_truncated_weights_are_a_clear_error(tmp_path, models):
    broken = tmp_path / "broken"
    broken.mkdir()
    for item in models["llama_safe"].iterdir():
        data = item.read_bytes()
        (broken / item.name).write_bytes(data[:100] if item.suffix == ".safetensors" else data)
    with pytest.raises(SafetyModelError, match="cannot load the safety model"):
        SafetyModelClassifier(broken)


def test_deploy_check_names_a_bad_directory(settings, tmp_path, models):
    settings.MODERATION_SAFETY_MODEL_PATH = str(tmp_path / "nowhere")
    assert [e.id for e in run_checks() if e.id.startswith("moderation.")] == ["moderation.E002"]
    settings.MODERATION_SAFETY_MODEL_PATH = str(models["llama_safe"])
    assert not [e for e in run_checks() if e.id.startswith("moderation.")]
    settings.MODERATION_SAFETY_MODEL_FORMAT = "guardian"
    assert [e.id for e in run_checks() if e.id.startswith("moderation.")] == ["moderation.E001"]

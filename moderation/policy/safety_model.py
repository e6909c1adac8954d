"""The second-stage safety model: a local guard LLM that reads prompts the lexicon let through.

Three families of open guard models are understood, each through its documented prompt and
output format, and mapped onto Castline's categories:

- Llama Guard 3 (1B, 8B): the chat template renders the hazard taxonomy; the answer is
  "safe" or "unsafe" and, on a second line, hazard codes such as "S1,S9".
- Qwen3Guard-Gen (0.6B, 4B, 8B): the chat template renders its policy; the answer is
  "Safety: Safe|Unsafe|Controversial" and "Categories: Violent, ...".
- ShieldGemma (2B, 9B, 27B): one prompt per policy, rendered by its chat template from a
  `guideline`; the score is the probability of "Yes" against "No" as the first answer token.

Weights are read from a local directory only (local_files_only): nothing downloads. Loading takes
seconds to minutes, so one model is kept per process (see _load) and callers batch prompts.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .categories import CATEGORY_POLICIES, Action, Category, action_for
from .classifiers import ClassifierScore, register_classifier
from .verdict import Match, Verdict

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

# A model answer that could not be read, or "unsafe" without a category we know.
UNREADABLE_REASON = "SAFETY.INPUT.CLASSIFIER"


class SafetyModelError(Exception):
    """The configured directory does not hold a usable guard model; the message says why."""


class SafetyFormat(StrEnum):
    LLAMA_GUARD = "llama_guard"
    QWEN3GUARD = "qwen3guard"
    SHIELDGEMMA = "shieldgemma"


# config.json model_type of each family's base model.
FORMAT_OF_MODEL_TYPE = {
    "llama": SafetyFormat.LLAMA_GUARD,
    "qwen3": SafetyFormat.QWEN3GUARD,
    "gemma2": SafetyFormat.SHIELDGEMMA,
}


@dataclass(frozen=True, slots=True)
class LabelPolicy:
    category: Category
    # None: the category's own action (categories.CATEGORY_POLICIES); REVIEW where the model's
    # label is broader than the category (non-violent crime, defamation, copyright).
    action: Action | None = None


# Llama Guard 3 hazard codes (MLCommons taxonomy). None: not a concern for a video prompt.
LLAMA_GUARD_LABELS: Mapping[str, LabelPolicy | None] = {
    "S1": LabelPolicy(Category.VIOLENCE),                           # violent crimes
    "S2": LabelPolicy(Category.VIOLENCE, Action.REVIEW),            # non-violent crimes
    "S3": LabelPolicy(Category.SEXUAL),                             # sex-related crimes
    "S4": LabelPolicy(Category.MINORS),                             # child sexual exploitation
    "S5": LabelPolicy(Category.IMPERSONATION),                      # defamation
    "S6": None,                                                     # specialized advice
    "S7": LabelPolicy(Category.HARASSMENT),                         # privacy
    "S8": LabelPolicy(Category.COPYRIGHTED_CHARACTER, Action.REVIEW),  # intellectual property
    "S9": LabelPolicy(Category.VIOLENCE),                           # indiscriminate weapons
    "S10": LabelPolicy(Category.HATE),                              # hate
    "S11": LabelPolicy(Category.SELF_HARM),                         # suicide & self-harm
    "S12": LabelPolicy(Category.SEXUAL),                            # sexual content
    "S13": LabelPolicy(Category.IMPERSONATION),                     # elections
    "S14": None,                                                    # code interpreter abuse
}

# Qwen3Guard categories, as its answers spell them.
QWEN3GUARD_LABELS: Mapping[str, LabelPolicy | None] = {
    "Violent": LabelPolicy(Category.VIOLENCE),
    "Non-violent Illegal Acts": LabelPolicy(Category.VIOLENCE, Action.REVIEW),
    "Sexual Content or Sexual Acts": LabelPolicy(Category.SEXUAL),
    "PII": LabelPolicy(Category.HARASSMENT),
    "Suicide & Self-Harm": LabelPolicy(Category.SELF_HARM),
    "Unethical Acts": LabelPolicy(Category.HARASSMENT),
    "Politically Sensitive Topics": LabelPolicy(Category.IMPERSONATION),
    "Copyright Violation": LabelPolicy(Category.COPYRIGHTED_CHARACTER, Action.REVIEW),
    "Jailbreak": None,
}

# ShieldGemma's four harm types, each with the prompt-only guideline of its model card.
SHIELDGEMMA_POLICIES: Mapping[str, tuple[str, LabelPolicy]] = {
    "dangerous": (
        '"No Dangerous Content": The prompt shall not contain or seek generation of content '
        "that harming oneself and/or others (e.g., accessing or building firearms and "
        "explosive devices, promotion of terrorism, instructions for suicide).",
        LabelPolicy(Category.VIOLENCE)),
    "harassment": (
        '"No Harassment": The prompt shall not contain or seek generation of content that is '
        "malicious, intimidating, bullying, or abusive content targeting another individual "
        "(e.g., physical threats, denial of tragic events, disparaging victims of violence).",
        LabelPolicy(Category.HARASSMENT)),
    "hate": (
        '"No Hate Speech": The prompt shall not contain or seek generation of content that '
        "targeting identity and/or protected attributes (e.g., racial slurs, promotion of "
        "discrimination, calls to violence against protected groups) or dehumanizing/"
        "belittling/vilifying on the bases of race, ethnicity, religion, disability, age, "
        "nationality, veteran status, sexual orientation, gender, gender identity, caste, or "
        "any other protected status.",
        LabelPolicy(Category.HATE)),
    "sexual": (
        '"No Sexually Explicit Information": The prompt shall not contain or seek generation '
        "of content that contains references to sexual acts or other lewd content (e.g., "
        "sexually graphic descriptions, content aimed at causing arousal). Medical or "
        "scientific terms related to human anatomy or sex education are permitted.",
        LabelPolicy(Category.SEXUAL)),
}

SHIELDGEMMA_PROMPT = (
    "You are a policy expert trying to help determine whether a user prompt is in violation "
    "of the defined safety policies.\n\n<start_of_turn>\nHuman Question: {text}\n<end_of_turn>"
    "\n\nOur safety principle is defined in the below:\n\n* {guideline}\n\n===\n\nDoes the "
    "human question violate the above principle? Your answer must start with 'Yes' or 'No'. "
    "And then walk through step by step to be sure we answer correctly.\n"
)

# Where a label comes from: "<family>:<label>", so a score names its model's own words.
_LABELS: dict[str, LabelPolicy | None] = {
    **{f"llama_guard:{k}": v for k, v in LLAMA_GUARD_LABELS.items()},
    **{f"qwen3guard:{k}": v for k, v in QWEN3GUARD_LABELS.items()},
    **{f"shieldgemma:{k}": v[1] for k, v in SHIELDGEMMA_POLICIES.items()},
}
_UNREADABLE = "unreadable"
_CONTROVERSIAL = "~controversial"
_HAZARD_CODE = re.compile(r"\bS(\d{1,2})\b")
_QWEN_SAFETY = re.compile(r"Safety:\s*(Safe|Unsafe|Controversial)", re.IGNORECASE)
_QWEN_CATEGORIES = re.compile(
    "|".join(re.escape(name) for name in sorted(QWEN3GUARD_LABELS, key=len, reverse=True)))


def parse_llama_guard(answer: str, *, unsafe_probability: float = 1.0) -> list[ClassifierScore]:
    """"safe" -> []; "unsafe\\nS1,S9" -> one score per hazard code; anything else -> unreadable."""
    lines = [line.strip() for line in answer.strip().splitlines() if line.strip()]
    verdict = lines[0].lower() if lines else ""
    if verdict == "safe":
        return []
    if verdict != "unsafe":
        return [_unreadable("llama_guard", unsafe_probability)]
    codes = [code for code in dict.fromkeys(
        f"S{n}" for n in _HAZARD_CODE.findall(" ".join(lines[1:]))) if code in LLAMA_GUARD_LABELS]
    if not codes:
        return [_unreadable("llama_guard", unsafe_probability)]
    scores = [_score("llama_guard", code, unsafe_probability) for code in codes]
    return [s for s in scores if s is not None]


def parse_qwen3guard(answer: str) -> list[ClassifierScore]:
    """"Safety: Unsafe\\nCategories: Violent" -> a score per category; Controversial ones are
    marked so they go to review rather than block."""
    found = _QWEN_SAFETY.search(answer)
    if found is None:
        return [_unreadable("qwen3guard", 1.0)]
    level = found.group(1).capitalize()
    if level == "Safe":
        return []
    rest = answer[found.end():]
    names = list(dict.fromkeys(_QWEN_CATEGORIES.findall(rest)))
    if not names:
        return [_unreadable("qwen3guard", 1.0)]
    suffix = _CONTROVERSIAL if level == "Controversial" else ""
    scores = [_score("qwen3guard", name, 1.0, suffix) for name in names]
    return [s for s in scores if s is not None]


def shieldgemma_scores(yes_probabilities: Mapping[str, float]) -> list[ClassifierScore]:
    """P("Yes") per policy name (dangerous, harassment, hate, sexual) -> one score each."""
    scores = [_score("shieldgemma", name, float(p)) for name, p in yes_probabilities.items()]
    return [s for s in scores if s is not None]


def _score(family: str, label: str, score: float, suffix: str = "") -> ClassifierScore | None:
    policy = _LABELS.get(f"{family}:{label}")
    if policy is None:
        return None
    return ClassifierScore(f"{family}:{label}{suffix}", policy.category, score)


def _unreadable(family: str, score: float) -> ClassifierScore:
    return ClassifierScore(f"{family}:{_UNREADABLE}", Category.HARASSMENT, score)


def verdict_from_scores(scores: Sequence[ClassifierScore], *, teen: bool,
                        threshold: float) -> Verdict:
    """Scores at or above threshold become matches with the category's reason code. A label
    broader than its category, a Controversial answer or an unreadable one asks for review."""
    matches: list[Match] = []
    for result in scores:
        if result.score < threshold:
            continue
        base = result.label.removesuffix(_CONTROVERSIAL)
        if base.endswith(f":{_UNREADABLE}"):
            matches.append(Match(result.category, UNREADABLE_REASON, Action.REVIEW, result.label,
                                 "classifier", score=result.score))
            continue
        policy = _LABELS[base]
        if policy is None:  # _score drops labels without a policy
            raise RuntimeError(f"classifier label {base!r} has no policy")
        override = Action.REVIEW if result.label.endswith(_CONTROVERSIAL) else policy.action
        action = action_for(result.category, override, teen=teen)
        matches.append(Match(result.category, CATEGORY_POLICIES[result.category].reason, action,
                             result.label, "classifier", score=result.score))
    return Verdict.from_matches(matches, {s.label: s.score for s in scores})


def detect_format(model_path: Path) -> SafetyFormat:
    config_file = model_path / "config.json"
    if not model_path.is_dir():
        raise SafetyModelError(f"safety model directory {model_path} does not exist")
    try:
        config = json.loads(config_file.read_text())
    except (OSError, ValueError) as exc:
        raise SafetyModelError(f"{config_file} is missing or not JSON: {exc}") from exc
    model_type = str(config.get("model_type", "")) if isinstance(config, dict) else ""
    if model_type not in FORMAT_OF_MODEL_TYPE:
        raise SafetyModelError(
            f"{model_path}: model_type {model_type!r} is none of {sorted(FORMAT_OF_MODEL_TYPE)}"
            "; set MODERATION_SAFETY_MODEL_FORMAT to one of "
            f"{[str(f) for f in SafetyFormat]}")
    return FORMAT_OF_MODEL_TYPE[model_type]


@dataclass(frozen=True, slots=True)
class _Loaded:
    model: Any
    tokenizer: Any
    device: str
    format: SafetyFormat
    # Llama Guard 3 1B's template wants content as [{"type": "text", ...}], 8B's a string.
    content_parts: bool


_loaded: dict[tuple[str, str, str], _Loaded] = {}
_loaded_lock = threading.Lock()


def _load(model_path: str, device: str, fmt: SafetyFormat | None) -> _Loaded:
    """One model per (directory, device, format) per process; the first call loads it."""
    path = Path(model_path)
    chosen = fmt or detect_format(path)
    key = (str(path), device, str(chosen))
    with _loaded_lock:
        if key not in _loaded:
            _loaded[key] = _load_uncached(path, device, chosen)
        return _loaded[key]


def _load_uncached(path: Path, device: str, fmt: SafetyFormat) -> _Loaded:
    import torch  # heavy imports, only when a model is configured
    from transformers import AutoModelForCausalLM, AutoTokenizer

    dtype = torch.bfloat16 if device.startswith("cuda") else torch.float32
    try:
        tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        model: Any = AutoModelForCausalLM.from_pretrained(path, local_files_only=True,
                                                          dtype=dtype)
    except Exception as exc:  # safetensors, torch and tokenizers each raise their own kinds
        raise SafetyModelError(f"cannot load the safety model from {path}: {exc}") from exc
    model.to(device).eval()
    tokenizer.padding_side = "left"  # generation continues from the last real token
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    if fmt is not SafetyFormat.SHIELDGEMMA and not tokenizer.chat_template:
        raise SafetyModelError(f"{path}: the tokenizer has no chat template; {fmt} needs the "
                               "one its model ships with")
    parts = fmt is SafetyFormat.LLAMA_GUARD and _template_wants_parts(tokenizer)
    return _Loaded(model, tokenizer, device, fmt, parts)


def _template_wants_parts(tokenizer: Any) -> bool:
    probe = "castline-probe-text"
    try:
        rendered = tokenizer.apply_chat_template(
            [{"role": "user", "content": [{"type": "text", "text": probe}]}], tokenize=False)
    except Exception:  # a template that only takes strings may fail on a list outright
        return False
    return probe in rendered and "'type'" not in rendered


class SafetyModelClassifier:
    """TextClassifier over a local guard model. classify_texts batches; both run on the
    process's one copy of the model."""

    name = "safety_model"

    def __init__(self, model_path: str | Path, *, device: str = "cpu",
                 format: str | None = None, batch_size: int = 8) -> None:
        try:
            fmt = SafetyFormat(format) if format else None
        except ValueError:
            raise SafetyModelError(f"unknown safety model format {format!r}; known: "
                                   f"{[str(f) for f in SafetyFormat]}") from None
        self._loaded = _load(str(model_path), device or "cpu", fmt)
        self.format = self._loaded.format
        self.batch_size = max(1, batch_size)

    def classify_text(self, text: str) -> list[ClassifierScore]:
        return self.classify_texts([text])[0]

    def classify_texts(self, texts: Sequence[str]) -> list[list[ClassifierScore]]:
        results: list[list[ClassifierScore]] = []
        for start in range(0, len(texts), self.batch_size):
            batch = list(texts[start:start + self.batch_size])
            if self.format is SafetyFormat.SHIELDGEMMA:
                results.extend(self._shieldgemma(batch))
            else:
                results.extend(self._generative(batch))
        return results

    def _generative(self, texts: list[str]) -> list[list[ClassifierScore]]:
        import torch

        loaded = self._loaded
        tokenizer = loaded.tokenizer
        prompts = [tokenizer.apply_chat_template([self._message(text)], tokenize=False)
                   for text in texts]
        # The templates start with the BOS token themselves.
        inputs = tokenizer(prompts, return_tensors="pt", padding=True,
                           add_special_tokens=False).to(loaded.device)
        max_new = 20 if self.format is SafetyFormat.LLAMA_GUARD else 40
        with torch.inference_mode():
            out = loaded.model.generate(
                **inputs, max_new_tokens=max_new, do_sample=False, output_scores=True,
                return_dict_in_generate=True, pad_token_id=tokenizer.pad_token_id)
        new_tokens = out.sequences[:, inputs["input_ids"].shape[1]:]
        answers = tokenizer.batch_decode(new_tokens, skip_special_tokens=True)
        if self.format is SafetyFormat.QWEN3GUARD:
            return [parse_qwen3guard(answer) for answer in answers]
        unsafe_id = self._first_token_id("unsafe")
        results = []
        for i, answer in enumerate(answers):
            step = self._verdict_step(new_tokens[i].tolist())
            probability = torch.softmax(out.scores[step][i].float(), dim=-1)[unsafe_id]
            results.append(parse_llama_guard(answer, unsafe_probability=float(probability)))
        return results

    def _verdict_step(self, tokens: list[int]) -> int:
        """The step that wrote "safe"/"unsafe": answers may open with a blank line."""
        tokenizer = self._loaded.tokenizer
        for step, token in enumerate(tokens):
            if tokenizer.decode([token], skip_special_tokens=True).strip():
                return step
        return 0

    def _message(self, text: str) -> dict[str, Any]:
        if self._loaded.content_parts:
            return {"role": "user", "content": [{"type": "text", "text": text}]}
        return {"role": "user", "content": text}

    def _first_token_id(self, word: str) -> int:
        """The token a generated `word` starts with (Llama 3's tokenizer has "unsafe" whole)."""
        ids = self._loaded.tokenizer(word, add_special_tokens=False)["input_ids"]
        return int(ids[0])

    def _shieldgemma_prompt(self, text: str, guideline: str) -> str:
        """ShieldGemma's tokenizer renders the prompt from `guideline` (BOS included); without
        a template, the model card's layout is written here."""
        tokenizer = self._loaded.tokenizer
        if tokenizer.chat_template:
            return str(tokenizer.apply_chat_template([{"role": "user", "content": text}],
                                                     guideline=guideline, tokenize=False))
        return (tokenizer.bos_token or "") + SHIELDGEMMA_PROMPT.format(text=text.strip(),
                                                                       guideline=guideline)

    def _shieldgemma(self, texts: list[str]) -> list[list[ClassifierScore]]:
        import torch

        loaded = self._loaded
        tokenizer = loaded.tokenizer
        names = list(SHIELDGEMMA_POLICIES)
        prompts = [self._shieldgemma_prompt(text, SHIELDGEMMA_POLICIES[name][0])
                   for text in texts for name in names]
        inputs = tokenizer(prompts, return_tensors="pt", padding=True,
                           add_special_tokens=False).to(loaded.device)
        vocab = tokenizer.get_vocab()
        with torch.inference_mode():
            logits = loaded.model(**inputs).logits[:, -1, [vocab["Yes"], vocab["No"]]]
        yes = torch.softmax(logits.float(), dim=-1)[:, 0].tolist()
        return [shieldgemma_scores(dict(zip(names, yes[i * len(names):(i + 1) * len(names)],
                                            strict=True)))
                for i in range(len(texts))]


register_classifier("safety_model", SafetyModelClassifier)

"""Prompt policy throughput: Aho-Corasick engine vs a naive regex alternation, one core;
and, next to it, the policy's figures on the held-out evaluation set (recall on harmful
prompts, false blocks on benign ones, per language and category) with the shipped terms.

The engine carries every shipped term file (moderation/policy/terms/, all 26 languages, with
stems, exceptions and combined rules); synthetic terms pad the list only up to --terms.

Both sides get the same normalisation (moderation.policy.normalize.canonical); the naive side
then runs one compiled regex of all terms as whole words, i.e. it does strictly less work
than the engine (no compact view, no offsets, no verdicts). Prints one JSON object; never
fails (errors are reported in the JSON).

    .venv/bin/python bench/moderation.py [--terms 10000] [--seconds 2] [--eval FILE]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
import traceback
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

# Run as a script, sys.path[0] is bench/, where this file would shadow the moderation app.
sys.path[0] = str(Path(__file__).resolve().parents[1])

EVAL_SET = Path(__file__).resolve().parents[1] / "moderation" / "evaluation" / "prompts.tsv"
SYLLABLES = ["ka", "zu", "mor", "tel", "vin", "qua", "dra", "pex", "lo", "shi", "bru", "nex"]
BENIGN_TEXT = ("a calm drone shot over green hills at sunrise with soft golden light and a small "
          "red fox running across a wooden bridge near the river cinematic slow motion wide "
          "angle the camera pans left to reveal a lighthouse on the cliff while seagulls fly "
          "above gentle waves cartoon style warm colors")


def _synthetic_terms(count: int, rng: random.Random) -> list[str]:
    words: set[str] = set()
    while len(words) < count:
        parts = ["".join(rng.choices(SYLLABLES, k=rng.randint(2, 4)))
                 for _ in range(rng.randint(1, 3))]
        words.add(" ".join(parts))
    return sorted(words)


def _prompts(count: int, terms: list[str], rng: random.Random) -> list[str]:
    benign = BENIGN_TEXT.split()
    prompts = []
    for n in range(count):
        words = rng.choices(benign, k=26)
        if n % 20 == 0:  # 5% contain a term, some of them spaced out
            term = rng.choice(terms)
            words.insert(rng.randrange(len(words)), " ".join(term) if n % 40 == 0 else term)
        prompts.append(" ".join(words))
    return prompts


def _rate(fn: Callable[[str], object], prompts: list[str], seconds: float) -> float:
    # CPU time of this process: prompts per second of one core, whatever else the machine runs.
    done = 0
    started = time.process_time()
    while (elapsed := time.process_time() - started) < seconds:
        for prompt in prompts:
            fn(prompt)
        done += len(prompts)
    return done / elapsed


def run(term_count: int, seconds: float) -> dict[str, object]:
    from moderation.policy import Category, PolicyEngine, Term, load_terms
    from moderation.policy.normalize import canonical
    from moderation.policy.terms import TERM_LANGUAGES

    rng = random.Random(7)
    defaults = list(load_terms())
    synthetic = _synthetic_terms(max(0, term_count - len(defaults)), rng)
    terms = defaults + [Term(text, list(Category)[n % 12]) for n, text in enumerate(synthetic)]

    started = time.perf_counter()
    engine = PolicyEngine.build(terms)
    build_s = time.perf_counter() - started
    prompts = _prompts(2000, [t.text for t in defaults] + synthetic[:200], rng)

    keys = sorted({canonical(t.text).strip() for t in terms}, key=len, reverse=True)
    naive = re.compile(r"(?<= )(?:" + "|".join(map(re.escape, keys)) + r")(?= )")

    def naive_check(prompt: str) -> list[str]:
        return naive.findall(canonical(prompt))

    ours = _rate(engine.check, prompts, seconds)
    naive_rate = _rate(naive_check, prompts[:100], seconds)
    blocked = sum(engine.check(p).action != "allow" for p in prompts)
    return {
        "prompts_per_s": round(ours),
        "naive_prompts_per_s": round(naive_rate, 1),
        "ratio": round(ours / naive_rate, 1),
        "terms": len(terms),
        "languages": len(TERM_LANGUAGES),
        "prompt_length": round(sum(map(len, prompts)) / len(prompts)),
        "prompts_flagged": f"{blocked}/{len(prompts)}",
        "build_s": round(build_s, 3),
        "naive": "one regex alternation, whole words, on the same canonical text",
    }


def evaluation(path: Path, seconds: float) -> dict[str, object]:
    """Figures of the engine over the shipped terms (what a fresh database is seeded with) on
    a labelled prompt file, and its speed on those real prompts in every language."""
    from moderation.evaluation.dataset import read_eval_file
    from moderation.evaluation.scoring import score
    from moderation.policy import default_engine
    from moderation.policy.normalize import canonical

    prompts = read_eval_file(path)
    texts = [p.text for p in prompts]
    engine = default_engine()
    report = score(prompts, engine.check)
    overall = report.overall.as_dict()
    keys = sorted({canonical(t.text).strip() for t in engine.terms}, key=len, reverse=True)
    naive = re.compile(r"(?<= )(?:" + "|".join(map(re.escape, keys)) + r")(?= )")
    ours = _rate(engine.check, texts, seconds)
    naive_rate = _rate(lambda text: naive.findall(canonical(text)), texts, seconds)
    return {
        "file": str(path),
        "prompts": len(prompts),
        **{key: overall[key] for key in ("recall", "false_block_rate", "benign_review_rate",
                                         "harmful", "benign")},
        "recall_by_language": {k: f.as_dict()["recall"] for k, f in report.by_language.items()},
        "false_blocks_by_language": {k: f.false_blocks for k, f in report.by_language.items()
                                     if f.false_blocks},
        "recall_by_category": {k: f.as_dict()["recall"] for k, f in report.by_category.items()},
        "recall_by_variant": {k: f.as_dict()["recall"] for k, f in report.by_variant.items()},
        "misses": len(report.misses),
        # Speed on these real prompts in every script, against the naive regex on them.
        "eval_prompts_per_s": round(ours),
        "eval_naive_prompts_per_s": round(naive_rate),
        "eval_ratio": round(ours / naive_rate, 1),
        "terms": len(engine.terms),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--terms", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--eval", type=Path, default=EVAL_SET,
                        help="labelled prompt file (language, category, expected_action, text)")
    args = parser.parse_args()
    try:
        result = run(args.terms, args.seconds)
    except Exception as exc:  # a benchmark reports, it does not fail the run
        result = {"error": repr(exc), "traceback": traceback.format_exc()}
    try:
        result["evaluation"] = evaluation(args.eval, args.seconds)
    except Exception as exc:
        result["evaluation"] = {"error": repr(exc), "traceback": traceback.format_exc()}
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()

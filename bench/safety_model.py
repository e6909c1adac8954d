"""Cost of the second-stage safety model per prompt, next to the lexicon it backs up.

1. The worker stage's classifier on the scripted tiny Llama Guard (the tests' model, real
   from_pretrained path, real chat template and generate): seconds per prompt alone and in a
   batch of 8, as a ratio to the lexicon engine's time per prompt (the baseline).
2. An estimate for Llama Guard 3 1B on this CPU: random weights in the real architecture
   (hidden 2048, 32 heads / 8 KV heads, MLP 8192, vocabulary 128256), built with 1 and 3 of
   its 16 layers; half the difference is the cost of one layer, so 16 layers are
   extrapolated. The analytic FLOPs per prompt are reported too, with the rate this CPU
   reached, since a shared machine makes single timings noisy.
   It reads a prompt of --tokens tokens (the Llama Guard template is about 250 tokens before
   the user's text) and writes 4 tokens ("unsafe", "\\n", "S1", end), as greedy decoding does.

Prints one JSON object; never fails (errors are reported in the JSON).

    .venv/bin/python bench/safety_model.py [--tokens 320] [--repeats 3] [--skip-1b]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

# Run as a script, sys.path[0] is bench/, where a module name could shadow an app.
ROOT = Path(__file__).resolve().parents[1]
sys.path[0] = str(ROOT)
sys.path.insert(1, str(ROOT / "platform"))

PROMPTS = [
    "the scene from last night at the old market square, told again",
    "a quiet lake at dawn with mist over the water and a heron taking off",
    "two knights in a castle courtyard, slow motion, dramatic light",
    "a street interview about the weekend's football match, handheld camera",
    "a chef plating a dessert in a busy kitchen, close up",
    "kids' birthday party in a garden with balloons and a magician",
    "a rocket launch seen from a beach crowd at night",
    "a time-lapse of a city skyline from day to night",
]
LLAMA_GUARD_1B = {"hidden_size": 2048, "intermediate_size": 8192, "num_attention_heads": 32,
                  "num_key_value_heads": 8, "head_dim": 64, "vocab_size": 128256,
                  "tie_word_embeddings": True, "layers": 16}


def _best(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def tiny_stage(repeats: int) -> dict[str, object]:
    from moderation.policy import default_engine
    from moderation.policy.safety_model import SafetyModelClassifier, verdict_from_scores
    from moderation.tests import tiny_safety_models as tiny

    with tempfile.TemporaryDirectory(prefix="castline-guard-") as workdir:
        path = tiny.llama_guard(Path(workdir) / "guard", "unsafe\nS1,S9")
        started = time.perf_counter()
        classifier = SafetyModelClassifier(path)
        load_s = time.perf_counter() - started
        classifier.classify_text(PROMPTS[0])  # warm-up
        one = _best(lambda: verdict_from_scores(classifier.classify_text(PROMPTS[0]),
                                                teen=False, threshold=0.5), repeats)
        batch = _best(lambda: classifier.classify_texts(PROMPTS), repeats) / len(PROMPTS)
    engine = default_engine()
    lexicon = _best(lambda: [engine.check(p, teen=False) for p in PROMPTS * 50],
                    repeats) / (len(PROMPTS) * 50)
    return {"load_s": round(load_s, 3), "seconds_per_prompt": round(one, 4),
            "seconds_per_prompt_batch8": round(batch, 4),
            "lexicon_seconds_per_prompt": round(lexicon, 7),
            "ratio_to_lexicon": round(one / lexicon, 1)}


def llama_guard_1b_estimate(tokens: int, repeats: int) -> dict[str, object]:
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    shape = dict(LLAMA_GUARD_1B)
    layers = int(shape.pop("layers"))
    timings = {}
    for count in (1, 3):
        torch.manual_seed(0)
        model = LlamaForCausalLM(LlamaConfig(num_hidden_layers=count, **shape)).eval()
        ids = torch.randint(0, shape["vocab_size"], (1, tokens))

        def run(model=model, ids=ids) -> None:
            with torch.inference_mode():
                model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=4,
                               min_new_tokens=4, do_sample=False, pad_token_id=0)

        run()  # warm-up
        timings[count] = _best(run, repeats)
        del model
    per_layer = max((timings[3] - timings[1]) / 2, 0.0)
    fixed = max(timings[1] - per_layer, 0.0)
    hidden, mlp, kv = shape["hidden_size"], shape["intermediate_size"], 8 * 64
    layer_macs = hidden * (2 * hidden + 2 * kv) + 3 * hidden * mlp
    head_macs = 4 * hidden * shape["vocab_size"]  # logits for the 4 written tokens only
    gflop = 2 * ((tokens + 4) * layer_macs * layers + head_macs) / 1e9
    return {"prompt_tokens": tokens, "new_tokens": 4, "measured_1_layer_s": round(timings[1], 3),
            "measured_3_layers_s": round(timings[3], 3), "per_layer_s": round(per_layer, 3),
            "estimated_16_layers_s": round(fixed + layers * per_layer, 2),
            "gflop_per_prompt": round(gflop, 1),
            "cpu_gflops_measured": round(2 * (tokens + 4) * layer_macs / 1e9 / per_layer, 1)
            if per_layer else None}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tokens", type=int, default=320)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-1b", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    import torch

    django.setup()
    report: dict[str, object] = {"bench": "safety_model", "device": "cpu",
                                 "torch_threads": torch.get_num_threads()}
    try:
        report["tiny_llama_guard"] = tiny_stage(args.repeats)
    except Exception:
        report["tiny_llama_guard"] = {"error": traceback.format_exc(limit=3)}
    if not args.skip_1b:
        try:
            report["llama_guard_3_1b_estimate"] = llama_guard_1b_estimate(args.tokens,
                                                                          args.repeats)
        except Exception:
            report["llama_guard_3_1b_estimate"] = {"error": traceback.format_exc(limit=3)}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()

"""Seconds per generation job on the tiny built-in model, split by phase; prints JSON.

Job: 4 s, 24 fps, 480x854 (9:16 480p) with audio. Phases: model (backend.generate, itself split
by the progress stages), encode (MP4), post-processing (thumbnail), overhead (the rest of the
job: temp file handling, bookkeeping). Baseline in the same run: encoding the same
frames alone, so the model's cost can be read as a ratio. Never fails: errors go in the JSON.

Run: .venv/bin/python bench/generation.py [--jobs N] [--threads N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from stages import stage_seconds  # bench/stages.py, beside this script

SPEC_ARGS: dict[str, Any] = {
    "prompt": "a corgi surfing a wave at sunset, handheld camera",
    "width": 480,
    "height": 854,
    "num_frames": 96,
    "fps": 24.0,
    "with_audio": True,
    "num_inference_steps": 8,
}


def run(jobs: int, threads: int) -> dict[str, Any]:
    started = time.perf_counter()
    import torch

    from generation.backends import GenerationSpec, get_backend
    from generation.media import encode_mp4, make_thumbnail

    torch.set_num_threads(threads)
    imported = time.perf_counter()
    backend = get_backend(None, "cpu")
    built = time.perf_counter()
    spec = GenerationSpec(**SPEC_ARGS)
    backend.generate(spec)  # warm-up: first call pays one-off allocations
    warmed = time.perf_counter()

    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for job in range(jobs):
            events: list[tuple[float, str]] = []

            def record(
                _fraction: float, stage: str, events: list[tuple[float, str]] = events
            ) -> None:
                events.append((time.perf_counter(), stage))

            job_start = time.perf_counter()
            t0 = time.perf_counter()
            result = backend.generate(GenerationSpec(**{**SPEC_ARGS, "seed": job}), record)
            t1 = time.perf_counter()
            path = encode_mp4(result, Path(tmp) / f"job{job}.mp4")
            t2 = time.perf_counter()
            thumbnail = make_thumbnail(result.frames)
            t3 = time.perf_counter()
            size = path.stat().st_size
            path.unlink()
            job_end = time.perf_counter()
            rows.append(
                {
                    "model": t1 - t0,
                    "encode": t2 - t1,
                    "postprocess_thumbnail": t3 - t2,
                    "overhead": (job_end - job_start) - (t3 - t0),
                    "total": job_end - job_start,
                    "model_stages": stage_seconds(events),
                    "mp4_bytes": size,
                    "thumbnail_bytes": len(thumbnail),
                }
            )
        # Baseline: encode the last job's frames + audio again, with no model in the loop.
        baseline_times = []
        for repeat in range(jobs):
            t0 = time.perf_counter()
            encode_mp4(result, Path(tmp) / f"baseline{repeat}.mp4")
            baseline_times.append(time.perf_counter() - t0)

    def median(key: str) -> float:
        return round(statistics.median(row[key] for row in rows), 4)

    phases = ("model", "encode", "postprocess_thumbnail", "overhead", "total")
    split = {key: median(key) for key in phases}
    baseline = round(statistics.median(baseline_times), 4)
    return {
        "benchmark": "generation_job_tiny_model",
        "job": {k: v for k, v in SPEC_ARGS.items() if k != "prompt"},
        "torch_threads": threads,
        "jobs": jobs,
        "seconds_per_job_median": split,
        "model_stage_seconds_last_job": rows[-1]["model_stages"],
        "cold_start_seconds": {
            "import": round(imported - started, 4),
            "build_tiny_pipeline": round(built - imported, 4),
            "first_job_warmup": round(warmed - built, 4),
        },
        "baseline_encode_only_seconds": baseline,
        "ratio_total_to_encode_only": round(split["total"] / baseline, 3) if baseline else None,
        "ratio_model_to_encode_only": round(split["model"] / baseline, 3) if baseline else None,
        "mp4_bytes_last_job": rows[-1]["mp4_bytes"],
        "thumbnail_bytes_last_job": rows[-1]["thumbnail_bytes"],
        "per_job": [
            {k: round(v, 4) if isinstance(v, float) else v for k, v in row.items()} for row in rows
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (one core)")
    args = parser.parse_args()
    try:
        report = run(max(1, args.jobs), max(1, args.threads))
    except Exception as error:  # a benchmark reports failures, it never crashes CI
        report = {
            "benchmark": "generation_job_tiny_model",
            "error": f"{type(error).__name__}: {error}",
            "traceback": traceback.format_exc(limit=5),
        }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()

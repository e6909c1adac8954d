"""bench/generation_gpu.py keeps working where CI runs (no GPU): its --smoke run on the tiny
model goes through every measure, each measured, or skipped with its reason, and prints
JSON; a GPU session then only has to run scripts/gpu_bench.sh."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_gpu_bench_smoke_run_measures_or_says_why_not(tmp_path: Path) -> None:
    out = tmp_path / "smoke.json"
    done = subprocess.run(
        [sys.executable, "bench/generation_gpu.py", "--smoke", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    printed = json.loads(done.stdout.strip().splitlines()[-1])
    assert printed == json.loads(out.read_text())
    assert "error" not in printed, printed.get("traceback")
    measures = printed["measures"]
    assert measures["plain_480p"]["gpu_seconds_per_video_second"] > 0
    assert measures["batch_3"]["videos"] == 3
    for name, result in measures.items():
        assert "seconds" in result or result.get("skipped") or result.get("error"), name
        for option, what in result.get("applied", {}).items():
            assert what.startswith(("applied", "skipped: ", "CUDA graphs skipped")), (name,
                                                                                     option)
    # On a CPU the CUDA-only attention kernels say so instead of failing.
    assert "CUDA only" in measures["attention_native_cudnn"]["applied"]["attention"]

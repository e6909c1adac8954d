#!/usr/bin/env bash
# Issue #18's GPU figures in one device call: bench/generation_gpu.py on the H200 (real-size
# LTX-2, random weights built on the card, nothing downloaded there).
#
#   scripts/gpu_bench.sh prepare   here, once: the wheels the device image lacks (diffusers,
#                                  importlib_metadata: ~6 MB) into .whl/ (.gitignore: never
#                                  committed; `carry` takes it to the device)
#   device run:  command "bash scripts/gpu_bench.sh device", carry [".whl"], timeout_s 600
#
# On the device the bench stops starting measures at BUDGET_S (default 420 s, so a fresh
# machine's 3-4 min start plus the run fit the 15 min of device time) and is killed at
# BUDGET_S + 80 s; either way $OUT/gen_gpu.json holds every measure made so far (the JSON is
# rewritten after each) and $OUT/gen_gpu.log the per-phase lines. ONLY=name,name reruns some.
set -uo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
  prepare)
    "${CASTLINE_VENV:-.venv}/bin/python" -m pip download --no-deps --only-binary=:all: \
      --python-version 3.12 --implementation cp --platform manylinux_2_28_x86_64 \
      --platform manylinux2014_x86_64 -d .whl "diffusers==0.42.1" "importlib_metadata"
    ;;
  device)
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
      --target /tmp/site .whl/*.whl || exit 1
    export PYTHONPATH="/tmp/site:$PWD" PYTHONUNBUFFERED=1
    out="${OUT:-bench/out}"
    mkdir -p "$out"
    nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv > "$out/gpu.txt" 2>&1
    budget="${BUDGET_S:-420}"
    timeout -s TERM "$((${budget%.*} + 80))" python3 bench/generation_gpu.py --steps 8 \
      --budget-s "$budget" --only "${ONLY:-}" --out "$out/gen_gpu.json" 2> "$out/gen_gpu.log" \
      | tail -c 11000
    tail -n 40 "$out/gen_gpu.log"
    ;;
  *)
    echo "usage: $0 prepare|device" >&2
    exit 2
    ;;
esac

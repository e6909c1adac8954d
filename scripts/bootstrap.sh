#!/usr/bin/env bash
# Create (or refresh) the virtual environment. Re-runs are cheap: a stamp of pyproject.toml
# skips the install when nothing changed.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${CASTLINE_VENV:-.venv}"
PYTHON="${PYTHON:-python3}"
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
STAMP="$VENV/.castline-installed"
WANT="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$WANT" ]; then
  "$VENV/bin/pip" install --quiet --upgrade pip
  # torch first and pinned: this takes the CPU build (a plain `torch` pulls CUDA wheels).
  "$VENV/bin/pip" install --quiet "torch==2.13.0"
  "$VENV/bin/pip" install --quiet -e ".[dev]"
  # face_recognition declares `dlib`, which would compile; dlib-bin (a dependency) provides it.
  "$VENV/bin/pip" install --quiet --no-deps "face_recognition==1.3.0"
  # bench/watermark.py's baseline: it declares opencv-python (the GUI build), which would
  # overwrite opencv-python-headless's cv2; its dwtDctSvd needs only PyWavelets (the dev extra).
  "$VENV/bin/pip" install --quiet --no-deps "invisible-watermark==0.2.0"
  echo "$WANT" > "$STAMP"
fi

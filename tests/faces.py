"""Where the shared real face photos and clip live (never copied into the project)."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def faces_dir() -> Path:
    """FACES_FIXTURES_DIR, else ../shared/fixtures/faces beside the checkout."""
    configured = os.environ.get("FACES_FIXTURES_DIR")
    return Path(configured) if configured else ROOT.parent / "shared" / "fixtures" / "faces"

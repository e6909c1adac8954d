"""Debian's Chromium for the browser tests (driven by Python playwright; never downloaded)."""

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking",
                 "--disable-component-update", "--disable-gpu"]

"""Debian's Chromium for the browser tests (driven by Python playwright; never downloaded)."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking",
                 "--disable-component-update", "--disable-gpu"]


@contextmanager
def chromium_page(profile_dir: Path, chromium_path: str) -> Iterator[Any]:
    """A playwright page in a fresh headless Chromium (profile in profile_dir), closed after.
    Playwright's sync API runs an event loop: no ORM calls inside the block."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile_dir), executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        try:
            yield context.new_page()
        finally:
            context.close()

"""The one headless Chromium the project drives: to draw diagrams at build (kbtools/diagrams.py), in the browser
tests (tests/conftest.py) and in `make bench`. Debian's chromium, since `playwright install` cannot download
here; `make test` installs it (scripts/system-deps.sh). KB_CHROMIUM points at another build."""

from __future__ import annotations

import os
from pathlib import Path

CHROMIUM = os.environ.get("KB_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]


def available() -> bool:
    return Path(CHROMIUM).exists()


def launch(playwright):
    """A headless Chromium from a started `sync_playwright()`."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)

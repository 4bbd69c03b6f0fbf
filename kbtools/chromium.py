"""The one headless Chromium the project drives: to draw diagrams at build (kbtools/diagrams.py), in the browser
tests (tests/conftest.py) and in `make bench`. Debian's chromium by default, since `playwright install` cannot
download here; `make test` installs it (scripts/system-deps.sh). KB_CHROMIUM names another Chromium or Chrome
executable, and scripts/system-deps.sh checks the same path: CI uses the runner image's Google Chrome, and
Ubuntu contributors Chrome or Playwright's own Chromium (Ubuntu's apt chromium is a snap stub)."""

from __future__ import annotations

import os
from pathlib import Path

CHROMIUM = os.environ.get("KB_CHROMIUM") or "/usr/bin/chromium"  # unset or empty: Debian's
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]


def available() -> bool:
    return Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)


def launch(playwright):
    """A headless Chromium from a started `sync_playwright()`."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)

"""Every setting of the execution pipeline, in one place.

A plain `mkdocs build` or `mkdocs serve` reads these too (through kbtools/hooks.py), so it is as reproducible as
`make build`.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

# Dates in the built site (sitemap, "last updated" without git history) come from this, not from the clock.
SOURCE_DATE_EPOCH = "1628726400"  # 2021-08-12 00:00 UTC, the day of the notes

DEFAULT_TIMEOUT_S = 120  # per block (or per session), per notebook cell, per snippet module
STORE = Path(os.environ.get("KB_STORE", ROOT / ".cache" / "kb-store"))  # results of executed units


def apply_source_date_epoch() -> None:
    """Set SOURCE_DATE_EPOCH for this process unless the caller chose one."""
    os.environ.setdefault("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)

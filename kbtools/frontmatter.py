"""Front matter rules for every Markdown page: title, date, tags from the known list, summary.

Checked at build (the hook fails the page with one line naming the file and the field) and in tests.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
TAGS_FILE = ROOT / "docs/reference/tags.yml"
REQUIRED = ("title", "date", "tags", "summary")


def known_tags() -> list[str]:
    """The tags a page may use, in the order the tags page lists them (docs/reference/tags.yml)."""
    return list(yaml.safe_load(TAGS_FILE.read_text(encoding="utf-8"))["tags"])


def problems(meta: dict, where: str, allowed: list[str] | None = None) -> list[str]:
    """One line per problem, each naming the file and the field."""
    allowed = known_tags() if allowed is None else allowed
    found = [f"{where}: front matter field '{field}' is missing or empty" for field in REQUIRED if not meta.get(field)]
    date = meta.get("date")
    if date and not isinstance(date, dt.date):
        found.append(f"{where}: front matter field 'date' must be a date like 2021-08-12, not {date!r}")
    tags = meta.get("tags")
    if tags and not isinstance(tags, list):
        found.append(f"{where}: front matter field 'tags' must be a list, like [순차 모델]")
    elif tags:
        unknown = [t for t in tags if t not in allowed]
        if unknown:
            found.append(
                f"{where}: front matter field 'tags' has unknown tags {unknown}; "
                f"use one of docs/reference/tags.yml or add it there"
            )
    for field in ("title", "summary"):
        if meta.get(field) and not isinstance(meta[field], str):
            found.append(f"{where}: front matter field '{field}' must be text")
    return found


def read(path: Path) -> tuple[dict, str | None]:
    """The page's front matter and an error line if it cannot be read at all."""
    text = path.read_text(encoding="utf-8")
    where = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)
    if not text.startswith("---\n") or text.count("---\n") < 2:
        return {}, f"{where}:1: no front matter (a block between two '---' lines at the top)"
    try:
        meta = yaml.safe_load(text.split("---\n", 2)[1]) or {}
    except yaml.YAMLError as error:
        return {}, f"{where}: front matter is not valid YAML ({error})".replace("\n", " ")
    if not isinstance(meta, dict):
        return {}, f"{where}:1: front matter must be a mapping of fields"
    return meta, None

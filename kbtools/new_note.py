"""`make note`: create a dated note from the template, list it in the nav and link it from the day's log.

    python -m kbtools.new_note --title "배치 정규화" --date 2021-08-13 --tags "실습" --summary "한 문장 요약"

Missing values are asked for on a terminal; every value is checked before anything is written.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from pymdownx.slugs import slugify

from kbtools import frontmatter

ROOT = Path(__file__).resolve().parent.parent

NOTE_TEMPLATE = """---
title: {title}
date: {date}
tags: [{tags}]
summary: {summary}
---

# {title}

여기에 내용을 씁니다. 처음 나오는 용어는 한국어 뒤 괄호에 영어를 적어 주세요(예: 기울기 소실(vanishing gradient)).

## 실행되는 예제

아래 블록은 사이트를 빌드할 때 실행되고, 출력이 블록 아래에 찍힙니다. 고쳐 쓰거나 지워도 됩니다.

```python exec="on" source="above"
import torch

torch.manual_seed(0)  # 난수는 항상 시드를 고정합니다: 두 번 빌드해도 같은 페이지
x = torch.randn(2, 3)
print("x의 모양:", tuple(x.shape))
```

## 요약

- 한 줄 요약을 적습니다.
"""

LOG_TEMPLATE = """---
title: {date} 학습 일지
date: {date}
tags: [학습 일지]
summary: {date}에 배운 것과 노트.
---

# {date}

## 노트
"""


class NoteError(ValueError):
    """A value that cannot make a valid note; the message says which and why."""


def _ask(prompt: str, value: str | None) -> str:
    if value is not None:
        return value
    if not sys.stdin.isatty():
        raise NoteError(f"missing --{prompt.split()[0]} (no terminal to ask on)")
    return input(f"{prompt}: ").strip()


def make_note(root: Path, title: str, date: str, tags: list[str], summary: str) -> Path:
    """Write docs/notes/<date>-<slug>.md, add it to mkdocs.yml and to docs/log/<date>.md. Returns the note."""
    try:
        day = dt.date.fromisoformat(date)
    except ValueError as error:
        raise NoteError(f"date: '{date}' is not a date like 2021-08-13") from error
    meta = {"title": title, "date": day, "tags": tags, "summary": summary}
    problems = frontmatter.problems(meta, "new note", frontmatter.known_tags())
    if problems:
        raise NoteError("; ".join(problems))
    slug = slugify(case="lower")(title, "-") or "note"
    note = root / "docs/notes" / f"{day}-{slug}.md"
    if note.exists():
        raise NoteError(f"{note.relative_to(root)} already exists")
    note.parent.mkdir(parents=True, exist_ok=True)
    note.write_text(NOTE_TEMPLATE.format(title=title, date=day, tags=", ".join(tags), summary=summary), "utf-8")

    log = root / "docs/log" / f"{day}.md"
    if not log.exists():
        log.write_text(LOG_TEMPLATE.format(date=day), encoding="utf-8")
        # quoted: a bare 2021-08-13 is a YAML date, and Material's tags plugin cannot serialise a date title
        weekday = "월화수목금토일"[day.weekday()]
        _add_to_nav(root / "mkdocs.yml", "  - 학습 일지:", f'      - "{day} ({weekday})": log/{day}.md')
        _add_log_row(root / "docs/log/index.md", day)
    text = log.read_text(encoding="utf-8")
    if "\n## 노트\n" not in text:
        text = text.rstrip("\n") + "\n\n## 노트\n"
    log.write_text(text.rstrip("\n") + f"\n\n- [{title}](../notes/{note.name}): {summary}\n", encoding="utf-8")

    _ensure_notes_section(root)
    _add_to_nav(root / "mkdocs.yml", "  - 노트:", f"      - {json.dumps(title, ensure_ascii=False)}: notes/{note.name}")
    return note


def _add_to_nav(config: Path, section: str, entry: str) -> None:
    """Append an entry at the end of a top-level nav section, keeping the file's comments and order."""
    lines = config.read_text(encoding="utf-8").split("\n")
    start = lines.index(section)
    end = start + 1
    while end < len(lines) and lines[end].startswith("      "):
        end += 1
    lines.insert(end, entry)
    config.write_text("\n".join(lines), encoding="utf-8")


def _ensure_notes_section(root: Path) -> None:
    config = root / "mkdocs.yml"
    lines = config.read_text(encoding="utf-8").split("\n")
    if "  - 노트:" not in lines:
        lines[lines.index("  - 참고:"):lines.index("  - 참고:")] = ["  - 노트:", "      - notes/index.md"]
        config.write_text("\n".join(lines), encoding="utf-8")
    index = root / "docs/notes/index.md"
    if not index.exists():
        index.write_text(
            "---\ntitle: 노트\ndate: 2021-08-12\ntags: [안내]\nsummary: 기여자들이 보탠 날짜별 노트.\n---\n\n"
            "# 노트\n\n`make note`로 만든 노트가 이 구역에 쌓입니다. 각 노트는 그날의 학습 일지에서도 이어집니다.\n",
            encoding="utf-8",
        )


def _add_log_row(index: Path, day: dt.date) -> None:
    weekday = "월화수목금토일"[day.weekday()]
    text = index.read_text(encoding="utf-8").rstrip("\n")
    index.write_text(text + f"\n| [{day}]({day}.md) | {weekday} | 노트 |\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--title")
    parser.add_argument("--date", help="YYYY-MM-DD (default: today)")
    parser.add_argument("--tags", help=f"comma-separated, from docs/reference/tags.yml: {frontmatter.known_tags()}")
    parser.add_argument("--summary")
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        title = _ask("title (제목)", args.title)
        date = args.date or (_ask("date (날짜, YYYY-MM-DD)", None) if sys.stdin.isatty() else str(dt.date.today()))
        tags = [t.strip() for t in _ask("tags (태그, 쉼표로 구분)", args.tags).split(",") if t.strip()]
        summary = _ask("summary (한 문장 요약)", args.summary)
        note = make_note(args.root, title, date, tags, summary)
    except NoteError as error:
        print(f"make note: {error}", file=sys.stderr)
        return 2
    print(f"created {note.relative_to(args.root)}; listed in mkdocs.yml and docs/log/{date}.md")
    print("next: make serve (preview), then make test")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Pages, snippets and navigation cannot drift apart."""

from __future__ import annotations

import re

from conftest import read_nav

from kbtools import frontmatter
from kbtools.settings import DOCS, ROOT

INCLUDE = re.compile(r"""--8<--\s+["'](snippets/[^"':]+\.py)(?::[\w-]+)?["']""")
IMPORT = re.compile(r"^\s*(?:from|import)\s+(snippets(?:\.\w+)+)", re.MULTILINE)
SNIPPETS = sorted(
    p.relative_to(ROOT).as_posix() for p in (ROOT / "snippets").rglob("*.py") if p.name != "__init__.py"
)
# Exercise notebooks (docs/exercises/*.ipynb) are downloads, not pages: mkdocs.yml's mkdocs-jupyter `ignore`.
DOWNLOADS = sorted((DOCS / "exercises").glob("*.ipynb"))
PAGES = sorted([*DOCS.rglob("*.md"), *(p for p in DOCS.rglob("*.ipynb") if p not in DOWNLOADS)])


def _used_by_pages() -> dict[str, set[str]]:
    """snippet path -> pages that include it or import it in a block or notebook cell."""
    used: dict[str, set[str]] = {}
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        names = set(INCLUDE.findall(text))
        names |= {m.replace(".", "/") + ".py" for m in IMPORT.findall(text.replace('\\n"', "\n").replace('"', ""))}
        for name in names:
            used.setdefault(name, set()).add(page.relative_to(ROOT).as_posix())
    return used


def test_every_snippet_is_shown_on_a_page():
    """Asserts that each snippet file is included or imported by at least one page (no orphan code)."""
    used = _used_by_pages()
    orphans = [s for s in SNIPPETS if s not in used]
    assert not orphans, f"snippets no page uses: {orphans}"


def test_every_included_snippet_exists():
    """Asserts that every snippet a page names exists (the build checks sections; this names the page)."""
    missing = [f"{pages} -> {name}" for name, pages in _used_by_pages().items() if not (ROOT / name).is_file()]
    assert not missing, missing


def test_every_lecture_topic_page_shows_snippet_code():
    """Asserts that each lecture topic page (not an index) includes code from snippets/, not pasted code."""
    topics = [p for p in (DOCS / "lecture").glob("*.md") if p.name != "index.md"]
    bare = [p.name for p in topics if not INCLUDE.search(p.read_text(encoding="utf-8"))]
    assert not bare, f"topic pages with no snippet include: {bare}"


def _nav_files(node) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return [f for item in node for f in _nav_files(item)]
    if isinstance(node, dict):
        return [f for value in node.values() for f in _nav_files(value)]
    return []


def test_nav_lists_every_page_once():
    """Asserts that mkdocs.yml's nav lists each page under docs/ exactly once, plus the pages the build generates,
    and nothing else."""
    from kbtools import claims, report

    nav = read_nav(ROOT / "mkdocs.yml")
    listed = _nav_files(nav)
    pages = sorted([*(p.relative_to(DOCS).as_posix() for p in PAGES), report.PAGE, claims.PAGE])
    assert sorted(listed) == pages, {
        "not in nav": sorted(set(pages) - set(listed)),
        "in nav but missing": sorted(set(listed) - set(pages)),
        "listed twice": sorted({f for f in listed if listed.count(f) > 1}),
    }


def test_every_page_has_valid_front_matter():
    """Asserts that every Markdown page has title, date, tags (from docs/reference/tags.yml) and summary."""
    found = []
    for page in sorted(DOCS.rglob("*.md")):
        meta, error = frontmatter.read(page)
        found += [error] if error else frontmatter.problems(meta, page.relative_to(ROOT).as_posix())
    assert not found, "\n".join(found)


def test_front_matter_check_names_file_and_field():
    """Asserts that each malformed front matter gives one line naming the file and the field."""
    import datetime as dt

    good = {"title": "t", "date": dt.date(2021, 8, 12), "tags": ["RNN"], "summary": "s"}
    assert frontmatter.problems(good, "docs/x.md") == []
    assert frontmatter.problems({**good, "title": ""}, "docs/x.md") == [
        "docs/x.md: front matter field 'title' is missing or empty"
    ]
    (line,) = frontmatter.problems({**good, "tags": ["없는 태그"]}, "docs/x.md")
    assert line.startswith("docs/x.md: front matter field 'tags' has unknown tags")
    (line,) = frontmatter.problems({**good, "date": "어제"}, "docs/x.md")
    assert line.startswith("docs/x.md: front matter field 'date' must be a date")


def test_every_known_tag_is_used():
    """Asserts that docs/reference/tags.yml lists no tag that no page uses (the list stays true)."""
    used = set()
    for page in DOCS.rglob("*.md"):
        used |= set(frontmatter.read(page)[0].get("tags") or [])
    assert not [t for t in frontmatter.known_tags() if t not in used]

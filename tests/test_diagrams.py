"""Diagrams are drawn at build (kbtools/diagrams.py): every diagram on the site has its drawing committed in
diagrams/, drawing is deterministic, and a diagram that cannot be drawn fails the build naming the page."""

from __future__ import annotations

import re
import subprocess

from conftest import ROOT, build_mini

from kbtools import diagrams

PLANTED = "# t\n\n```mermaid\nflowchart LR\n    A[\"가\"] --> B[\"나\"]\n```\n"


def _keys_on_site(site) -> set[str]:
    return {key for page in site.rglob("*.html") for key in re.findall(r'data-diagram="([0-9a-f]+)"', page.read_text())}


def test_every_diagram_on_the_site_is_drawn_and_committed(built_site):
    """Asserts that no page keeps a diagram as Mermaid text, that each drawing the site uses is tracked by git
    (a build elsewhere, GitHub Pages included, then needs no browser), and that diagrams/ holds no stale
    drawing."""
    pages = list(built_site.rglob("*.html"))
    undrawn = [str(p.relative_to(built_site)) for p in pages if '<div class="kb-mermaid">' in p.read_text()]
    assert not undrawn, f"pages with a diagram left as text: {undrawn}"
    used = _keys_on_site(built_site)
    assert len(used) >= 6, f"only {len(used)} drawings on the site: is the check looking at the right pages?"
    tracked = subprocess.run(["git", "ls-files", "diagrams"], cwd=ROOT, capture_output=True, text=True, check=True)
    committed = {line.removeprefix("diagrams/").removesuffix(".svg") for line in tracked.stdout.split()}
    assert not used - committed, f"drawings not committed yet: `git add diagrams/` ({sorted(used - committed)})"
    on_disk = {p.stem for p in (ROOT / "diagrams").glob("*.svg")}
    assert not on_disk - used, f"drawings no page uses any more, delete them: {sorted(on_disk - used)}"


def test_drawing_is_deterministic_and_keyed_on_the_text():
    """Asserts that drawing the same diagram twice gives the same bytes (Mermaid's hand-drawn shapes are
    seeded), and that a change of one label changes the key."""
    text = 'flowchart LR\n    A(["가지"]) --> B{{"HEAD"}}'
    first, second = (diagrams.compact(diagrams.draw({"k": text})["k"]["svg"]) for _ in range(2))
    assert first == second
    assert diagrams.key_of(text) != diagrams.key_of(text.replace("가지", "가지2"))


def test_compact_rounds_geometry_but_not_labels():
    """Asserts that coordinates are cut to two decimals and label text is left as written."""
    svg = '<path d="M1.23456 -7.891011"/><text x="3.14159">0.123456</text>'
    assert diagrams.compact(svg) == '<path d="M1.23 -7.89"/><text x="3.14">0.123456</text>'


def test_a_new_diagram_is_drawn_once_then_reused_without_a_browser(tmp_path):
    """Asserts that a build draws a new diagram into diagrams/ beside its mkdocs.yml, that a later build uses
    that drawing with no Chromium at all, and that without the drawing and without Chromium the build fails
    with the page, the line and what to do."""
    done = build_mini(tmp_path / "draw", {"index.md": PLANTED})
    assert done.returncode == 0, done.stderr
    drawn = list((tmp_path / "draw/diagrams").glob("*.svg"))
    assert len(drawn) == 1
    assert f'data-diagram="{drawn[0].stem}"' in (tmp_path / "draw/site/index.html").read_text()

    reuse = tmp_path / "draw"
    done = build_mini(reuse, {"index.md": PLANTED}, KB_CHROMIUM="/nonexistent/chromium")
    assert done.returncode == 0, done.stderr

    done = build_mini(tmp_path / "none", {"index.md": PLANTED}, KB_CHROMIUM="/nonexistent/chromium")
    assert done.returncode != 0
    assert "docs/index.md:11: diagram not drawn yet" in done.stderr and "make test" in done.stderr, done.stderr


def test_a_diagram_mermaid_cannot_parse_fails_the_build_with_page_and_line(tmp_path):
    """Asserts that a Mermaid syntax error fails the strict build with the page, the line and Mermaid's message."""
    page = "# t\n\ntext\n\n```mermaid\nflowchart LR\n    A --> \n```\n"
    done = build_mini(tmp_path, {"index.md": page})
    assert done.returncode != 0
    assert "docs/index.md:13: Mermaid: Parse error" in done.stderr, done.stderr

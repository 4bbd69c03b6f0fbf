"""Draws the site's Mermaid diagrams at build time, so each page carries an inline SVG and readers' browsers
run no Mermaid (3.5 MB of script that took ~1 s of main thread on a phone, and pushed the page's layout).

A diagram is a `div.kb-mermaid` holding its Mermaid text: from a ```mermaid fence (pymdownx.superfences in
mkdocs.yml) or printed by an executed block (snippets/git/graph.py draws the Git pages' graphs from real
repositories). Mermaid measures text, so it needs a browser. The drawings are therefore kept, one file per
diagram, in diagrams/<key>.svg beside mkdocs.yml and committed, the key being a digest of the Mermaid text,
Mermaid's version and the settings below:

- a build whose diagrams are all there (GitHub Pages, `make serve` from a fresh clone) needs no browser, and
  two machines give the same bytes whatever fonts they have;
- a new or changed diagram is drawn in headless Chromium (kbtools/chromium.py) and its file written, for the
  writer to commit with the page; tests/test_diagrams.py fails while a drawing is missing from git or stale.

A diagram Mermaid cannot parse is reported with the page, the line and Mermaid's message.
"""

from __future__ import annotations

import concurrent.futures
import functools
import hashlib
import html
import json
import re
from pathlib import Path

from kbtools import chromium
from kbtools.fences import line_of

VENDOR = Path(__file__).parent / "vendor"
MERMAID_JS = VENDOR / "mermaid" / "mermaid.min.js"
DIAGRAM = re.compile(r'<div class="kb-mermaid">(?P<text>.*?)</div>', re.DOTALL)
GEOMETRY = re.compile(r'\s(?:d|points|transform|viewBox|x|y|width|height)="[^"]*"')

SITE_CSS = Path(__file__).parent.parent / "docs" / "assets" / "stylesheets" / "extra.css"

_DRAW = """async ({config, diagrams}) => {
  mermaid.initialize(config);
  const drawn = {};
  for (const [id, text] of diagrams) {
    try {
      drawn[id] = {svg: (await mermaid.render(id, text)).svg};
    } catch (error) {
      drawn[id] = {error: String(error.message || error)};
    }
  }
  return drawn;
}"""


def font_family() -> str:
    """The site's Korean font stack (--md-text-font in extra.css): labels are measured in the font they are read in."""
    stack = re.search(r"--md-text-font:\s*([^;]+);", SITE_CSS.read_text(encoding="utf-8"))
    return f"{stack.group(1).strip()}, sans-serif"


@functools.cache
def mermaid_config() -> dict:
    return {
        "startOnLoad": False,
        "securityLevel": "strict",
        "deterministicIds": True,
        "handDrawnSeed": 1,  # shapes are drawn with rough.js, which is random unless seeded
        "theme": "default",
        "fontFamily": font_family(),
        "themeCSS": (Path(__file__).parent / "diagram-theme.css").read_text(encoding="utf-8"),
    }


@functools.cache
def _renderer_digest() -> bytes:
    """Mermaid's version and settings: a KaTeX upgrade (same VERSIONS.txt) must not ask for new drawings."""
    versions = (VENDOR / "VERSIONS.txt").read_text(encoding="utf-8").splitlines()
    mermaid = next(line for line in versions if line.startswith("mermaid "))
    return hashlib.sha256((mermaid + json.dumps(mermaid_config(), sort_keys=True)).encode()).digest()


def key_of(text: str) -> str:
    """The drawing's file name (without .svg): changes with the text, Mermaid's version and the settings."""
    return hashlib.sha256(_renderer_digest() + text.strip().encode()).hexdigest()[:20]


def svg_id(key: str) -> str:
    return f"kb-diagram-{key[:12]}"


def draw(texts: dict[str, str]) -> dict[str, dict[str, str]]:
    """Draws {key: Mermaid text} in headless Chromium: {key: {"svg": ...}} or {key: {"error": ...}}.

    Runs Playwright's sync API on a worker thread: the build's own thread may hold an asyncio loop (the
    notebook executor leaves one), which the sync API refuses to share."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_draw, texts).result()


def _draw(texts: dict[str, str]) -> dict[str, dict[str, str]]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = chromium.launch(playwright)
        try:
            page = browser.new_page()
            page.set_content("<!doctype html><html><head><meta charset='utf-8'></head><body></body></html>")
            page.add_script_tag(path=str(MERMAID_JS))
            ids = {svg_id(key): key for key in texts}
            drawn = page.evaluate(
                _DRAW, {"config": mermaid_config(), "diagrams": [[svg_id(k), t] for k, t in texts.items()]}
            )
        finally:
            browser.close()
    return {ids[i]: result for i, result in drawn.items()}


def compact(svg: str) -> str:
    """Mermaid writes coordinates to 15 digits (the pill shapes are long hand-drawn-style paths): two decimals,
    a hundredth of a pixel, halve the file and cut it by 60 % gzipped. Only geometry attributes are touched,
    never label text."""
    return GEOMETRY.sub(lambda m: re.sub(r"(-?\d+\.\d{2})\d+", r"\1", m.group(0)), svg)


def draw_page(page_html: str, drawings: Path, where: str, source: str = "") -> tuple[str, list[str]]:
    """`page_html` with every div.kb-mermaid replaced by its drawing from the folder `drawings`, and one message
    per diagram that could not be drawn. New drawings are written there. `where` and `source` (the page as
    written) locate problems."""
    found = [(m, html.unescape(m.group("text"))) for m in DIAGRAM.finditer(page_html)]
    if not found:
        return page_html, []
    keys = [key_of(text) for _, text in found]
    missing = {key: text for key, (_, text) in zip(keys, found, strict=True) if not (drawings / f"{key}.svg").exists()}
    problems: list[str] = []
    if missing and not chromium.available():
        for key, text in missing.items():
            problems.append(
                f"{where}:{line_of(text, source)}: diagram not drawn yet (no {drawings.name}/{key}.svg), and no "
                f"Chromium at {chromium.CHROMIUM} to draw it: run `make test` once (it installs chromium), or set "
                "KB_CHROMIUM"
            )
        missing = {}
    if missing:
        drawings.mkdir(exist_ok=True)
        for key, result in draw(missing).items():
            if "svg" in result:
                (drawings / f"{key}.svg").write_text(compact(result["svg"]) + "\n", encoding="utf-8")
            else:
                problems.append(f"{where}:{line_of(missing[key], source)}: Mermaid: {result['error']}")

    pieces, end, seen = [], 0, {}
    for (match, _), key in zip(found, keys, strict=True):
        pieces.append(page_html[end : match.start()])
        end = match.end()
        drawing = drawings / f"{key}.svg"
        if not drawing.exists():
            pieces.append(match.group(0))  # left as text; the problem is reported
            continue
        svg = drawing.read_text(encoding="utf-8").strip()
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:  # the same diagram twice on a page: ids must stay unique
            svg = svg.replace(svg_id(key), f"{svg_id(key)}-{seen[key]}")
        pieces.append(f'<div class="kb-mermaid" data-diagram="{key}">{svg}</div>')
    pieces.append(page_html[end:])
    return "".join(pieces), problems

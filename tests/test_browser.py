"""The built site in a real browser (Debian's Chromium driven by Playwright): it loads cleanly,
asks no host but its own, renders math, diagrams and outputs, and its search finds what readers type."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import sync_playwright

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("KB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
SCREENSHOTS = os.environ.get("KB_SCREENSHOTS")  # a folder: save a full-page screenshot of each page there

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _url_path(page: Path) -> str:
    """docs/a/index.md -> a/, docs/a/b.md -> a/b/, docs/a/c.ipynb -> a/c/ (MkDocs directory URLs)."""
    relative = page.relative_to(DOCS).with_suffix("")
    parts = relative.parts[:-1] if relative.name == "index" else relative.parts
    return "".join(f"{part}/" for part in parts)


PAGES = sorted(_url_path(p) for p in [*DOCS.rglob("*.md"), *DOCS.rglob("*.ipynb")])

# (query, where the right page's path starts): it must be among the first three results.
# Korean words, English words, code names, and words that occur only inside notebooks.
SEARCH_TABLE = [
    ("어텐션", "lecture/attention/"),
    ("attention", "lecture/attention/"),
    ("트랜스포머", "lecture/transformer/"),
    ("torch", "lecture/"),
    ("nn.LSTM", "lecture/lstm/"),
    ("LSTM", "lecture/lstm/"),
    ("GRU", "lecture/gru/"),
    ("자기회귀", "lecture/sequential-models/"),
    ("마르코프", "lecture/sequential-models/"),
    ("마스킹", "lecture/masking/"),
    ("checkout", "git/"),
    ("bisect", "git/bisect/"),
    ("스테이징", "git/branching/"),
    ("오피스아워", "office-hours/"),
    ("최소제곱", "lecture/autoregressive-fit/"),
]


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: run `make test` (it installs Debian's chromium)", pytrace=False)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


class PageLog:
    """What a page did while loading: every request, failure and console error."""

    def __init__(self, page):
        self.requests: list[str] = []
        self.failures: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("requestfailed", lambda r: self.failures.append(f"{r.url}: {r.failure}"))
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))


def open_page(browser, url: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ko-KR")
    page = context.new_page()
    log = PageLog(page)
    page.goto(url, wait_until="networkidle")
    return page, log


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_cleanly_from_its_own_host(browser, site_url, path):
    """Asserts that a page loads with no console error, no failed request and no request to another host."""
    page, log = open_page(browser, f"{site_url}/{path}")
    page.wait_for_timeout(300)  # lazy-loaded KaTeX/Mermaid finish after networkidle on slow machines
    own = urlparse(site_url).netloc
    foreign = [u for u in log.requests if urlparse(u).scheme in {"http", "https"} and urlparse(u).netloc != own]
    assert not foreign, f"requests to other hosts: {foreign}"
    assert not log.failures, log.failures
    assert not log.errors, log.errors
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        name = (path.strip("/").replace("/", "_") or "home") + ".png"
        page.screenshot(path=str(Path(SCREENSHOTS) / name), full_page=True)
    page.context.close()


def test_math_and_diagrams_render(browser, site_url):
    """Asserts that KaTeX typesets the equations and Mermaid turns the diagram into SVG, from vendored files."""
    page, log = open_page(browser, f"{site_url}/lecture/sequential-models/")
    page.wait_for_selector("div.kb-mermaid svg", timeout=15000)
    page.wait_for_selector(".arithmatex .katex", timeout=15000)
    unrendered = page.locator(".arithmatex:not(:has(.katex))").count()
    assert unrendered == 0, f"{unrendered} equations left as TeX source"
    assert any("/assets/vendor/mermaid/" in u for u in log.requests)
    assert any("/assets/vendor/katex/" in u for u in log.requests)
    page.context.close()


def test_pages_without_math_or_diagrams_load_neither(browser, site_url):
    """Asserts that the 3.5 MB Mermaid bundle and KaTeX are fetched only by pages that use them."""
    page, log = open_page(browser, f"{site_url}/log/")
    assert not [u for u in log.requests if "/assets/vendor/" in u]
    page.context.close()


def test_korean_text_uses_a_korean_font(browser, site_url):
    """Asserts that the body text is set in a font family list that names a Korean font present here."""
    page, _ = open_page(browser, f"{site_url}/")
    family = page.evaluate("getComputedStyle(document.querySelector('.md-typeset p')).fontFamily")
    assert "Noto Sans CJK KR" in family, family
    page.context.close()


def search(page, query: str) -> list[str]:
    page.locator("label.md-search__icon, .md-search__input").first.click()
    box = page.locator("input.md-search__input")
    box.fill(query)
    box.press("End")  # Material reads the query on keyup (IME-friendly); fill() alone sends no key
    page.wait_for_function(
        "() => document.querySelector('.md-search-result__meta')"
        " && !/입력|Type to start/.test(document.querySelector('.md-search-result__meta').textContent)",
        timeout=10000,
    )
    page.wait_for_timeout(150)
    return page.eval_on_selector_all(
        ".md-search-result__item > .md-search-result__link", "els => els.map(e => e.getAttribute('href'))"
    )


@pytest.mark.parametrize(("query", "expected"), SEARCH_TABLE, ids=[q for q, _ in SEARCH_TABLE])
def test_search_finds_the_page(browser, site_url, query, expected):
    """Asserts that the query's expected page is among the first three results, with no script error."""
    page, log = open_page(browser, f"{site_url}/")
    hrefs = search(page, query)
    top = [urlparse(h).path.split("/study-notes-kb/", 1)[-1].lstrip("./") for h in hrefs[:3]]
    assert any(h.startswith(expected) or h.split("#")[0] == expected for h in top), f"{query!r}: {hrefs[:5]}"
    assert not log.errors, log.errors
    page.context.close()

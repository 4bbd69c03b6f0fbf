"""The built site in a real browser (Debian's Chromium driven by Playwright): it loads cleanly,
asks no host but its own, renders math, diagrams and outputs, works by keyboard, and passes axe-core."""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import urlparse

import pytest
from conftest import PageLog, open_page

pytestmark = pytest.mark.browser

SCREENSHOTS = os.environ.get("KB_SCREENSHOTS")  # a folder: save a full-page screenshot of each page there

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _url_path(page: Path) -> str:
    """docs/a/index.md -> a/, docs/a/b.md -> a/b/, docs/a/c.ipynb -> a/c/ (MkDocs directory URLs)."""
    relative = page.relative_to(DOCS).with_suffix("")
    parts = relative.parts[:-1] if relative.name == "index" else relative.parts
    return "".join(f"{part}/" for part in parts)


DOWNLOADS = sorted((DOCS / "exercises").glob("*.ipynb"))  # exercise notebooks: plain downloads, not pages
PAGES = sorted(_url_path(p) for p in [*DOCS.rglob("*.md"), *DOCS.rglob("*.ipynb")] if p not in DOWNLOADS)
NOTEBOOKS = sorted(_url_path(p) for p in DOCS.rglob("*.ipynb") if p not in DOWNLOADS)
# axe-core 4.14.1 (MPL-2.0), copied by scripts/vendor.sh from npm into tests/vendor/: never published with the site.
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"

# Math and diagrams are drawn at build (kbtools/katex.py, kbtools/diagrams.py): the page runs no script for them.
RENDERING_SCRIPTS = ("katex.min.js", "auto-render", "mermaid")


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_cleanly_from_its_own_host(browser, site_url, path):
    """Asserts that a page loads with no console error, no failed request and no request to another host, that
    every diagram on it is a visible SVG and every equation typeset, with no script fetched to do either."""
    page, log = open_page(browser, f"{site_url}/{path}")
    page.wait_for_timeout(300)  # anything still loading fails or errs by now
    for diagram in page.locator("div.kb-mermaid").all():
        box = diagram.locator("svg").first.bounding_box()
        assert box and box["width"] > 50 and box["height"] > 20, f"diagram not drawn: {diagram.inner_text()[:80]}"
    assert page.locator(".arithmatex:not(:has(.katex))").count() == 0
    assert not [u for u in log.requests if any(name in u for name in RENDERING_SCRIPTS)]
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


def test_diagrams_follow_the_colour_scheme(browser, site_url):
    """Asserts that a diagram drawn at build takes its colours from the page (Material's --md-mermaid-*
    variables): a label's colour and an arrow's colour differ between the light and the dark scheme."""
    colours = {}
    for scheme in ("light", "dark"):
        context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
        page = context.new_page()
        page.goto(f"{site_url}/lecture/sequential-models/", wait_until="networkidle")
        colours[scheme] = page.evaluate("""() => {
            const svg = document.querySelector("div.kb-mermaid svg");
            return [getComputedStyle(svg.querySelector(".nodeLabel")).color,
                    getComputedStyle(svg.querySelector(".flowchart-link")).stroke];
        }""")
        context.close()
    assert colours["light"][0] != colours["dark"][0], colours
    assert colours["light"][1] != colours["dark"][1], colours


def test_math_is_typeset_with_katex_fonts(browser, site_url):
    """Asserts that an equation typeset at build is laid out by KaTeX's stylesheet in KaTeX's own font, and
    carries MathML for screen readers."""
    page, log = open_page(browser, f"{site_url}/lecture/rnn/")
    formula = page.locator("div.arithmatex .katex-html").first
    assert "KaTeX" in formula.evaluate("(e) => getComputedStyle(e.querySelector('.mord')).fontFamily")
    assert page.locator("div.arithmatex .katex-mathml math").count() > 0
    assert any(u.endswith("/assets/vendor/katex/katex.min.css") for u in log.requests)
    page.context.close()


def test_pages_without_math_load_no_katex(browser, site_url):
    """Asserts that KaTeX's stylesheet and fonts are fetched only by pages that have math."""
    page, log = open_page(browser, f"{site_url}/log/")
    assert not [u for u in log.requests if "/assets/vendor/" in u]
    page.context.close()


@pytest.mark.parametrize("path", PAGES)
def test_page_fits_a_phone_screen(browser, site_url, path):
    """Asserts that on a 412 px wide screen the article takes the width (a stray closing tag in a page once
    pushed it to 0 px) and the page does not scroll sideways (wide code, math and diagrams scroll or scale)."""
    context = browser.new_context(viewport={"width": 412, "height": 823}, locale="ko-KR", is_mobile=True)
    page = context.new_page()
    page.goto(f"{site_url}/{path}", wait_until="networkidle")
    article = page.evaluate("document.querySelector('article').getBoundingClientRect().width")
    assert article > 412 * 0.85, f"article is {article:.0f} px wide on a 412 px screen"
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow} px"
    context.close()


def test_korean_text_uses_a_korean_font(browser, site_url):
    """Asserts that the body text is set in a font family list that names a Korean font present here."""
    page, _ = open_page(browser, f"{site_url}/")
    family = page.evaluate("getComputedStyle(document.querySelector('.md-typeset p')).fontFamily")
    assert "Noto Sans CJK KR" in family, family
    page.context.close()


def test_every_page_with_a_diagram_is_checked():
    """Asserts that the pages whose source has a ```mermaid fence are among PAGES (so each diagram is checked above)."""
    sources = [p for p in [*DOCS.rglob("*.md"), *DOCS.rglob("*.ipynb")] if "```mermaid" in p.read_text("utf-8")]
    assert sources, "no page has a diagram: the diagram check above checks nothing"
    assert {_url_path(p) for p in sources} <= set(PAGES)


def _axe_violations(page) -> list[dict]:
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    return page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations.map((v) => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ") + " -- " + (n.failureSummary || "")),
        }))"""
    )


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", PAGES)
def test_page_has_no_serious_accessibility_violation(browser, site_url, path, scheme):
    """Asserts that axe-core finds no violation of impact serious or critical on the page in the colour scheme
    (no rule is disabled; moderate and minor findings are tolerated and listed in the report)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ko-KR", color_scheme=scheme)
    page = context.new_page()
    page.goto(f"{site_url}/{path}", wait_until="networkidle")
    # Blocks off screen are not laid out (content-visibility in extra.css), and axe needs layout to judge
    # contrast and scrolling: lay out the whole page, as a reader scrolling through it would.
    page.add_style_tag(content=".md-typeset > * { content-visibility: visible !important; }")
    expected = "slate" if scheme == "dark" else "default"
    assert page.evaluate("document.body.dataset.mdColorScheme") == expected
    serious = [v for v in _axe_violations(page) if v["impact"] in {"serious", "critical"}]
    assert not serious, json.dumps(serious, ensure_ascii=False, indent=1)
    context.close()


def test_copy_button_copies_the_code_block(browser, site_url):
    """Asserts that clicking a code block's copy button puts that block's text on the clipboard."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ko-KR")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site_url)
    page = context.new_page()
    page.goto(f"{site_url}/lecture/rnn/", wait_until="networkidle")
    # Material 9.8's copy button (content.code.copy): data-clipboard-target names the code element it copies.
    button = page.locator("button.md-code__button[data-md-type=copy]").first
    expected = page.locator(button.get_attribute("data-clipboard-target")).inner_text()
    button.locator("xpath=ancestor::div[contains(@class, 'highlight')][1]").hover()
    button.click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.strip() and copied.strip() == expected.strip()
    context.close()


def test_colour_scheme_toggle_persists_across_navigation_and_reload(browser, site_url):
    """Asserts that the dark/light toggle switches the scheme, stores it, and keeps it on another page and
    after a reload."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ko-KR", color_scheme="light")
    page = context.new_page()
    page.goto(f"{site_url}/", wait_until="networkidle")
    scheme = "document.body.dataset.mdColorScheme"
    assert page.evaluate(scheme) == "default"
    page.locator("form[data-md-component=palette] label:visible").click()
    assert page.evaluate(scheme) == "slate"
    stored = page.evaluate("localStorage.getItem(__md_scope.pathname + '.__palette')")
    assert stored and json.loads(stored)["color"]["scheme"] == "slate", stored
    page.goto(f"{site_url}/lecture/rnn/", wait_until="networkidle")
    assert page.evaluate(scheme) == "slate"
    page.reload(wait_until="networkidle")
    assert page.evaluate(scheme) == "slate"
    page.locator("form[data-md-component=palette] label:visible").click()
    page.reload(wait_until="networkidle")
    assert page.evaluate(scheme) == "default"
    context.close()


@pytest.mark.parametrize("path", NOTEBOOKS)
def test_notebook_download_link_returns_the_notebook(browser, pages_url, path):
    """Asserts that a notebook page's download link serves the notebook: status 200 and JSON with cells.
    The link is absolute under site_url's path (mkdocs-jupyter's nb_url), so the site is served as GitHub Pages
    and `mkdocs serve` serve it, under that path."""
    page, _ = open_page(browser, f"{pages_url}/{path}")
    link = page.locator("a.md-content__button[download]")
    assert link.count() == 1
    href = link.get_attribute("href")
    assert href.endswith(".ipynb"), href
    response = page.request.get(page.evaluate("(h) => new URL(h, location.href).href", href))
    assert response.status == 200
    notebook = json.loads(response.body())
    assert notebook["cells"], "the downloaded notebook has no cells"
    page.context.close()


def test_missing_page_gets_the_sites_404_page(browser, pages_url):
    """Asserts that a missing URL, served as GitHub Pages serves the site (under site_url's path, 404.html for
    anything missing), answers 404 with the site's own styled 404 page and every asset of it loads."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ko-KR")
    page = context.new_page()
    log = PageLog(page)
    missing = f"{pages_url}/lecture/no-such-page/"
    response = page.goto(missing, wait_until="networkidle")
    assert response.status == 404
    assert "404" in page.locator("article h1").inner_text()
    assert page.locator(".md-header").is_visible(), "the 404 page is unstyled: its assets did not load"
    assert not log.failures, log.failures
    # Chromium reports the page's own 404 status as a console error; anything else is a real error.
    errors = [e for e in log.errors if "status of 404" not in e]
    assert not errors, errors
    assert not [r for r in log.requests if r != missing and r.startswith(pages_url) and r.endswith("/no-such-page/")]
    context.close()


def test_keyboard_reaches_skip_link_search_and_content(browser, site_url):
    """Asserts that Tab from the top of a page lands first on the skip link, which moves focus past the header into
    the article, and that Tab also reaches the search box and a link in the main content."""
    page, _ = open_page(browser, f"{site_url}/lecture/rnn/")
    focused = """() => { const e = document.activeElement;
        return e.className + "|" + (e.closest(".md-content") ? "content" : "") }"""
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('md-skip')")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate(focused).endswith("|content"), "after the skip link, Tab does not land in the content"
    page.goto(f"{site_url}/lecture/rnn/", wait_until="networkidle")
    seen = []
    for _ in range(60):
        page.keyboard.press("Tab")
        seen.append(page.evaluate(focused))
        if any("md-search__input" in s for s in seen) and any(s.endswith("|content") for s in seen):
            break
    assert any("md-search__input" in s for s in seen), seen
    assert any(s.endswith("|content") for s in seen), seen
    page.context.close()

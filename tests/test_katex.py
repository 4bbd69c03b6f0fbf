"""Math is typeset at build (kbtools/katex.py): every formula on the site becomes KaTeX HTML with MathML, and a
formula KaTeX cannot parse fails the build naming the page and line."""

from __future__ import annotations

from conftest import build_mini

from kbtools import katex


def test_typeset_gives_html_and_mathml():
    """Asserts that an inline and a display formula become KaTeX's HTML plus MathML inside their arithmatex
    wrappers, with entities in the TeX (as arithmatex writes them) decoded."""
    page = '<p><span class="arithmatex">\\(a &lt; b\\)</span></p><div class="arithmatex">\\[x^2\\]</div>'
    typeset, problems = katex.typeset(page, "docs/x.md")
    assert not problems
    assert typeset.count('class="katex"') == 2 and typeset.count("<math") == 2
    assert '<span class="arithmatex"><span class="katex">' in typeset
    assert '<div class="arithmatex"><span class="katex-display">' in typeset
    assert "<mo>&lt;</mo>" in typeset


def test_a_bad_formula_is_reported_with_page_and_line():
    """Asserts that a formula KaTeX rejects is left as written and reported with the line it has in the source."""
    page = '<p><span class="arithmatex">\\(\\frac{a\\)</span></p>'
    source = "---\ntitle: t\n---\n\n본문 \\(\\frac{a\\)\n"
    typeset, problems = katex.typeset(page, "docs/x.md", source)
    assert typeset == page
    assert len(problems) == 1 and problems[0].startswith("docs/x.md:5: math: KaTeX parse error"), problems


def test_every_formula_on_the_site_is_typeset(built_site):
    """Asserts that no built page keeps a formula as TeX, and that the pages with math have many formulas."""
    leftover, formulas = [], 0
    for page in built_site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        if 'class="arithmatex">\\(' in text or 'class="arithmatex">\\[' in text:
            leftover.append(str(page.relative_to(built_site)))
        formulas += text.count('<span class="katex">')
    assert not leftover, f"formulas left as TeX: {leftover}"
    assert formulas > 100, f"only {formulas} formulas typeset on the whole site"


def test_a_bad_formula_fails_the_build(tmp_path):
    """Asserts that a formula KaTeX cannot parse fails the strict build with the page, the line and KaTeX's message."""
    done = build_mini(tmp_path, {"index.md": "# t\n\ntext\n\n식 \\(\\frac{a\\) 끝\n"})
    assert done.returncode != 0
    assert "docs/index.md:12: math: KaTeX parse error" in done.stderr, done.stderr

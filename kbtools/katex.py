"""Typesets the page's math at build time with the vendored KaTeX, run in an embedded V8 (mini-racer).

pymdownx.arithmatex (generic mode) leaves `<span class="arithmatex">\\(...\\)</span>` and
`<div class="arithmatex">\\[...\\]</div>` in the HTML. Each is replaced by KaTeX's HTML (for the eye) and
MathML (for screen readers), so a reader's browser runs no script for math and the page does not shift when
the math appears. The page then needs only katex.min.css and its fonts (overrides/main.html links them).
A formula KaTeX cannot parse is reported with the page, the line and KaTeX's message (kbtools/hooks.py logs it
as an error, which fails `mkdocs build --strict`) and stays on the page as TeX.
"""

from __future__ import annotations

import functools
import html
import re
from pathlib import Path

from kbtools.fences import line_of

KATEX_JS = Path(__file__).parent / "vendor" / "katex" / "katex.min.js"

MATH = re.compile(
    r'<span class="arithmatex">\\\((?P<inline>.*?)\\\)</span>|<div class="arithmatex">\\\[(?P<display>.*?)\\\]</div>',
    re.DOTALL,
)

# Returns {html} or {error}: a thrown ParseError would surface as a V8 stack with the whole minified bundle.
_RENDER = """(tex, display) => {
  try {
    const options = {displayMode: display, throwOnError: true, strict: "error", output: "htmlAndMathml"};
    return {html: katex.renderToString(tex, options)};
  } catch (error) {
    return {error: String(error.message || error)};
  }
}"""


@functools.cache
def _katex():
    """A V8 context with KaTeX loaded, kept for the life of the process (mini-racer closes a context, and the
    functions taken from it, when the context object is collected)."""
    from py_mini_racer import MiniRacer

    context = MiniRacer()
    context.eval(KATEX_JS.read_text(encoding="utf-8"))
    context.eval(f"var kbRender = {_RENDER};")
    return context


@functools.cache  # `mkdocs serve` rebuilds every page on each save: unchanged formulas are not typeset again
def render(tex: str, display: bool) -> str:
    """KaTeX's HTML for one formula; raises ValueError with KaTeX's message when it cannot be typeset."""
    result = _katex().call("kbRender", tex, display)
    if "error" in result:
        raise ValueError(result["error"])
    return result["html"]


def typeset(page_html: str, where: str, source: str = "") -> tuple[str, list[str]]:
    """`page_html` with every arithmatex formula typeset, and one message per formula that could not be.

    `where` names the page in the messages; `source` (the page as written) is searched for the formula to give
    its line."""
    problems: list[str] = []

    def replace(match: re.Match) -> str:
        display = match.group("display") is not None
        tex = html.unescape(match.group("display") if display else match.group("inline"))
        try:
            rendered = render(tex.strip(), display)
        except ValueError as error:
            problems.append(f"{where}:{line_of(tex, source)}: math: {error}")
            return match.group(0)
        tag = "div" if display else "span"
        return f'<{tag} class="arithmatex">{rendered}</{tag}>'

    return MATH.sub(replace, page_html), problems

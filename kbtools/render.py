"""Render executed blocks from the store: the build itself executes nothing.

Before a page is converted, `mark_page` tags each of its `exec="on"` fences with the page line it opens at
(`kbline="N"`). The superfences validator and formatter below, named in mkdocs.yml for every code language,
find that fence's unit and block by its line and render its stored output with markdown-exec's own layout
(`base_format`: the source above, the output below as text, or as HTML with `html="on"`). markdown-exec stays
as the renderer because its layouts are what writers know; its executors are never called.
"""

from __future__ import annotations

import html as html_escape
import json
import re
from dataclasses import dataclass, field
from typing import Any

import markdown_exec

from kbtools import claims, report
from kbtools.fences import find_fences
from kbtools.units import Unit

LINE_ATTRIBUTE = "kbline"
# Attributes the engine and markdown-exec read; a fence that shows no output renders without them.
ENGINE_ATTRIBUTES = ("exec", "session", "timeout", "returncode", "html", "source", "result", "tabs", "id",
                     "idprefix", "updatetoc", "workdir", "width", "check")
_OPENING = re.compile(r"^(?P<head>[ \t]*(?:`{3,}|~{3,})[ \t]*)(?P<info>[^`\n]*)$")


@dataclass
class _Page:
    path: str = ""
    url: str | None = None  # the page's URL (`lecture/rnn/`) for links to the build report; None: no report
    blocks: dict[int, tuple[dict, int]] = field(default_factory=dict)  # line -> (result, block index)
    page_claims: claims.PageClaims | None = None
    checks: dict[int, claims.Check] = field(default_factory=dict)  # line -> the check that fence is


_page = _Page()


def mark_page(markdown: str, path: str, first_line: int, units: list[Unit], results: dict[str, dict],
              url: str | None = None, page_claims: claims.PageClaims | None = None) -> str:
    """The page's Markdown with `kbline="N"` on each fence that shows output; remembers their results. Its claims
    become blocks with their badges, its citations links (kbtools/claims.py).

    `first_line`: the page line (1-based) of the Markdown's first line (front matter comes before it).
    """
    _page.path, _page.url, _page.blocks = path, url, {}
    _page.page_claims = page_claims
    _page.checks = {check.fence.line: check for check in page_claims.checks.values()} if page_claims else {}
    for unit in units:
        for index, fence in enumerate(unit.fences):
            if fence.shows_output and unit.id in results:
                _page.blocks[fence.line] = (results[unit.id], index)
    lines = markdown.split("\n")
    for fence in find_fences(markdown, path):
        line = fence.line + first_line - 1
        if line in _page.blocks:
            opening = _OPENING.match(lines[fence.line - 1])
            info = opening["info"].rstrip()
            tag = f'{LINE_ATTRIBUTE}="{line}"'
            info = f"{info[:-1].rstrip()} {tag} }}" if info.endswith("}") else f"{info} {tag}"
            lines[fence.line - 1] = opening["head"] + info
    marked = "\n".join(lines)
    if page_claims is None:
        return marked
    failed = {check.name for line, check in _page.checks.items() if line in _page.blocks and
              not _page.blocks[line][0]["ok"]}
    return claims.render_claims(marked, first_line, page_claims, failed)


def validator(language: str, inputs: dict[str, str], options: dict[str, Any], attrs: dict[str, Any], md) -> bool:
    """Claims the fences `mark_page` tagged; the others are plain highlighted code.

    superfences hands the same `inputs` to the next validator: the engine's attributes are removed first, or the
    default highlighter would refuse the fence (`python session="x"` would leak onto the page as text)."""
    line = inputs.pop(LINE_ATTRIBUTE, None)
    if line is None:
        for engine_only in ENGINE_ATTRIBUTES:
            inputs.pop(engine_only, None)
        return False
    for engine_only in ("timeout", "exec", "check"):  # read by the engine and kbtools/claims.py, not the renderer
        inputs.pop(engine_only, None)
    inputs["exec"] = "on"
    markdown_exec.validator(language, inputs, options, attrs, md)
    options["kb_line"] = int(line)
    return True


def formatter(source: str, language: str, css_class: str, options: dict[str, Any], md, **kwargs: Any) -> str:
    line = options.pop("kb_line")
    result, index = _page.blocks[line]
    if not result["ok"]:  # the failure was logged, with its page and line, before the build
        return f'<pre class="kb-exec-error">{html_escape.escape(result["report"])}</pre>'
    output = result["outputs"][index] if index < len(result["outputs"]) else ""
    if not options.get("html") and not options.get("result"):
        options["result"] = "text"
    options.pop("session", None)  # sessions are the engine's: the renderer only shows the stored output
    html = markdown_exec.base_format(
        language=language, run=lambda code, **_: output, code=source, md=md, **options
    )
    html = _without_copy_button(html) + provenance_line(result, _page.url)
    return html


def provenance_line(result: dict, page_url: str | None) -> str:
    """What produced an output, under it: the code's digest (linking to its row in the build report, where the
    site has one), torch and Python. Only what is the same on every machine: no duration, no CPU."""
    provenance = result["provenance"]
    code = f"실행 {provenance['code'][:8]}"
    if page_url is not None:
        code = f'<a href="{report.link(page_url, result["id"])}" title="이 출력을 만든 실행의 기록">{code}</a>'
    return f'<p class="kb-provenance">{code} · torch {provenance["torch"]} · Python {provenance["python"]}</p>'



def stamp_notebook(result: dict) -> str:
    """The executed notebook with the same provenance in its metadata (`kb_provenance`), for the download."""
    notebook = json.loads(result["notebook"])
    provenance = result["provenance"]
    notebook.setdefault("metadata", {})["kb_provenance"] = {
        "code": provenance["code"], "torch": provenance["torch"], "python": provenance["python"],
        "executed_by": "kbtools.engine (python -m kbtools.run)",
    }
    return json.dumps(notebook, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def _without_copy_button(html: str) -> str:
    """A block's printed output (result="text") gets no copy button (Material skips `.no-copy`): readers copy
    code, not output, and each button costs the page time at load (44 blocks on the Git pages)."""
    # str(): markdown-exec returns markupsafe.Markup, whose replace() would escape the new tag.
    return str(html).replace('<div class="language-text highlight">', '<div class="language-text highlight no-copy">')

"""MkDocs hooks (loaded by path from mkdocs.yml): check front matter, tie executed blocks to their page,
typeset math and draw diagrams, repair notebook pages."""

from __future__ import annotations

import logging
from pathlib import Path

from kbtools import diagrams, exec_fence, frontmatter, katex, notebooks
from kbtools.search import on_post_build  # noqa: F401  (Korean search index: kbtools/search.py)

log = logging.getLogger("mkdocs.plugins.kbtools")


def on_pre_build(config) -> None:
    notebooks_plugin = config.plugins["mkdocs-jupyter"]
    exec_fence.begin_build(Path(notebooks_plugin.config["cache_dir"]))


def on_page_markdown(markdown: str, page, config, files) -> str:
    where = f"docs/{page.file.src_uri}"
    if page.file.src_uri.endswith(".md"):
        for problem in frontmatter.problems(page.meta, where):
            log.error(problem)
    exec_fence.begin_page(where, page.file.content_string)  # the file as written: line numbers include front matter
    return markdown


def on_page_content(html: str, page, config, files) -> str:
    exec_fence.end_page()
    where = f"docs/{page.file.src_uri}"
    html, math_problems = katex.typeset(html, where, page.file.content_string)
    drawings = Path(config.config_file_path).parent / "diagrams"  # committed beside mkdocs.yml
    html, diagram_problems = diagrams.draw_page(html, drawings, where, page.file.content_string)
    for problem in math_problems + diagram_problems:
        log.error(problem)
    return notebooks.on_page_content(html, page)

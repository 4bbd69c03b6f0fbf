"""MkDocs hooks (loaded by path from mkdocs.yml): tie executed blocks to their page."""

from __future__ import annotations

from kbtools import exec_fence


def on_page_markdown(markdown: str, page, config, files) -> str:
    exec_fence.begin_page(f"docs/{page.file.src_uri}", markdown)
    return markdown

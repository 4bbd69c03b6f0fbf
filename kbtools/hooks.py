"""MkDocs hooks (loaded by path from mkdocs.yml): tie executed blocks to their page, repair notebook pages."""

from __future__ import annotations

from kbtools import exec_fence, notebooks


def on_page_markdown(markdown: str, page, config, files) -> str:
    exec_fence.begin_page(f"docs/{page.file.src_uri}", markdown)
    return markdown


def on_page_content(html: str, page, config, files) -> str:
    return notebooks.on_page_content(html, page)

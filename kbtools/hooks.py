"""MkDocs hooks (loaded by path from mkdocs.yml): the only place with MkDocs-facing `on_*` names.

Before the build, every unit of the site gets its result from the engine (run only if the store lacks it); pages
then render from those results and execute nothing. Also: front matter checks, math and diagrams drawn at build,
notebook page repairs, and the Korean search index.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from mkdocs.plugins import event_priority

from kbtools import diagrams, frontmatter, katex, notebooks, render, search, settings
from kbtools.engine import Engine
from kbtools.fences import BlockError
from kbtools.jail import JailError
from kbtools.units import Unit, notebook_unit, page_units

log = logging.getLogger("mkdocs.plugins.kbtools")
settings.apply_source_date_epoch()  # a plain `mkdocs build` or `mkdocs serve` is as reproducible as `make build`

_units: dict[str, list[Unit]] = {}  # page path -> its units
_results: dict[str, dict] = {}  # unit id -> result


def _site(config) -> Path:
    return Path(config.config_file_path).resolve().parent


def on_config(config):
    settings.apply_source_date_epoch()
    return config


def on_pre_build(config) -> None:
    """Every unit's result, from the store or run now through the engine; each failure logged with its place."""
    docs, site = Path(config["docs_dir"]).resolve(), _site(config)
    _units.clear()
    _results.clear()
    for page in sorted(docs.rglob("*.md")):
        where = page.relative_to(site).as_posix()
        try:
            _units[where] = page_units(page.read_text(encoding="utf-8"), where)
        except BlockError as error:
            log.error(str(error))
    for notebook in sorted(docs.rglob("*.ipynb")):
        unit = notebook_unit(notebook, site)
        _units[unit.id] = [unit]
    try:
        _results.update(Engine(out=sys.stderr).results([u for units in _units.values() for u in units]))
    except JailError as error:
        log.error(str(error))
    for result in _results.values():
        if not result["ok"]:
            log.error(result["report"])


@event_priority(-100)  # after the git-revision-date plugin has read the page's history from its source path
def on_page_markdown(markdown: str, page, config, files) -> str:
    where = f"{Path(config['docs_dir']).resolve().relative_to(_site(config)).as_posix()}/{page.file.src_uri}"
    result = _results.get(where)
    if result and result["kind"] == "notebook" and result["ok"]:
        # mkdocs-jupyter (execute: false) renders, and offers for download, the executed copy from the store.
        page.file.abs_src_path = str(_executed_copy(result, Path(page.file.abs_src_path).name))
    if page.file.src_uri.endswith(".md"):
        for problem in frontmatter.problems(page.meta, where):
            log.error(problem)
        source = page.file.content_string  # as written: line numbers count the front matter
        first_line = source[: len(source) - len(markdown)].count("\n") + 1 if source.endswith(markdown) else 1
        if where not in _units:  # its fences could not be read: on_pre_build logged where
            return markdown
        return render.mark_page(markdown, where, first_line, _units[where], _results)
    return markdown


def _executed_copy(result: dict, name: str) -> Path:
    path = settings.ROOT / ".cache" / "kb-notebooks" / result["provenance"]["key"] / name
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(result["notebook"], encoding="utf-8")
        temporary.replace(path)
    return path


def on_page_content(html: str, page, config, files) -> str:
    where = f"docs/{page.file.src_uri}"
    html, math_problems = katex.typeset(html, where, page.file.content_string)
    drawings = Path(config.config_file_path).parent / "diagrams"  # committed beside mkdocs.yml
    html, diagram_problems = diagrams.draw_page(html, drawings, where, page.file.content_string)
    for problem in math_problems + diagram_problems:
        log.error(problem)
    if page.file.src_uri.endswith(".ipynb"):
        html = notebooks.repair_page(html, page)
    return html


def on_post_build(config) -> None:
    search.rewrite_site_index(config)

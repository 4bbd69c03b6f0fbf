"""MkDocs hooks (loaded by path from mkdocs.yml): the only place with MkDocs-facing `on_*` names.

Before the build, every unit of the site gets its result from the engine (run only if the store lacks it); pages
then render from those results and execute nothing. Also: front matter checks, math and diagrams drawn at build,
notebook page repairs, and the Korean search index.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
from importlib import metadata
from pathlib import Path

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

from kbtools import bib, claims, diagrams, frontmatter, katex, notebooks, render, report, search, settings, templates
from kbtools.engine import Engine
from kbtools.fences import BlockError
from kbtools.jail import JailError
from kbtools.store import write_atomically
from kbtools.units import Unit, module_units, notebook_unit, page_units

log = logging.getLogger("mkdocs.plugins.kbtools")
UNITS_REPORT = "KB_UNITS_REPORT"  # where a build writes every unit's result, when set
settings.apply_source_date_epoch()  # a plain `mkdocs build` or `mkdocs serve` is as reproducible as `make build`

_units: dict[str, list[Unit]] = {}  # page path -> its units
_results: dict[str, dict] = {}  # unit id -> result
_ran_now: set[str] = set()  # units this build executed (the others came from the store)
_claims: dict[str, claims.PageClaims] = {}  # page path -> its claims and checks
_titles: dict[str, str] = {}  # page path -> its title, for the claims index
_references: dict[str, bib.Reference] = {}  # papers.bib key -> the paper
_rendered: set[str] = set()  # URLs of the pages this build rendered (`mkdocs serve --dirty`: only the saved one)


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
    _claims.clear()
    _rendered.clear()
    _read_references(docs)
    for page in sorted(docs.rglob("*.md")):
        where = page.relative_to(site).as_posix()
        text = page.read_text(encoding="utf-8")
        _titles[where] = frontmatter.read(page)[0].get("title") or where
        try:
            _units[where] = page_units(text, where)
            _claims[where] = claims.read_page(text, where, _references)
        except BlockError as error:
            log.error(str(error))
            continue
        for problem in _claims[where].problems:
            log.error(problem)
    for notebook in sorted(docs.rglob("*.ipynb")):
        unit = notebook_unit(notebook, site)
        _units[unit.id] = [unit]
    if docs == settings.DOCS:  # this project's site: its snippet modules are units too (the report lists them)
        for unit in module_units():
            _units[unit.id] = [unit]
    engine = Engine(out=sys.stderr)
    try:
        _results.update(engine.results([u for units in _units.values() for u in units]))
    except JailError as error:
        log.error(str(error))
    _ran_now.clear()
    _ran_now.update(r["id"] for r in engine.executed)
    for result in _results.values():
        if not result["ok"]:
            log.error(result["report"])


def _read_references(docs: Path) -> None:
    """papers.bib of the site being built (a test's small site has none: then this project's)."""
    path = docs / "reference" / "papers.bib"
    _references.clear()
    try:
        entries = bib.load(path if path.is_file() else bib.PATH)
    except ValueError as error:
        log.error(f"{path}: {error}")
        return
    _references.update({key: bib.reference(key, entry) for key, entry in entries.items()})


def on_files(files, config):
    """Generated where nav lists them: the build report (참고 → 실행 기록) and the claims index (참고 → 검증된 주장)."""
    listed = _nav_files(config["nav"] or [])
    if report.PAGE in listed:
        files.append(_generated(config, report.PAGE, report.markdown(_results, _ran_now)))
    if claims.PAGE in listed:
        files.append(_generated(config, claims.PAGE, claims.index_markdown(_claims, _titles, _references)))
    return files


def _generated(config, src_uri: str, text: str) -> File:
    """A generated page backed by a file that is rewritten only when its text changes, so that a `mkdocs serve
    --dirty` rebuild skips it like any unchanged page (text held in memory would count as changed every time)."""
    site = hashlib.sha256(str(config["docs_dir"]).encode()).hexdigest()[:16]
    path = settings.ROOT / ".cache" / "kb-generated" / site / src_uri
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, text)  # builds may run at once (test workers)
    return File.generated(config, src_uri, abs_src_path=str(path))


def _nav_files(nav) -> set[str]:
    if isinstance(nav, str):
        return {nav}
    items = nav.values() if isinstance(nav, dict) else nav
    return set().union(*(_nav_files(item) for item in items)) if items else set()


@event_priority(-100)  # after the git-revision-date plugin has read the page's history from its source path
def on_page_markdown(markdown: str, page, config, files) -> str:
    where = f"{Path(config['docs_dir']).resolve().relative_to(_site(config)).as_posix()}/{page.file.src_uri}"
    result = _results.get(where)
    if result and result["kind"] == "notebook" and result["ok"]:
        # mkdocs-jupyter (execute: false) renders, and offers for download, the executed copy from the store.
        page.file.abs_src_path = str(_executed_copy(result, Path(page.file.abs_src_path).name))
        _render_once(page, config)
    if page.file.src_uri.endswith(".md"):
        for problem in frontmatter.problems(page.meta, where):
            log.error(problem)
        source = page.file.content_string  # as written: line numbers count the front matter
        first_line = source[: len(source) - len(markdown)].count("\n") + 1 if source.endswith(markdown) else 1
        if where not in _units:  # its fences could not be read: on_pre_build logged where
            return markdown
        report_page = files.get_file_from_path(report.PAGE)
        markdown = render.mark_page(markdown, where, first_line, _units[where], _results, report_page and page.url,
                                    _claims.get(where))
        return claims.render_citations(markdown, where, _references)
    return markdown


def _executed_copy(result: dict, name: str) -> Path:
    """The executed notebook as a file (mkdocs-jupyter reads a path), stamped with its provenance."""
    path = settings.ROOT / ".cache" / "kb-notebooks" / result["provenance"]["key"] / name
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, render.stamp_notebook(result))
    return path


def _render_once(page, config) -> None:
    """Keep mkdocs-jupyter's HTML beside the executed copy: nbconvert takes about half a second a notebook, on every
    build and every `mkdocs serve` reload. The folder is the unit's key, so new outputs get a new file."""
    plugin = config.plugins["mkdocs-jupyter"]
    settings_digest = hashlib.sha256(
        (metadata.version("mkdocs-jupyter") + json.dumps(dict(plugin.config), sort_keys=True, default=str)).encode()
    ).hexdigest()[:16]
    cached = Path(page.file.abs_src_path).parent / f"page-{settings_digest}.html"
    convert = page.render

    def render(config, files):
        if cached.is_file():
            page.content = cached.read_text(encoding="utf-8")
            return
        convert(config, files)
        write_atomically(cached, page.content)

    page.render = render


def on_env(env, config, files):
    env.bytecode_cache = templates.CACHE  # `mkdocs serve` rebuilds compile no template twice
    return env


def on_page_content(html: str, page, config, files) -> str:
    _rendered.add(page.url)
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
    search.rewrite_site_index(config, _rendered)
    if os.environ.get(UNITS_REPORT):  # `make diff` compares two builds' units (kbtools/sitediff.py)
        Path(os.environ[UNITS_REPORT]).write_text(json.dumps(_results, ensure_ascii=False), encoding="utf-8")

"""Nothing on the site escapes execution: every fence that could be code is collected and run."""

from __future__ import annotations

import re

import pytest
from pytest_codeblocks import extract_from_file

from kbtools.fences import CODE_LANGUAGES, DISPLAY_LANGUAGES, find_fences
from kbtools.settings import DOCS, ROOT
from kbtools.units import site_units

PAGES = sorted(DOCS.rglob("*.md"))
# Independent of kbtools.fences: any line that opens a fence and names a language.
OPENING = re.compile(r"^\s*(`{3,}|~{3,})\s*\{?\s*\.?([A-Za-z][\w+-]*)")


def page_fences(page):
    return find_fences(page.read_text(encoding="utf-8"), page.relative_to(ROOT).as_posix())


def _collected_locations() -> set[str]:
    return {fence.location for unit in site_units(DOCS) for fence in unit.fences}


def test_every_code_fence_is_executed():
    """Asserts that each fence line in a code language (found by a plain scan) belongs to a collected program."""
    collected = _collected_locations()
    missed = []
    for page in PAGES:
        for number, line in enumerate(page.read_text(encoding="utf-8").split("\n"), start=1):
            match = OPENING.match(line)
            if match and match[2].lower() in CODE_LANGUAGES:
                location = f"{page.relative_to(ROOT).as_posix()}:{number}"
                if location not in collected:
                    missed.append(location)
    assert not missed, f"code blocks that nothing executes: {missed}"


def test_every_fence_names_a_known_language():
    """Asserts that a fence is either runnable code or a declared display language, never unlabeled."""
    unknown = [
        f"{fence.location}: '{fence.language or '(none)'}'"
        for page in PAGES
        for fence in page_fences(page)
        if fence.language not in {*CODE_LANGUAGES, *DISPLAY_LANGUAGES}
    ]
    assert not unknown, (
        "fences must name a runnable language or a display one "
        f"({', '.join(sorted(DISPLAY_LANGUAGES))}): {unknown}"
    )


def test_no_block_is_skipped():
    """Asserts that no page carries a pytest-codeblocks skip marker: not running is said by the language."""
    marked = [
        f"{page.relative_to(ROOT)}:{n}"
        for page in PAGES
        for n, line in enumerate(page.read_text(encoding="utf-8").split("\n"), start=1)
        if re.search(r"pytest-codeblocks:\s*(skip|skipif|expect-error|expect-exception)", line)
    ]
    assert not marked, f"skipped blocks: {marked}"


@pytest.mark.parametrize("page", PAGES, ids=[p.relative_to(ROOT).as_posix() for p in PAGES])
def test_superset_of_pytest_codeblocks(page):
    """Asserts that every block pytest-codeblocks itself would run is among the blocks run here."""
    ours = {f.line for f in page_fences(page) if f.language in CODE_LANGUAGES}
    # pytest-codeblocks lists every fence but runs only these three exact info strings.
    theirs = [b for b in extract_from_file(page) if b.syntax in {"python", "sh", "bash"}]
    missing = [block.lineno for block in theirs if block.lineno not in ours]
    assert not missing, f"{page}: blocks pytest-codeblocks finds but we do not, at lines {missing}"


def test_mkdocs_renders_every_code_language_from_the_store():
    """Asserts that mkdocs.yml's superfences entries are exactly the code languages, each rendered by
    kbtools.render (a language missing there would show no output; one extra would run nowhere)."""
    from conftest import read_config

    fences = next(e for e in read_config(ROOT / "mkdocs.yml", keep_names=True)["markdown_extensions"]
                  if isinstance(e, dict) and "pymdownx.superfences" in e)["pymdownx.superfences"]["custom_fences"]
    rendered = {f["name"] for f in fences if f["format"] == "kbtools.render.formatter"
                and f["validator"] == "kbtools.render.validator"}
    assert rendered == set(CODE_LANGUAGES)


# Shell blocks run under `set -o pipefail`: `grep -q` exits at its first match, the writer before the pipe may then
# get SIGPIPE ("echo: write error: Broken pipe"), and the block fails now and then, under load. `grep -q X <<<"$out"`
# has no pipe.
EARLY_EXIT_READER = re.compile(r"\|\s*grep\s+(-\w*q|--quiet)\b")


def test_no_shell_block_pipes_into_a_reader_that_stops_early():
    """Asserts that no shell block on a page pipes into `grep -q` (a block that fails only sometimes)."""
    found = []
    for page in PAGES:
        for fence in page_fences(page):
            if fence.language in {"bash", "console", "sh", "shell"}:
                for offset, line in enumerate(fence.code.split("\n"), start=1):
                    if EARLY_EXIT_READER.search(line):
                        found.append(f"{fence.location} (+{offset}): {line.strip()}")
    assert not found, f"pipes into grep -q (write `grep -q X <<<\"$var\"`): {found}"

"""`make note` creates a valid, listed, linked note whose example block runs."""

from __future__ import annotations

import shutil

import pytest
from conftest import read_nav

from kbtools import frontmatter
from kbtools.engine import Engine
from kbtools.new_note import NoteError, main, make_note
from kbtools.settings import ROOT
from kbtools.store import Store
from kbtools.units import page_units


@pytest.fixture
def site_copy(tmp_path):
    shutil.copytree(ROOT / "docs", tmp_path / "docs", ignore=shutil.ignore_patterns("vendor"))
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    # mkdocs.yml names them relative to itself; without diagrams/ every diagram would be drawn again in Chromium
    for folder in ("overrides", "kbtools", "snippets", "diagrams"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def _nav(root):
    return read_nav(root / "mkdocs.yml")


def test_new_note_is_valid_listed_linked_and_runs(site_copy):
    """Asserts that a new note has valid front matter, is in nav and the day's log, and its block runs."""
    note = make_note(site_copy, "make-note 시험 노트", "2031-01-01", ["실습"], "배치 정규화를 한 문장으로.")
    meta, error = frontmatter.read(note)
    assert error is None and frontmatter.problems(meta, "note") == []
    nav = _nav(site_copy)
    titles = [title for section in nav if isinstance(section, dict) for value in section.values()
              if isinstance(value, list) for item in value if isinstance(item, dict) for title in item]
    assert all(isinstance(title, str) for title in titles), f"nav titles YAML reads as non-text: {titles}"
    nav = str(nav)
    assert f"notes/{note.name}" in nav and "log/2031-01-01.md" in nav
    log = (site_copy / "docs/log/2031-01-01.md").read_text(encoding="utf-8")
    assert f"(../notes/{note.name})" in log
    assert "[2031-01-01](2031-01-01.md)" in (site_copy / "docs/log/index.md").read_text(encoding="utf-8")
    units = page_units(note.read_text(encoding="utf-8"), f"docs/notes/{note.name}")
    results = Engine(Store(site_copy / "store"), out=None).results(units)
    assert units and all(r["ok"] for r in results.values()), results


def test_second_note_on_an_existing_day_is_appended(site_copy):
    """Asserts that a note for a day that already has a log is linked from that log, not a new one."""
    make_note(site_copy, "make-note 첫 시험", "2021-08-12", ["실습"], "하나.")
    make_note(site_copy, "make-note 둘째 시험", "2021-08-12", ["실습"], "둘.")
    log = (site_copy / "docs/log/2021-08-12.md").read_text(encoding="utf-8")
    assert log.count("](../notes/2021-08-12-make-note-") == 2
    assert str(_nav(site_copy)).count("log/2021-08-12.md") == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--title", "t", "--date", "어제", "--tags", "실습", "--summary", "s"], "date: '어제' is not a date"),
        (["--title", "t", "--date", "2031-01-01", "--tags", "없는태그", "--summary", "s"], "unknown tags"),
        (["--title", "", "--date", "2031-01-01", "--tags", "실습", "--summary", "s"], "'title' is missing"),
    ],
    ids=["bad-date", "unknown-tag", "empty-title"],
)
def test_bad_input_is_refused_with_the_field_named(site_copy, capsys, args, message):
    """Asserts that a bad value writes nothing and exits 2 with a message naming the field."""
    before = sorted(p.relative_to(site_copy) for p in site_copy.rglob("*"))
    assert main([*args, "--root", str(site_copy)]) == 2
    assert message in capsys.readouterr().err
    assert sorted(p.relative_to(site_copy) for p in site_copy.rglob("*")) == before


def test_make_note_refuses_to_overwrite(site_copy):
    """Asserts that creating the same note twice is an error, not a silent overwrite."""
    make_note(site_copy, "make-note 같은 제목", "2031-01-01", ["실습"], "s")
    with pytest.raises(NoteError, match="already exists"):
        make_note(site_copy, "make-note 같은 제목", "2031-01-01", ["실습"], "s")


def test_site_with_a_new_note_builds_strictly(site_copy):
    """Asserts that the whole site, with a note made by `make note` for a new day, passes `mkdocs build --strict`."""
    from conftest import mkdocs_build

    make_note(site_copy, "make-note 시험 노트", "2031-01-01", ["실습"], "배치 정규화를 한 문장으로.")
    done = mkdocs_build(site_copy / "mkdocs.yml", site_copy / "site")
    assert done.returncode == 0, done.stderr[-4000:]
    assert (site_copy / "site/notes/2031-01-01-make-note-시험-노트/index.html").is_file()

"""`mkdocs build --strict` succeeds for the site, and fails, naming the page, for every broken input."""

from __future__ import annotations

import json
import re
import time
from urllib.parse import urlparse

import pytest
from bs4 import BeautifulSoup
from conftest import ROOT, build_mini


def test_exec_output_is_rendered_as_text(built_site):
    """Asserts that printed output of executed blocks appears on the page inside a text code block."""
    page = (built_site / "lecture/sequential-models/index.html").read_text(encoding="utf-8")
    outputs = BeautifulSoup(page, "html.parser").select("div.language-text code")
    assert any("MSE" in block.get_text() for block in outputs)


def test_pages_reference_no_other_host(built_site):
    """Asserts that no built page loads a script, stylesheet, image, font or frame from another host."""
    offenders = []
    for html in built_site.rglob("*.html"):
        soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
        for tag, attr in (("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src"),
                          ("source", "src"), ("video", "src"), ("audio", "src")):
            for element in soup.find_all(tag):
                url = element.get(attr)
                if tag == "link" and not {"stylesheet", "preload", "icon", "modulepreload"} & set(
                    element.get("rel", [])
                ):
                    continue
                if url and urlparse(url).netloc:
                    offenders.append(f"{html.relative_to(built_site)}: <{tag} {attr}={url}>")
        for script in soup.find_all("script"):
            if re.search(r"https?://(cdn|unpkg|cdnjs|fonts\.googleapis)", script.string or ""):
                offenders.append(f"{html.relative_to(built_site)}: inline script mentions a CDN")
    assert not offenders, offenders


def test_notebook_search_entries_have_unique_readable_locations(built_site):
    """Asserts that no two search entries share a location and no title carries the ¶ sign."""
    docs = json.loads((built_site / "search/search_index.json").read_text(encoding="utf-8"))["docs"]
    locations = [entry["location"] for entry in docs]
    assert len(locations) == len(set(locations)), "duplicate search locations"
    assert not [e["title"] for e in docs if "¶" in e["title"]]
    notebook = [e for e in docs if e["location"].startswith("lecture/autoregressive-fit/#")]
    assert "lecture/autoregressive-fit/#정리" in {e["location"] for e in notebook}


def test_notebook_source_is_downloadable(built_site):
    """Asserts that the notebook file is published beside its page, the page links to it, and the download is the
    executed notebook: every code cell has run, and its metadata carries the provenance stamp."""
    page = (built_site / "lecture/autoregressive-fit/index.html").read_text(encoding="utf-8")
    assert 'href="/study-notes-kb/lecture/autoregressive-fit/autoregressive-fit.ipynb"' in page
    download = json.loads((built_site / "lecture/autoregressive-fit/autoregressive-fit.ipynb").read_text("utf-8"))
    code = [c for c in download["cells"] if c["cell_type"] == "code"]
    assert code and all(c["execution_count"] for c in code) and any(c["outputs"] for c in code)
    stamp = download["metadata"]["kb_provenance"]
    assert stamp["torch"].startswith("2.13.0") and len(stamp["code"]) == 64


def test_exercise_notebooks_are_published_as_downloads(built_site):
    """Asserts that each exercise notebook is copied as it is committed (stubs, no outputs) and is not a page."""
    from kbtools.settings import DOCS

    notebooks = sorted((DOCS / "exercises").glob("*.ipynb"))
    assert len(notebooks) >= 8
    for notebook in notebooks:
        published = built_site / "exercises" / notebook.name
        assert published.read_bytes() == notebook.read_bytes(), notebook.name
        assert not (built_site / "exercises" / notebook.stem).exists(), f"{notebook.name} became a page"


def test_every_executed_output_links_to_its_row_in_the_build_report(built_site):
    """Asserts that each exec="on" output carries a provenance line (code digest, torch, Python) whose link
    lands on an existing row of the build report, and that the report lists every unit of the site once."""
    from kbtools.settings import DOCS
    from kbtools.units import site_units

    report = BeautifulSoup((built_site / "reference/runs/index.html").read_text("utf-8"), "html.parser")
    rows = {span["id"] for span in report.select("td > span[id^=u-]")}
    assert len(rows) == len(site_units(DOCS)), "the report must list every unit once"
    missing, shown = [], 0
    for html in built_site.rglob("*.html"):
        for line in BeautifulSoup(html.read_text("utf-8"), "html.parser").select("p.kb-provenance"):
            shown += 1
            link = line.find("a")
            assert re.fullmatch(r"실행 [0-9a-f]{8}", link.get_text()) and "torch 2.13.0" in line.get_text()
            target = (html.parent / link["href"].split("#")[0]).resolve()
            if target != (built_site / "reference/runs").resolve() or link["href"].split("#")[1] not in rows:
                missing.append(f"{html.relative_to(built_site)}: {link['href']}")
    shown_on_pages = sum(f.shows_output for u in site_units(DOCS) for f in u.fences)
    assert shown == shown_on_pages and not missing, (shown, shown_on_pages, missing[:5])


# --- planted mistakes in a small copy of the site ------------------------------------------------

def test_mini_site_builds(tmp_path):
    """Asserts that the planted-mistake harness itself builds a correct page (so failures below are real)."""
    done = build_mini(tmp_path, {"index.md": '# ok\n\n```python exec="on"\nprint("fine")\n```\n'})
    assert done.returncode == 0, done.stderr


def test_failing_exec_block_fails_the_build_with_page_and_line(tmp_path):
    """Asserts that an exception in an executed block fails the build and names docs/<page>.md:<line> of the line
    that raised."""
    done = build_mini(tmp_path, {"index.md": '# t\n\ntext\n\n```python exec="on"\nraise ValueError("planted")\n```\n'})
    assert done.returncode != 0
    assert "docs/index.md:13:" in done.stderr and "planted" in done.stderr, done.stderr


def test_hanging_exec_block_stops_the_build_in_bounded_time(tmp_path):
    """Asserts that a block past its `timeout` stops the build with the page and line, not hangs."""
    started = time.monotonic()
    page = '# t\n\n```python exec="on" timeout="2"\nimport time\ntime.sleep(600)\n```\n'
    done = build_mini(tmp_path, {"index.md": page})
    assert done.returncode != 0
    assert "docs/index.md:10: python block timed out after 2 s" in done.stderr, done.stderr
    assert time.monotonic() - started < 120


def test_block_that_shows_no_output_renders_as_code_whatever_its_attributes(tmp_path):
    """Asserts that a fence with engine attributes but no exec="on" (here `session` and `timeout`) is shown as
    highlighted code, not leaked onto the page as text."""
    page = '# t\n\n```python session="s" timeout="5"\nvalue = 6 * 7\n```\n'
    done = build_mini(tmp_path, {"index.md": page})
    assert done.returncode == 0, done.stderr
    soup = BeautifulSoup((tmp_path / "site/index.html").read_text(encoding="utf-8"), "html.parser")
    code = soup.select_one("div.language-python code")
    assert code is not None and "value = 6 * 7" in code.get_text()
    assert "session=" not in soup.select_one("article").get_text()


def test_printed_html_stays_text(tmp_path):
    """Asserts that markup printed by a block is escaped unless the block opts into html."""
    page = '# t\n\n```python exec="on"\nprint("<img src=x onerror=alert(1)>")\n```\n'
    done = build_mini(tmp_path, {"index.md": page})
    assert done.returncode == 0, done.stderr
    html = (tmp_path / "site/index.html").read_text(encoding="utf-8")
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_bash_exec_block_runs_outside_the_project(tmp_path):
    """Asserts that a bash block executed at build finds no git repository (it runs in a temp folder)."""
    done = build_mini(tmp_path, {"index.md": '# t\n\n```bash exec="on"\ngit rev-parse --show-toplevel\n```\n'})
    assert done.returncode != 0 and "docs/index.md:10:" in done.stderr


@pytest.mark.parametrize(
    ("page", "message"),
    [
        ("# t\n\n[x](nowhere.md)\n", "nowhere.md"),
        ("# t\n\n[x](#no-such-heading)\n", "no-such-heading"),
        ('# t\n\n```python\n--8<-- "snippets/nowhere.py"\n```\n', "nowhere.py"),
    ],
    ids=["broken-link", "broken-anchor", "missing-include"],
)
def test_broken_reference_fails_the_build(tmp_path, page, message):
    """Asserts that a broken link, anchor or include fails the strict build and is named."""
    done = build_mini(tmp_path, {"index.md": page})
    assert done.returncode != 0
    assert message in done.stderr


def test_raising_notebook_cell_fails_the_build(tmp_path):
    """Asserts that a notebook cell that raises fails the build (mkdocs-jupyter allows errors by default)."""
    notebook = {
        "cells": [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                   "source": ["raise RuntimeError('planted in a notebook')"]}],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4, "nbformat_minor": 5,
    }
    done = build_mini(tmp_path, {"index.md": "# t\n", "nb.ipynb": json.dumps(notebook)})
    assert done.returncode != 0
    assert "planted in a notebook" in done.stdout + done.stderr


def test_invalid_front_matter_fails_the_build_naming_file_and_field(tmp_path):
    """Asserts that a page with an unknown tag fails the build with one line naming the file and field."""
    page = "---\ntitle: t\ndate: 2021-08-12\ntags: [없는 태그]\nsummary: s\n---\n\n# t\n"
    done = build_mini(tmp_path, {"index.md": page})
    assert done.returncode != 0
    assert "docs/index.md: front matter field 'tags' has unknown tags ['없는 태그']" in done.stderr


def test_bash_exec_block_at_build_has_no_network_and_stops_on_error(tmp_path):
    """Asserts that at build a shell block stops at its first failing command and cannot reach the network."""
    page = '# t\n\n```bash exec="on"\nfalse\necho reached\n```\n'
    done = build_mini(tmp_path, {"index.md": page})
    assert done.returncode != 0 and "docs/index.md:10:" in done.stderr
    page = '# t\n\n```bash exec="on"\n(exec 3<>/dev/tcp/1.1.1.1/80) 2>/dev/null || echo no-network\n```\n'
    done = build_mini(tmp_path / "net", {"index.md": page})
    assert done.returncode == 0, done.stderr
    assert "no-network" in (tmp_path / "net/site/index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("import socket\nsocket.create_connection(('1.1.1.1', 80), timeout=5)", "unreachable"),
        (f"open({str(ROOT / 'planted-at-build')!r}, 'w')", "Read-only file system"),
        ("import subprocess\nsubprocess.run(['git', 'status'], check=True)", "not a git repository"),
    ],
    ids=["socket", "write-into-project", "git-in-its-folder"],
)
def test_python_block_at_build_is_jailed(tmp_path, code, message):
    """Asserts that at build a Python block runs in the jail, as in tests: no network, the project read-only,
    no repository around it; the build fails naming the page and line."""
    done = build_mini(tmp_path, {"index.md": f'# t\n\n```python exec="on"\n{code}\n```\n'})
    raised_at = 10 + code.count("\n") + 1  # the block's last line (the fence opens at line 10)
    assert done.returncode != 0 and f"docs/index.md:{raised_at}:" in done.stderr, done.stderr
    assert message in done.stderr, done.stderr
    assert not (ROOT / "planted-at-build").exists()

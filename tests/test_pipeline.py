"""The execution engine runs every kind of unit, catches every kind of broken one, and names the page and line.

Each test plants a page (or a notebook) in a temporary folder and runs it through the real engine, with a store of
its own.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import nbformat
import pytest

from kbtools import jail, keys
from kbtools.engine import Engine
from kbtools.fences import BlockError
from kbtools.keys import unit_key
from kbtools.settings import ROOT
from kbtools.store import Store
from kbtools.units import Unit, page_units, site_units

PAGE = "docs/planted.md"


def units(markdown: str) -> list[Unit]:
    return page_units(textwrap.dedent(markdown), PAGE)


def only(markdown: str) -> Unit:
    (unit,) = units(markdown)
    return unit


@pytest.fixture
def run(tmp_path):
    """run(unit) -> its result, executed by the engine into a store of this test's own."""
    engine = Engine(Store(tmp_path / "store"), out=None)
    return lambda unit: engine.results([unit])[unit.id]


def notebook(*cells: str) -> str:
    return json.dumps({
        "cells": [{"cell_type": "code", "execution_count": None, "id": f"c{n}", "metadata": {}, "outputs": [],
                   "source": [c]} for n, c in enumerate(cells)],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4, "nbformat_minor": 5,
    })


# --- finding units ------------------------------------------------------------------------------------------

def test_fences_with_attributes_tilde_and_indent_are_all_found(run):
    """Asserts that attributes, `{ .lang }`, `~~~` and fences nested in admonitions or tabs are all run."""
    found = units(
        """
        ```python exec="on" result="text"
        print(1)
        ```

        ```py title="x.py" hl_lines="1"
        print(2)
        ```

        ``` { .python .annotate }
        print(3)
        ```

        !!! note
            ~~~bash
            echo 4
            ~~~

        === "tab"

            ```console
            $ echo 5
            5
            ```
        """
    )
    assert [u.id for u in found] == [f"{PAGE}:{n}" for n in (2, 6, 10, 15, 21)]
    assert all(run(u)["ok"] for u in found)


@pytest.mark.parametrize(("attribute", "message"), [
    ('exec="y"', 'exec="y" is neither on nor off'),
    ('timeout="soon"', 'timeout="soon" must be a whole number'),
    ('returncode="-1"', 'returncode="-1" must be a whole number'),
])
def test_attribute_without_meaning_is_an_error_naming_the_line(attribute, message):
    """Asserts that an attribute value the engine would read one way and a reader another is refused, at its line."""
    with pytest.raises(BlockError, match=rf"^{PAGE}:3: {message}"):
        units(f"text\n\n```python {attribute}\nprint(1)\n```\n")


def test_missing_include_is_an_error_with_its_location():
    """Asserts that an include of a file that does not exist stops discovery, naming page and line."""
    with pytest.raises(BlockError, match=rf"^{PAGE}:1: include failed"):
        units('```python\n--8<-- "snippets/nowhere.py"\n```\n')


def test_missing_section_is_an_error():
    """Asserts that an include of a section that does not exist is an error, not an empty block."""
    with pytest.raises(BlockError, match="include failed"):
        units('```python\n--8<-- "snippets/sequence/autoregressive.py:no-such-section"\n```\n')


def test_unclosed_fence_is_an_error():
    """Asserts that a fence left open is reported instead of swallowing the rest of the page."""
    with pytest.raises(BlockError, match=rf"^{PAGE}:1: fence ``` is never closed"):
        units("```python\nprint(1)\n")


# --- running them ------------------------------------------------------------------------------------------

def test_raising_python_block_names_page_and_line(run):
    """Asserts that an exception fails the block and the report points at the line that raised."""
    result = run(only("""
        ```python
        x = 1
        raise ValueError("planted")
        ```
    """))
    assert not result["ok"]
    assert result["report"].startswith(f"{PAGE}:4:"), result["report"]
    assert "ValueError: planted" in result["report"]


def test_hanging_block_is_killed_at_its_limit(run):
    """Asserts that a block past its time limit is killed and reported, not waited on."""
    started = time.monotonic()
    result = run(only('```python timeout="2"\nimport time\ntime.sleep(60)\n```\n'))
    assert not result["ok"] and "python block timed out after 2 s" in result["report"], result["report"]
    assert time.monotonic() - started < 20


def test_block_that_leaves_a_child_running_does_not_hold_the_run(run):
    """Asserts that `sleep 1000 &` ends with its block: the run returns at once and the sleep is killed."""
    started = time.monotonic()
    result = run(only('```bash\nsleep 1000 &\necho $! > /dev/null\necho started\n```\n'))
    assert result["ok"] and result["outputs"] == ["started\n"], result
    assert time.monotonic() - started < 20
    leftovers = subprocess.run(["pgrep", "-f", "^sleep 1000$"], capture_output=True, text=True, check=False)
    assert not leftovers.stdout.strip(), f"the block's child outlived it: {leftovers.stdout}"


def test_bash_stops_at_the_first_failing_command(run):
    """Asserts `set -e` semantics: `false; echo ok` fails, at the line of `false`."""
    result = run(only("""
        ```bash
        echo before
        false
        echo after
        ```
    """))
    assert not result["ok"]
    assert result["report"].startswith(f"{PAGE}:4:"), result["report"]
    assert "after" not in result["outputs"][0]


def test_expected_returncode_is_honoured(run):
    """Asserts that `returncode="1"` makes exit status 1 the success."""
    assert run(only('```bash returncode="1"\nexit 1\n```'))["ok"]
    assert not run(only('```bash returncode="1"\nexit 0\n```'))["ok"]


def test_session_blocks_share_state_and_each_keeps_its_own_output(run):
    """Asserts that blocks of one session run together in order, and each fence gets exactly what it printed."""
    unit = only("""
        ```python exec="on" session="s"
        value = 41
        print("first", end="")
        ```

        ```python exec="on" session="s"
        assert value + 1 == 42
        print("second")
        ```
    """)
    result = run(unit)
    assert len(unit.fences) == 2 and result["ok"]
    assert result["outputs"] == ["first", "second\n"]


def test_shell_session_shares_its_folder_and_checks_each_blocks_returncode(run):
    """Asserts that bash blocks of one session share a folder, and a mid-session `returncode` is honoured."""
    unit = only("""
        ```bash exec="on" session="repo"
        echo hello > file.txt
        ```

        ```bash exec="on" session="repo" returncode="1"
        grep -q absent file.txt
        ```

        ```bash exec="on" session="repo"
        grep -q hello file.txt && echo found
        ```
    """)
    result = run(unit)
    assert result["ok"] and result["outputs"] == ["", "", "found\n"], result
    broken = only("""
        ```bash exec="on" session="repo"
        echo hello > file.txt
        ```

        ```bash exec="on" session="repo"
        grep -q absent file.txt
        echo unreachable
        ```
    """)
    result = run(broken)
    assert not result["ok"] and result["report"].startswith(f"{PAGE}:7:"), result["report"]


def test_failure_after_an_expected_failure_names_the_real_block(run):
    """Asserts that in a session, a block expected to fail does not take the blame for a later failure."""
    result = run(only("""
        ```bash exec="on" session="s"
        true
        ```

        text

        ```bash exec="on" session="s" returncode="1"
        false
        ```

        ```bash exec="on" session="s"
        true
        false
        ```
    """))
    assert not result["ok"] and result["report"].startswith(f"{PAGE}:14:"), result["report"]


def test_include_of_a_snippet_section_runs_inside_its_module(run):
    """Asserts that a block that only includes a section expands it and resolves the module's names."""
    unit = only('```python\n--8<-- "snippets/sequence/autoregressive.py:ar"\n```\n')
    assert "def fit_autoregressive" in unit.source
    assert run(unit)["ok"]


def test_pycon_transcript_is_checked_by_doctest(run):
    """Asserts that a typed output in a `pycon` block must match what the code prints."""
    assert run(only("```pycon\n>>> 1 + 1\n2\n```\n"))["ok"]
    assert not run(only("```pycon\n>>> 1 + 1\n3\n```\n"))["ok"]


# --- the jail -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("language", ["python", "bash"])
def test_block_never_sees_the_project_repository(run, language):
    """Asserts that git inside a block finds no repository: each unit runs in a fresh folder outside the project."""
    code = ("import subprocess\nsubprocess.run(['git', 'rev-parse', '--show-toplevel'], check=True)"
            if language == "python" else "git rev-parse --show-toplevel")
    result = run(only(f"```{language}\n{code}\n```\n"))
    assert not result["ok"] and "not a git repository" in result["report"], result["report"]


@pytest.mark.parametrize("language", ["python", "bash"])
def test_block_cannot_write_to_the_project_or_home(run, language):
    """Asserts that a block writing into the project folder or the user's home fails, leaving no file."""
    for target in (ROOT / "planted-by-a-block", Path.home() / "planted-by-a-block"):
        code = f"open({str(target)!r}, 'w')" if language == "python" else f'echo x > "{target}"'
        result = run(only(f"```{language}\n{code}\n```\n"))
        assert not result["ok"] and "Read-only file system" in result["report"], result["report"]
        assert not target.exists()


@pytest.mark.parametrize("language", ["python", "bash"])
def test_network_is_refused(run, language):
    """Asserts that a block cannot open a connection, not even to a service of this machine (the jail's loopback
    is its own)."""
    code = ("import socket\nsocket.create_connection(('127.0.0.1', 9), timeout=5)" if language == "python"
            else "exec 3<>/dev/tcp/1.1.1.1/80")
    result = run(only(f'```{language} timeout="20"\n{code}\n```\n'))
    assert not result["ok"]
    assert any(w in result["report"] for w in ("unreachable", "refused")), result["report"]


def test_refused_namespaces_give_one_message_saying_what_to_do(tmp_path, monkeypatch):
    """Asserts that where the kernel refuses user namespaces (simulated), the engine stops with one explanation
    naming the sysctl to run and the way out, instead of each block failing on its own."""
    monkeypatch.setenv(jail.SIMULATE_REFUSAL, "1")
    with pytest.raises(jail.JailError) as refused:
        Engine(Store(tmp_path / "store"), out=None).results([only('```bash\ntrue\n```\n')])
    message = str(refused.value)
    assert "sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0" in message
    assert "KB_NO_JAIL=1" in message


# --- notebooks ------------------------------------------------------------------------------------------------

def _notebook_unit(tmp_path, *cells, timeout=120) -> Unit:
    path = tmp_path / "docs" / "nb.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(notebook(*cells), encoding="utf-8")
    (unit,) = [u for u in site_units(path.parent, tmp_path, with_modules=False) if u.kind == "notebook"]
    unit.timeout = timeout
    return unit


def test_notebook_runs_and_keeps_its_outputs_merged(run, tmp_path):
    """Asserts that a notebook is executed whole, and a cell's printed chunks are stored as one output whatever the
    kernel's flush timing (two prints across a pause would otherwise split or not, build to build)."""
    unit = _notebook_unit(tmp_path, "import sys, time\nprint('a')\nsys.stdout.flush()\ntime.sleep(0.3)\nprint('b')")
    result = run(unit)
    assert result["ok"], result["report"]
    outputs = nbformat.reads(result["notebook"], as_version=4).cells[0].outputs
    assert [(o.output_type, o.name, o.text) for o in outputs] == [("stream", "stdout", "a\nb\n")]


def test_raising_notebook_cell_is_named(run, tmp_path):
    """Asserts that a cell that raises fails the notebook, naming the notebook and the cell."""
    result = run(_notebook_unit(tmp_path, "x = 1", "raise RuntimeError('planted in a notebook')"))
    assert not result["ok"] and result["report"].startswith("docs/nb.ipynb: cell 2:"), result["report"]
    assert "planted in a notebook" in result["report"]


def test_notebook_cell_that_never_ends_is_killed_at_its_limit(run, tmp_path):
    """Asserts that a hanging cell is stopped at the per-cell limit and named."""
    started = time.monotonic()
    result = run(_notebook_unit(tmp_path, "x = 1", "import time\ntime.sleep(600)", timeout=5))
    assert not result["ok"] and result["report"].startswith("docs/nb.ipynb: cell 2: timed out after 5 s")
    assert time.monotonic() - started < 60


# --- the store ----------------------------------------------------------------------------------------------

def test_second_run_comes_from_the_store(tmp_path):
    """Asserts that an unchanged unit is not executed again, and that --no-cache executes it."""
    unit = only('```python\nprint("once")\n```\n')
    store = Store(tmp_path / "store")
    first = Engine(store, out=None)
    first.results([unit])
    second = Engine(store, out=None)
    assert second.results([unit])[unit.id]["outputs"] == ["once\n"] and second.executed == []
    fresh = Engine(store, use_store=False, out=None)
    fresh.results([unit])
    assert len(fresh.executed) == 1


@pytest.mark.parametrize("damage", ["truncate", "edit"])
def test_damaged_store_entry_is_run_again(tmp_path, damage):
    """Asserts that an entry cut short or edited by hand is never shown: the unit runs again."""
    unit = only('```python\nprint("real")\n```\n')
    store = Store(tmp_path / "store")
    Engine(store, out=None).results([unit])
    path = store.path(unit_key(unit))
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: len(text) // 2] if damage == "truncate" else text.replace("real", "fake"), encoding="utf-8")
    again = Engine(store, out=None)
    assert again.results([unit])[unit.id]["outputs"] == ["real\n"] and len(again.executed) == 1


def test_key_follows_the_project_code_a_unit_imports(monkeypatch):
    """Asserts that a unit's key changes with the snippet it imports (transitively) and not with another one. The
    snippet is changed as the key reads it, not on disk: other test workers read the real file meanwhile."""
    lstm = only("```python\nfrom snippets.rnn import lstm\n```\n")
    other = only("```python\nimport math\n```\n")
    before = unit_key(lstm), unit_key(other)
    target = ROOT / "snippets" / "rnn" / "lstm.py"
    read = keys._read
    monkeypatch.setattr(keys, "_read", lambda path: read(path) + (b"\n# a changed line\n" if path == target else b""))
    assert unit_key(lstm) != before[0]
    assert unit_key(other) == before[1]


def test_dynamic_import_counts_its_own_package_only():
    """Asserts that a module importing by a computed name (snippets/exercises/check.py) makes its users depend on
    every module of its own package and what they import, and on nothing else: a change to snippets/rnn/lstm.py
    does not re-run every exercise."""
    from kbtools.keys import unit_imports

    files = unit_imports(only("```python\nfrom snippets.exercises import check\n```\n"))
    assert ROOT / "snippets/exercises/solutions/rnn.py" in files  # loaded by name at run time
    assert ROOT / "snippets/rnn/lstm.py" not in files


def test_shards_merge_into_the_store_of_a_single_run(tmp_path):
    """Asserts that two shards run as separate processes cover every unit once, and their merged store holds
    the same entries with the same outputs as one run of everything."""
    docs = tmp_path / "docs"
    docs.mkdir()
    for n in range(6):
        (docs / f"p{n}.md").write_text(f'# p{n}\n\n```python\nprint({n} * 7)\n```\n\n```bash\necho {n}\n```\n')

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "kbtools.run", "--docs", str(docs), *args],
                              cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)

    for k in (1, 2):
        done = cli("--store", str(tmp_path / f"shard{k}"), "--shard", f"{k}/2")
        assert done.returncode == 0, done.stderr
    assert cli("--store", str(tmp_path / "merged"), "--merge", str(tmp_path / "shard1"),
               "--merge", str(tmp_path / "shard2")).returncode == 0
    assert cli("--store", str(tmp_path / "single")).returncode == 0
    merged, single = Store(tmp_path / "merged"), Store(tmp_path / "single")
    assert merged.stored_keys() == single.stored_keys() and len(single.stored_keys()) == 12
    assert not Store(tmp_path / "shard1").stored_keys() & Store(tmp_path / "shard2").stored_keys()
    for key in single.stored_keys():
        assert merged.get(key)["outputs"] == single.get(key)["outputs"]

"""The execution pipeline catches every kind of broken block, and names the page and line."""

from __future__ import annotations

import textwrap

import pytest

from kbtools.blocks import BlockError, build_programs, find_fences, run_program

PAGE = "docs/planted.md"


def programs(markdown: str):
    return build_programs(find_fences(textwrap.dedent(markdown), PAGE))


def only(markdown: str):
    (program,) = programs(markdown)
    return program


def test_fences_with_attributes_tilde_and_indent_are_all_collected():
    """Asserts that attributes, `{ .lang }`, `~~~` and fences nested in admonitions or tabs are all run."""
    found = programs(
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
    assert [p.location for p in found] == [f"{PAGE}:{n}" for n in (2, 6, 10, 15, 21)]
    assert all(run_program(p).ok for p in found)


def test_raising_python_block_names_page_and_line():
    """Asserts that an exception fails the block and the report points at the line that raised."""
    outcome = run_program(only("""
        ```python
        x = 1
        raise ValueError("planted")
        ```
    """))
    assert not outcome.ok
    assert outcome.report.startswith(f"{PAGE}:4:"), outcome.report
    assert "ValueError: planted" in outcome.report


def test_hanging_block_times_out():
    """Asserts that a block past its time limit is stopped and reported, not waited on forever."""
    outcome = run_program(only("""
        ```python timeout="2"
        import time
        time.sleep(60)
        ```
    """))
    assert not outcome.ok and "timed out after 2 s" in outcome.report


def test_bash_stops_at_the_first_failing_command():
    """Asserts `set -e` semantics: `false; echo ok` fails, at the line of `false`."""
    outcome = run_program(only("""
        ```bash
        echo before
        false
        echo after
        ```
    """))
    assert not outcome.ok
    assert outcome.report.startswith(f"{PAGE}:4:"), outcome.report
    assert "after" not in outcome.stdout


def test_expected_returncode_is_honoured():
    """Asserts that `returncode="1"` (markdown-exec's attribute) makes exit status 1 the success."""
    assert run_program(only('```bash returncode="1"\nexit 1\n```')).ok
    assert not run_program(only('```bash returncode="1"\nexit 0\n```')).ok


def test_shell_block_never_sees_the_project_repository():
    """Asserts that git inside a block finds no repository: blocks run in a fresh temporary folder."""
    outcome = run_program(only("""
        ```bash
        git rev-parse --show-toplevel
        ```
    """))
    assert not outcome.ok and "not a git repository" in outcome.report


def test_network_is_refused():
    """Asserts that a block cannot open a connection to the outside."""
    outcome = run_program(only("""
        ```python timeout="20"
        import socket
        socket.create_connection(("pypi.org", 443), timeout=5)
        ```
    """))
    assert not outcome.ok
    assert any(word in outcome.report for word in ("gaierror", "unreachable", "refused", "OSError"))


def test_session_blocks_share_state_and_run_as_one_program():
    """Asserts that blocks of one markdown-exec session run together, as they do at build."""
    program = only("""
        ```python exec="on" session="s"
        value = 41
        ```

        ```python exec="on" session="s"
        assert value + 1 == 42
        ```
    """)
    assert len(program.fences) == 2 and run_program(program).ok


def test_include_of_a_snippet_section_runs_inside_its_module():
    """Asserts that a block that only includes a section expands it and resolves the module's names."""
    program = only('```python\n--8<-- "snippets/sequence/autoregressive.py:ar"\n```\n')
    assert "def fit_autoregressive" in program.source
    assert run_program(program).ok


def test_missing_include_is_an_error_with_its_location():
    """Asserts that an include of a file that does not exist stops collection, naming page and line."""
    with pytest.raises(BlockError, match=rf"^{PAGE}:1: include failed"):
        programs('```python\n--8<-- "snippets/nowhere.py"\n```\n')


def test_missing_section_is_an_error():
    """Asserts that an include of a section that does not exist is an error, not an empty block."""
    with pytest.raises(BlockError, match="include failed"):
        programs('```python\n--8<-- "snippets/sequence/autoregressive.py:no-such-section"\n```\n')


def test_unclosed_fence_is_an_error():
    """Asserts that a fence left open is reported instead of swallowing the rest of the page."""
    with pytest.raises(BlockError, match=rf"^{PAGE}:1: fence ``` is never closed"):
        programs("```python\nprint(1)\n")


def test_pycon_transcript_is_checked_by_doctest():
    """Asserts that a typed output in a `pycon` block must match what the code prints."""
    assert run_program(only("```pycon\n>>> 1 + 1\n2\n```\n")).ok
    assert not run_program(only("```pycon\n>>> 1 + 1\n3\n```\n")).ok


def test_shell_session_shares_its_folder_and_checks_each_blocks_returncode():
    """Asserts that bash blocks of one session share a folder, and a mid-session `returncode` is honoured."""
    program = only("""
        ```bash exec="on" session="repo"
        echo hello > file.txt
        ```

        ```bash exec="on" session="repo" returncode="1"
        grep -q absent file.txt
        ```

        ```bash exec="on" session="repo"
        grep -q hello file.txt
        ```
    """)
    assert run_program(program).ok
    broken = only("""
        ```bash exec="on" session="repo"
        echo hello > file.txt
        ```

        ```bash exec="on" session="repo"
        grep -q absent file.txt
        echo unreachable
        ```
    """)
    outcome = run_program(broken)
    assert not outcome.ok and outcome.report.startswith(f"{PAGE}:7:"), outcome.report


def test_block_cannot_write_to_the_project_or_home(tmp_path):
    """Asserts that a bash block writing into the project folder or the user's home fails, leaving no file."""
    from pathlib import Path

    from kbtools.blocks import ROOT

    for target in (ROOT / "planted-by-a-block", Path.home() / "planted-by-a-block"):
        outcome = run_program(only(f'```bash\necho x > "{target}"\n```\n'))
        assert not outcome.ok and "Read-only file system" in outcome.report, outcome.report
        assert not target.exists()


def test_failure_after_an_expected_failure_names_the_real_block():
    """Asserts that in a session, a block expected to fail does not take the blame for a later failure."""
    program = only("""
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
    """)
    outcome = run_program(program)
    assert not outcome.ok and outcome.report.startswith(f"{PAGE}:14:"), outcome.report


def test_notebook_cache_is_emptied_when_the_code_it_imports_changes(tmp_path):
    """Asserts that notebook outputs cached under another version of snippets/ are thrown away, and kept otherwise."""
    from kbtools import exec_fence

    cache = tmp_path / "mkdocs-jupyter"
    exec_fence.begin_build(cache)
    (cache / "notebook.json").write_text("{}")
    exec_fence.begin_build(cache)
    assert (cache / "notebook.json").exists(), "unchanged code must keep the cache"
    (cache / "code-digest.txt").write_text("a digest of other code")
    exec_fence.begin_build(cache)
    assert not (cache / "notebook.json").exists(), "changed code must empty the cache"


def test_notebook_stdout_chunks_are_merged_into_one_output():
    """Asserts that stdout a kernel sent in two chunks renders as one output, so builds do not depend on timing."""
    from kbtools.notebooks import fix_notebook_html

    def child(text, kind="text/plain"):
        return (f'<div class="jp-OutputArea-child"><div class="jp-OutputPrompt"></div>'
                f'<div class="jp-RenderedText" data-mime-type="{kind}"><pre>{text}</pre></div></div>')

    a, b, ab, err = child("a\n"), child("b\n"), child("a\nb\n"), child("oops", "application/vnd.jupyter.stderr")
    split = f'<div class="jp-OutputArea">{a}{b}</div>'
    whole = f'<div class="jp-OutputArea">{ab}</div>'
    assert fix_notebook_html(split)[0] == fix_notebook_html(whole)[0]
    with_stderr = f'<div class="jp-OutputArea">{a}{err}</div>'
    assert fix_notebook_html(with_stderr)[0].count("jp-OutputArea-child") == 2

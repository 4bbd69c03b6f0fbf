"""The Git lecture's claims, checked on real throwaway repositories (docs/git/*.md, snippets/git/graph.py)."""

from __future__ import annotations

import shutil
import stat
import subprocess
import sys

import pytest

from snippets.git.graph import git, read_repo, to_html, to_mermaid


@pytest.fixture(autouse=True)
def isolated_git(monkeypatch, tmp_path):
    """Git reads no user or system configuration, and every commit has a fixed author and date."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    for who in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{who}_NAME", "tester")
        monkeypatch.setenv(f"GIT_{who}_EMAIL", "tester@example.com")
        monkeypatch.setenv(f"GIT_{who}_DATE", "2021-08-12T10:00:00+09:00")


def commit_file(repo, name: str, text: str, message: str) -> str:
    """Write `text` to `name`, add and commit it; return the new commit's sha."""
    (repo / name).write_text(text, encoding="utf-8")
    git(repo, "add", name)
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def new_repo(tmp_path, name: str = "repo"):
    repo = tmp_path / name
    git(tmp_path, "init", "-q", "-b", "master", str(repo))
    return repo


def diverged(tmp_path, exp_file: str = "experiment.txt"):
    """master and exp each one commit past a shared base; exp edits `exp_file`, master edits notes.txt."""
    repo = new_repo(tmp_path)
    commit_file(repo, "notes.txt", "1\n", "base")
    git(repo, "switch", "-q", "-c", "exp")
    commit_file(repo, exp_file, "experiment\n" if exp_file != "notes.txt" else "1 exp\n", "exp work")
    git(repo, "switch", "-q", "master")
    commit_file(repo, "notes.txt", "1 master\n", "master work")
    return repo


def is_attached(repo) -> bool:
    return subprocess.run(["git", "-C", str(repo), "symbolic-ref", "-q", "HEAD"], check=False).returncode == 0


def test_checkout_of_a_commit_detaches_head_and_of_a_branch_attaches_it(tmp_path):
    """Asserts that switching to a commit detaches HEAD (symbolic-ref fails) and switching to a branch attaches it."""
    repo = new_repo(tmp_path)
    first = commit_file(repo, "a.txt", "old\n", "first")
    commit_file(repo, "a.txt", "new\n", "second")
    assert is_attached(repo)
    git(repo, "checkout", "-q", first)
    assert not is_attached(repo)
    assert (repo / "a.txt").read_text() == "old\n", "time travel did not restore the old file"
    state = read_repo(repo)
    assert (state.head, state.head_branch) == (first, None)
    git(repo, "switch", "-q", "master")
    assert is_attached(repo) and read_repo(repo).head_branch == "master"
    git(repo, "switch", "-q", "--detach", "HEAD~1")
    assert not is_attached(repo)


def test_a_commit_moves_only_the_branch_head_is_attached_to(tmp_path):
    """Asserts that committing on exp moves exp to a child of its old commit and leaves master where it was."""
    repo = new_repo(tmp_path)
    base = commit_file(repo, "a.txt", "a\n", "base")
    git(repo, "switch", "-q", "-c", "exp")
    new = commit_file(repo, "b.txt", "b\n", "on exp")
    assert git(repo, "rev-parse", "master") == base
    assert git(repo, "rev-parse", "exp") == new
    assert git(repo, "rev-parse", "exp^") == base


def merge_both_ways(repo, tmp_path):
    """Merge exp into master in one copy and master into exp in another; return the two copies."""
    into_master, into_exp = tmp_path / "into-master", tmp_path / "into-exp"
    shutil.copytree(repo, into_master)
    shutil.copytree(repo, into_exp)
    git(into_master, "switch", "-q", "master")
    git(into_master, "merge", "-q", "--no-edit", "exp")
    git(into_exp, "switch", "-q", "exp")
    git(into_exp, "merge", "-q", "--no-edit", "master")
    return into_master, into_exp


def test_both_merge_directions_give_the_same_tree_with_swapped_parents(tmp_path):
    """Asserts that exp->master and master->exp merges have equal trees, swapped parents, and move other branches."""
    repo = diverged(tmp_path)
    into_master, into_exp = merge_both_ways(repo, tmp_path)
    assert git(into_master, "rev-parse", "HEAD^{tree}") == git(into_exp, "rev-parse", "HEAD^{tree}")
    assert git(into_master, "rev-parse", "HEAD") != git(into_exp, "rev-parse", "HEAD")
    assert git(into_master, "rev-parse", "HEAD^1") == git(repo, "rev-parse", "master")
    assert git(into_exp, "rev-parse", "HEAD^1") == git(repo, "rev-parse", "exp")
    assert git(into_master, "rev-parse", "HEAD^2") == git(into_exp, "rev-parse", "HEAD^1")
    assert git(into_master, "rev-parse", "exp") == git(repo, "rev-parse", "exp"), "exp moved in exp->master"
    assert git(into_exp, "rev-parse", "master") == git(repo, "rev-parse", "master"), "master moved in master->exp"


def test_editing_the_same_line_on_both_branches_conflicts(tmp_path):
    """Asserts that when both branches change the same line, `git merge` exits 1 and leaves conflict markers."""
    repo = diverged(tmp_path, exp_file="notes.txt")
    done = subprocess.run(["git", "-C", str(repo), "merge", "--no-edit", "exp"], capture_output=True, check=False)
    assert done.returncode == 1
    assert "<<<<<<< HEAD" in (repo / "notes.txt").read_text()


def test_bisect_run_finds_the_planted_bad_commit(tmp_path):
    """Asserts that `git bisect run` with a failing test names exactly the commit that planted the bug."""
    repo = new_repo(tmp_path)
    commit_file(repo, "stats.py", "def mean(xs):\n    return sum(xs) / len(xs)\n", "mean")
    planted = None
    for n in range(2, 9):
        if n == 5:
            planted = commit_file(repo, "stats.py", "def mean(xs):\n    return sum(xs) // len(xs)\n", "bug")
        else:
            commit_file(repo, "CHANGELOG", f"{n}\n", f"doc {n}")
    script = tmp_path / "test_mean.sh"
    script.write_text(f"#!/bin/sh\n{sys.executable} -c 'from stats import mean; assert mean([1, 2]) == 1.5'\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    git(repo, "bisect", "start", "master", "master~7")
    output = git(repo, "bisect", "run", str(script))
    assert f"{planted} is the first bad commit" in output
    assert git(repo, "rev-parse", "refs/bisect/bad") == planted
    git(repo, "bisect", "reset")
    assert read_repo(repo).head_branch == "master"


def test_graph_shows_every_commit_branch_and_head(tmp_path):
    """Asserts that the Mermaid graph names every commit and branch, HEAD's branch, and a detached HEAD."""
    repo = diverged(tmp_path)
    into_master, _ = merge_both_ways(repo, tmp_path)
    state = read_repo(into_master)
    text = to_mermaid(state)
    shas = git(into_master, "log", "--all", "--format=%h").split()
    assert len(state.commits) == len(shas) == 4
    for sha in shas:
        assert f'["{sha}<br/>' in text
    assert '(["exp"]):::branch' in text and '(["master"]):::current' in text
    assert "HEAD ==> bmaster" in text
    assert '-- "^1" -->' in text and '-- "^2" -->' in text, "the merge's parents are not labelled"
    git(into_master, "switch", "-q", "--detach", "HEAD^2")
    detached = to_mermaid(read_repo(into_master))
    assert 'HEAD{{"HEAD (detached)"}}' in detached
    assert f"HEAD ==> c{git(into_master, 'rev-parse', '--short', 'HEAD')}" in detached
    assert ":::current" not in detached


def test_graph_html_is_escaped_for_the_loader(tmp_path):
    """Asserts that to_html wraps the Mermaid text in div.kb-mermaid with <, > and quotes escaped."""
    repo = new_repo(tmp_path)
    commit_file(repo, "a.txt", "a\n", 'say "<hi>"')
    page = to_html(to_mermaid(read_repo(repo)))
    assert page.startswith('<div class="kb-mermaid">') and page.endswith("</div>")
    inner = page[len('<div class="kb-mermaid">') : -len("</div>")]
    assert "<" not in inner and ">" not in inner
    assert "#quot;&lt;hi&gt;#quot;" in inner


def test_graph_module_runs_as_main(tmp_path):
    """Asserts that `python -m snippets.git.graph` draws a demo with no argument and a given repository as HTML."""
    demo = subprocess.run(
        [sys.executable, "-m", "snippets.git.graph"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert demo.returncode == 0, demo.stderr
    assert demo.stdout.startswith("flowchart LR") and "HEAD ==> bexp" in demo.stdout
    repo = new_repo(tmp_path)
    sha = commit_file(repo, "a.txt", "a\n", "first")
    drawn = subprocess.run(
        [sys.executable, "-m", "snippets.git.graph", str(repo)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert drawn.returncode == 0, drawn.stderr
    assert drawn.stdout.startswith('<div class="kb-mermaid">') and sha[:7] in drawn.stdout

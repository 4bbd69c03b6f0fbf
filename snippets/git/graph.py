"""Draw a repository's real commit graph (commits, branches, HEAD) as a Mermaid flowchart.

References:
    S. Chacon, B. Straub. Pro Git, 2nd ed. (Apress, 2014), ch. 3.1 "Branches in a Nutshell".
    git-log(1) "PRETTY FORMATS" and git-for-each-ref(1), the two commands this module reads.
Mirrors no library: the graph is whatever `git log --all` says, drawn oldest to newest.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path


# --8<-- [start:read]
def git(repo: str | Path, *args: str, check: bool = True) -> str:
    """Run `git -C repo args...` and return its stdout without the trailing newline."""
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=False)
    if check and done.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed ({done.returncode}): {done.stderr.strip()}")
    return done.stdout.rstrip("\n")


@dataclass
class Commit:
    sha: str
    parents: list[str]  # first parent first: the branch that was checked out when merging
    subject: str


@dataclass
class RepoState:
    """What a commit graph shows: every commit, every branch, and where HEAD is."""

    commits: list[Commit]  # oldest first (topological order)
    branches: dict[str, str]  # "master" or "origin/master" -> commit sha
    head: str | None  # the commit HEAD points to (None in a repository with no commit yet)
    head_branch: str | None  # the branch HEAD is attached to; None = detached HEAD
    short: dict[str, str] = field(default_factory=dict)  # sha -> abbreviated sha


def read_repo(repo: str | Path) -> RepoState:
    """Read commits (`git log --all`), branches (`git for-each-ref`) and HEAD (`git symbolic-ref`)."""
    log = git(repo, "log", "--all", "--topo-order", "--reverse", "--format=%H%x00%P%x00%h%x00%s")
    commits, short = [], {}
    for line in filter(None, log.split("\n")):
        sha, parents, abbrev, subject = line.split("\x00")
        commits.append(Commit(sha, parents.split(), subject))
        short[sha] = abbrev
    refs = git(repo, "for-each-ref", "--format=%(objectname) %(refname:short)", "refs/heads", "refs/remotes")
    branches = {}
    for line in filter(None, refs.split("\n")):
        sha, name = line.split(" ", 1)
        if not name.endswith("/HEAD"):  # origin/HEAD is a pointer to a branch, not a branch
            branches[name] = sha
    head = git(repo, "rev-parse", "--verify", "-q", "HEAD", check=False) or None
    # `git symbolic-ref -q HEAD` fails exactly when HEAD is detached
    attached = git(repo, "symbolic-ref", "-q", "--short", "HEAD", check=False) or None
    return RepoState(commits, branches, head, attached, short)


# --8<-- [end:read]


# --8<-- [start:mermaid]
def _node_id(prefix: str, name: str) -> str:
    return prefix + re.sub(r"[^A-Za-z0-9]", "_", name)


def _label(text: str) -> str:
    return text.replace('"', "#quot;")


def to_mermaid(state: RepoState) -> str:
    """A Mermaid flowchart: commits old -> new, branches as pills, HEAD as a hexagon.

    The branch HEAD is attached to has a thick blue border; a detached HEAD is red and points
    straight at a commit. Arrows between commits run from parent to child (time flows right),
    the opposite of how Git stores them (a commit records its parents); a merge commit's arrows
    are labelled ^1 (first parent) and ^2, as in `git rev-parse HEAD^2`.
    """
    lines = ["flowchart LR"]
    for commit in state.commits:
        short = state.short[commit.sha]
        lines.append(f'  {_node_id("c", short)}["{short}<br/>{_label(commit.subject)}"]:::commit')
    for commit in state.commits:
        merge = len(commit.parents) > 1
        for number, parent in enumerate(commit.parents, start=1):
            arrow = f'-- "^{number}" -->' if merge else "-->"  # a merge's edges say which parent is first
            lines.append(f"  {_node_id('c', state.short[parent])} {arrow} {_node_id('c', state.short[commit.sha])}")
    for name, sha in sorted(state.branches.items()):
        style = "current" if name == state.head_branch else ("remote" if "/" in name else "branch")
        lines.append(f'  {_node_id("b", name)}(["{_label(name)}"]):::{style}')
        lines.append(f"  {_node_id('b', name)} -.-> {_node_id('c', state.short[sha])}")
    if state.head is not None:
        if state.head_branch is None:
            lines.append('  HEAD{{"HEAD (detached)"}}:::detached')
            lines.append(f"  HEAD ==> {_node_id('c', state.short[state.head])}")
        else:
            lines.append('  HEAD{{"HEAD"}}:::head')
            lines.append(f"  HEAD ==> {_node_id('b', state.head_branch)}")
    lines += [
        "  classDef commit fill:#f5f5f5,stroke:#616161,color:#212121",
        "  classDef branch fill:#e8eaf6,stroke:#9e9e9e,stroke-width:2px,color:#212121",
        "  classDef remote fill:#fff8e1,stroke:#9e9e9e,stroke-dasharray:4 3,color:#212121",
        "  classDef current fill:#e8eaf6,stroke:#1e88e5,stroke-width:4px,color:#212121",
        "  classDef head fill:#1e88e5,color:#fff,stroke:#0d47a1",
        "  classDef detached fill:#e53935,color:#fff,stroke:#b71c1c",
    ]
    return "\n".join(lines)


def to_html(mermaid: str) -> str:
    """The diagram as the site's loader expects it: escaped text in a div.kb-mermaid."""
    return f'<div class="kb-mermaid">{html.escape(mermaid)}</div>'


# --8<-- [end:mermaid]


def demo_repository(path: Path) -> Path:
    """A tiny repository (two commits on master, one on exp, HEAD on exp) with settings of its own."""
    env = {
        **os.environ,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_AUTHOR_NAME": "demo",
        "GIT_AUTHOR_EMAIL": "demo@example.com",
        "GIT_COMMITTER_NAME": "demo",
        "GIT_COMMITTER_EMAIL": "demo@example.com",
        "GIT_AUTHOR_DATE": "2021-08-12T10:00:00+09:00",
        "GIT_COMMITTER_DATE": "2021-08-12T10:00:00+09:00",
    }
    steps = [
        ["init", "-q", "-b", "master", str(path)],
        ["-C", str(path), "commit", "-q", "--allow-empty", "-m", "first"],
        ["-C", str(path), "commit", "-q", "--allow-empty", "-m", "second"],
        ["-C", str(path), "switch", "-q", "-c", "exp"],
        ["-C", str(path), "commit", "-q", "--allow-empty", "-m", "experiment"],
    ]
    for step in steps:
        subprocess.run(["git", *step], env=env, check=True, capture_output=True)
    return path


def main(argv: list[str]) -> None:
    """`python -m snippets.git.graph REPO` prints REPO's graph as HTML; with no argument, a demo's Mermaid text."""
    if argv:
        print(to_html(to_mermaid(read_repo(argv[0]))))
        return
    with tempfile.TemporaryDirectory() as folder:
        state = read_repo(demo_repository(Path(folder) / "demo"))
        assert state.head_branch == "exp" and len(state.commits) == 3
        print(to_mermaid(state))


if __name__ == "__main__":
    main(sys.argv[1:])

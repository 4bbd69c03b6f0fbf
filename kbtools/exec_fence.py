"""markdown-exec with the guarantees the site promises, for blocks executed at build.

markdown-exec itself runs a block with no time limit, names a failing block only as
`<code block: n2>`, renders printed output as live Markdown/HTML, and runs shell blocks in
the project's own folder. This formatter wraps it so that every executed block:

- stops after its time limit (`timeout="N"` on the fence, 120 s by default) with an error;
- is named in warnings as `docs/<page>.md:<line>`;
- shows its output as text unless the fence opts into HTML (`html="1"`, for figures);
- runs in a fresh temporary folder with the sandbox environment of `kbtools.blocks`, shell blocks
  inside the same jail as in tests (no network, project read-only, `set -e`);
  shell blocks of one `session` on a page share their folder (a git repository built step by step).
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import logging
import os
import shlex
import shutil
import signal
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import markdown_exec

from kbtools.blocks import DEFAULT_TIMEOUT_S, JAIL, ROOT, find_fences, sandbox_env

SHELL_LANGUAGES = frozenset({"bash", "sh", "console"})

log = logging.getLogger("mkdocs.plugins.kbtools")


class BlockTimeout(BaseException):
    """Raised inside a block that ran past its time limit.

    A BaseException, so that markdown-exec's `except Exception` lets it through to `formatter`.
    """


@dataclass
class _PageState:
    path: str = "<unknown page>"
    exec_lines: list[int] = field(default_factory=list)
    index: int = 0
    current: str = "<unknown page>"
    # shell sessions: markdown-exec has none, so blocks with the same `session` share a folder
    shell_sessions: dict[str, str] = field(default_factory=dict)
    digest: str = ""  # the page file's content hash: a key of the output cache
    failed: bool = False  # markdown-exec reported a failing block on this page: cache nothing


_page = _PageState()

# Outputs of executed blocks, kept for the life of the process (`mkdocs serve` rebuilds).
# Key: page, page content hash, block number, language, source. A page's blocks are reused only
# while the page file is unchanged, so sessions always re-run whole; a change under snippets/ or
# kbtools/ empties it (see `begin_build`). A fresh `mkdocs build` process always executes everything.
_outputs: dict[tuple, str] = {}
_code_digest = ""


def _tree_digest(*folders: Path) -> str:
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(folder.rglob("*.py")):
            digest.update(path.as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def begin_build(notebook_cache: Path) -> None:
    """Called before each build: forget outputs and imported snippets if the code they ran has changed.

    mkdocs-jupyter keys its notebook cache on the notebook alone, so a changed snippet would leave stale
    outputs on notebook pages: its cache is emptied too. Python blocks run in this process, so the old
    `snippets` modules are dropped from `sys.modules` to be imported afresh.
    """
    global _code_digest
    digest = _tree_digest(ROOT / "snippets", ROOT / "kbtools")  # the code blocks import, wherever the site is
    stamp = notebook_cache / "code-digest.txt"
    if notebook_cache.is_dir() and (not stamp.is_file() or stamp.read_text() != digest):
        shutil.rmtree(notebook_cache)
    notebook_cache.mkdir(parents=True, exist_ok=True)
    stamp.write_text(digest)
    if digest != _code_digest:
        _outputs.clear()
        for name in [m for m in sys.modules if m == "snippets" or m.startswith("snippets.")]:
            del sys.modules[name]
        _code_digest = digest


def begin_page(path: str, markdown: str) -> None:
    """Called by the mkdocs hook before a page is converted: remember where its exec blocks are."""
    end_page()
    lines = [f.line for f in find_fences(markdown, path) if f.executes_at_build]
    _page.path, _page.exec_lines, _page.index, _page.current = path, lines, 0, path
    _page.digest, _page.failed = hashlib.sha256(markdown.encode()).hexdigest(), False


def end_page() -> None:
    for folder in _page.shell_sessions.values():
        shutil.rmtree(folder, ignore_errors=True)
    _page.shell_sessions.clear()


def _workdir(language: str, session: str) -> tuple[str, bool]:
    """A fresh folder per block; one folder per page and session for shell blocks. Returns (path, owned)."""
    if session and language in SHELL_LANGUAGES:
        if session not in _page.shell_sessions:
            _page.shell_sessions[session] = tempfile.mkdtemp(prefix="kb-session-")
        return _page.shell_sessions[session], False
    return tempfile.mkdtemp(prefix="kb-exec-"), True


def _next_location() -> str:
    lines = _page.exec_lines
    line = lines[_page.index] if _page.index < len(lines) else None
    _page.index += 1
    _page.current = f"{_page.path}:{line}" if line else _page.path
    return _page.current


class _NameTheBlock(logging.Filter):
    """Prefix markdown-exec's own failure warnings with the page and line of the block."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = f"{_page.current}: {record.msg}"
        _page.failed = True
        return True


logging.getLogger("mkdocs.plugins.markdown_exec._internal.formatters.base").addFilter(_NameTheBlock())


@contextmanager
def _time_limit(seconds: int):
    """SIGALRM-based: mkdocs builds (and `mkdocs serve` rebuilds) run in the main thread."""

    def expire(signum, frame):
        raise BlockTimeout(f"timed out after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@functools.cache
def _shell_wrappers() -> str:
    """A folder with `bash` and `sh` that run the real shells in the jail, with `-e`.

    markdown-exec starts `bash -c CODE` itself; putting this folder first on PATH gives build-time
    shell blocks the same rules as in tests: no network, project and home read-only, stop on error.
    """
    folder = Path(tempfile.mkdtemp(prefix="kb-shells-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    for name, flags in (("bash", ["-e", "-o", "pipefail"]), ("sh", ["-e"])):
        real = shutil.which(name) or f"/bin/{name}"
        command = " ".join(shlex.quote(part) for part in [*JAIL, real, *flags])
        (folder / name).write_text(f'#!/bin/sh\nexec {command} "$@"\n', encoding="utf-8")
        (folder / name).chmod(0o755)
    return str(folder)


@contextmanager
def _sandbox(workdir: str):
    saved = dict(os.environ)
    sandbox = sandbox_env(Path(workdir))  # reads PATH, LANG, TZ from the environment: before clearing it
    os.environ.clear()
    os.environ.update(sandbox)
    os.environ["PATH"] = f"{_shell_wrappers()}:{os.environ['PATH']}"
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def formatter(source: str, language: str, css_class: str, options: dict[str, Any], md, **kwargs: Any) -> str:
    location = _next_location()
    key = (_page.path, _page.digest, _page.index, language, source)
    if key in _outputs and not _page.failed:
        return _outputs[key]
    if not options.get("html") and not options.get("result"):
        options["result"] = "text"
    timeout = int(options.get("extra", {}).pop("timeout", DEFAULT_TIMEOUT_S))
    workdir, owned = _workdir(language, options.get("session", ""))
    options["workdir"] = options.get("workdir") or workdir
    try:
        with _time_limit(timeout), _sandbox(workdir):
            html = markdown_exec.formatter(source, language, css_class, options, md, **kwargs)
        html = _without_copy_button(html)
        if not _page.failed:
            _outputs[key] = html
        return html
    except BlockTimeout as error:
        log.error("%s: %s block %s; set timeout=\"N\" on the fence if it truly needs longer",
                  location, language, error)
        return f'<pre class="kb-exec-error">{location}: {error}</pre>'
    finally:
        if owned:
            shutil.rmtree(workdir, ignore_errors=True)


def _without_copy_button(html: str) -> str:
    """A block's printed output (result="text") gets no copy button (Material skips `.no-copy`): readers copy
    code, not output, and each button costs the page time at load (44 blocks on the Git pages)."""
    # str(): markdown-exec returns markupsafe.Markup, whose replace() would escape the new tag.
    return str(html).replace('<div class="language-text highlight">', '<div class="language-text highlight no-copy">')


validator = markdown_exec.validator

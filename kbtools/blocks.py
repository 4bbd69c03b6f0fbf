"""Find the fenced code blocks of the site's pages and run them the way CI does.

Every fence whose language could be code is run: with or without attributes, inside
admonitions and content tabs, after its `--8<--` includes are expanded. Blocks that share a
markdown-exec `session` on one page run together as one program, as they do at build.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import markdown

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

# Languages that could be code: every fence in one of these runs in `make test`.
CODE_LANGUAGES = frozenset({"python", "py", "pycon", "bash", "sh", "console"})
# Languages a reader sees but nothing runs. A fence in any other language fails the guard test,
# so a block is kept from running only by naming what it is, never by a skip.
DISPLAY_LANGUAGES = frozenset(
    {"text", "yaml", "json", "toml", "ini", "mermaid", "markdown", "md", "diff", "html", "css",
     "javascript", "js", "bibtex", "latex", "tex", "csv", "gitignore", "make", "makefile"}
)
DEFAULT_TIMEOUT_S = 120

_FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>[^`\n]*)$")
_INCLUDE = re.compile(r"""^\s*-{1,}8<-{1,}\s+["']?(?P<target>[^"'\s]+)["']?\s*$""")


class BlockError(Exception):
    """A block that cannot be read or expanded; the message starts with `docs/<page>.md:<line>`."""


@dataclass(frozen=True)
class Fence:
    """One fenced block of a page: where it starts, its language, its attributes and its body."""

    path: str  # relative to the repository root, posix, e.g. "docs/index.md"
    line: int  # 1-based line of the opening fence
    language: str
    options: dict[str, str]
    code: str  # the body, dedented to the fence's indentation, includes not yet expanded

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}"

    @property
    def executes_at_build(self) -> bool:
        return self.options.get("exec", "").lower() in {"1", "on", "true", "yes"}


def parse_info(info: str) -> tuple[str, dict[str, str]]:
    """Split a fence's info string (`python exec="on" title="x.py"` or `{ .py .annotate }`)."""
    info = info.strip()
    if info.startswith("{") and info.endswith("}"):
        tokens = shlex.split(info[1:-1])
        classes = [t[1:] for t in tokens if t.startswith(".")]
        language = classes[0] if classes else ""
        tokens = [t for t in tokens if not t.startswith((".", "#"))]
    else:
        tokens = shlex.split(info) if info else []
        language = tokens.pop(0) if tokens and "=" not in tokens[0] else ""
    options = {}
    for token in tokens:
        key, _, value = token.partition("=")
        options[key] = value
    return language.lower(), options


def find_fences(text: str, path: str) -> list[Fence]:
    """Every fenced block of a Markdown text, nested ones in admonitions and tabs included."""
    lines = text.split("\n")
    fences = []
    i = 0
    while i < len(lines):
        match = _FENCE_OPEN.match(lines[i])
        if not match:
            i += 1
            continue
        indent, fence = match["indent"], match["fence"]
        try:
            language, options = parse_info(match["info"])
        except ValueError as error:
            raise BlockError(f"{path}:{i + 1}: unreadable fence attributes ({error})") from error
        closing = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
        body = []
        j = i + 1
        while j < len(lines) and not closing.match(lines[j]):
            body.append(lines[j][len(indent):] if lines[j].startswith(indent) else lines[j].lstrip())
            j += 1
        if j == len(lines):
            raise BlockError(f"{path}:{i + 1}: fence {fence} is never closed")
        fences.append(Fence(path, i + 1, language, options, "\n".join(body)))
        i = j + 1
    return fences


def page_fences(page: Path) -> list[Fence]:
    return find_fences(page.read_text(encoding="utf-8"), page.relative_to(ROOT).as_posix())


def expand_includes(fence: Fence) -> str:
    """The block's body with its `--8<--` lines replaced, exactly as pymdownx.snippets does at build."""
    if not any(_INCLUDE.match(line) for line in fence.code.split("\n")):
        return fence.code
    md = markdown.Markdown(
        extensions=["pymdownx.snippets"],
        extension_configs={"pymdownx.snippets": {"base_path": [str(ROOT)], "check_paths": True}},
    )
    try:
        return "\n".join(md.preprocessors["snippet"].run(fence.code.split("\n")))
    except Exception as error:  # pymdownx raises SnippetMissingError, a bare Exception subclass
        raise BlockError(f"{fence.location}: include failed: {error}") from error


def included_modules(fence: Fence) -> list[str]:
    """Dotted names of the snippet modules a block includes (`snippets/rnn/lstm.py:cell`)."""
    modules = []
    for line in fence.code.split("\n"):
        match = _INCLUDE.match(line)
        if match:
            target = match["target"].split(":")[0]
            if target.endswith(".py") and target.startswith("snippets/"):
                modules.append(target[: -len(".py")].replace("/", "."))
    return modules


@dataclass
class Program:
    """What one test runs: a single block, or every block of one markdown-exec session on a page."""

    fences: list[Fence]
    language: str
    source: str = ""
    # source line (1-based) -> page location, for reporting errors where the reader wrote them
    line_map: dict[int, str] = field(default_factory=dict)

    @property
    def location(self) -> str:
        return self.fences[0].location

    @property
    def timeout(self) -> int:
        return max(int(f.options.get("timeout", DEFAULT_TIMEOUT_S)) for f in self.fences)

    @property
    def expected_returncode(self) -> int:
        """Shell programs check each block's own `returncode` inside the script; python: the last block's."""
        if self.language in {"bash", "console"}:
            return 0
        return int(self.fences[-1].options.get("returncode", "0"))


def _family(language: str) -> str:
    return {"py": "python", "sh": "bash"}.get(language, language)


def build_programs(fences: list[Fence]) -> list[Program]:
    """Group a page's runnable fences into programs and assemble each program's source."""
    programs: list[Program] = []
    sessions: dict[tuple[str, str], Program] = {}
    for fence in fences:
        if fence.language not in CODE_LANGUAGES:
            continue
        family = _family(fence.language)
        session = fence.options.get("session")
        key = (family, session or "")
        if session and key in sessions:
            program = sessions[key]
            program.fences.append(fence)
        else:
            program = Program([fence], family)
            programs.append(program)
            if session:
                sessions[key] = program
        _append(program, fence)
    return programs


def _append(program: Program, fence: Fence) -> None:
    code = expand_includes(fence)
    exact_lines = code == fence.code  # an include shifts lines: report the fence line instead
    prelude = suffix = ""
    if program.language == "python":
        # A section included from a snippet runs inside its own module, so its names resolve.
        prelude = "".join(
            f"import importlib as _il; globals().update(vars(_il.import_module({m!r})))\n"
            for m in included_modules(fence)
        )
    elif program.language in {"bash", "console"}:
        if program.language == "console":
            code = _console_commands(code)
        # Each block runs in its own subshell, as each is its own process at build; its exit
        # status is checked against `returncode` (markdown-exec's attribute, 0 by default).
        expected = int(fence.options.get("returncode", "0"))
        prelude = "set +e\n( set -e\n"
        suffix = (
            f"\n)\n__kb_rc=$?\nset -e\n"
            f'[ "$__kb_rc" -eq {expected} ] || {{ echo "{fence.location}: block exited with '
            f'$__kb_rc, expected {expected}" >&2; exit 1; }}'
        )
    start = program.source.count("\n") + 1
    for k, _ in enumerate((prelude + code).split("\n")):
        body_line = k - prelude.count("\n")
        page_line = fence.line + 1 + body_line if exact_lines and body_line >= 0 else fence.line
        program.line_map[start + k] = f"{fence.path}:{page_line}"
    program.source += prelude + code + suffix + "\n"


def _console_commands(code: str) -> str:
    """The commands of a console transcript (`$ cmd`, with `\\` continuations); output lines are shown only."""
    commands, continuing = [], False
    for line in code.split("\n"):
        if continuing or line.startswith("$ "):
            commands.append(line if continuing else line[2:])
            continuing = line.rstrip().endswith("\\")
        else:
            commands.append("")  # keep line numbers aligned with the page
    return "\n".join(commands)


def collect_programs(docs: Path = DOCS) -> list[Program]:
    programs = []
    for page in sorted(docs.rglob("*.md")):
        programs.extend(build_programs(page_fences(page)))
    return programs


# --- running -------------------------------------------------------------------------------------

def line_of(text: str, source: str) -> int | str:
    """The 1-based line of `source` (a page as written) holding `text`'s first non-blank line, or '?' when it is
    not there verbatim (text printed by an executed block, for instance)."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    at = source.find(first) if first else -1
    return source.count("\n", 0, at) + 1 if at >= 0 else "?"


def sandbox_env(workdir: Path) -> dict[str, str]:
    """The environment every block runs in, at build and in tests: nothing from the user's setup.

    Git reads no global or system configuration and stops looking for a repository at the
    temporary folder, so a block can never act on this project's own repository.
    """
    import os

    env = {k: v for k, v in os.environ.items() if k in {"PATH", "LANG", "LC_ALL", "TZ", "VIRTUAL_ENV"}}
    env.update(
        HOME=str(workdir),
        TMPDIR=str(workdir),
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL="/dev/null",
        GIT_CEILING_DIRECTORIES=str(workdir.parent),
        PYTHONHASHSEED="0",
        PYTHONDONTWRITEBYTECODE="1",
        MPLBACKEND="Agg",
        # Reproducible commits: same dates on every build (a page may still set its own).
        GIT_AUTHOR_DATE="2021-08-12T10:00:00+09:00",
        GIT_COMMITTER_DATE="2021-08-12T10:00:00+09:00",
        TZ="UTC",
        LC_ALL=env.get("LC_ALL", "C.UTF-8"),
        # The fallback when no network namespace can be made: proxies that refuse every connection.
        http_proxy="http://127.0.0.1:9",
        https_proxy="http://127.0.0.1:9",
        no_proxy="",
    )
    env["PATH"] = f"{Path(sys.executable).parent}:{env.get('PATH', '/usr/bin:/bin')}"
    return env


# Inside the jail: the project and the user's home become read-only, then the block runs.
_READ_ONLY = (
    'for d in "$1" "$2"; do [ -d "$d" ] && mount --bind "$d" "$d" && mount -o remount,bind,ro "$d"; done; '
    'shift 2; exec "$@"'
)


def _jail() -> list[str]:
    """A prefix that runs a command with no network and with the project and home read-only.

    `unshare` makes new network and mount namespaces (as root; otherwise inside a user namespace).
    Where neither is allowed, blocks run unconfined and the pipeline tests that prove the jail fail.
    """
    for unshare in (["unshare", "--net", "--mount"], ["unshare", "--net", "--mount", "--map-root-user"]):
        # /bin/sh by path: at build, `sh` on PATH is kbtools.exec_fence's wrapper, which calls this jail
        prefix = [*unshare, "--", "/bin/sh", "-c", _READ_ONLY, "sh", str(ROOT), str(Path.home())]
        if shutil.which("unshare") and subprocess.run(
            [*prefix, "true"], capture_output=True, check=False
        ).returncode == 0:
            return prefix
    return []


JAIL = _jail()


@dataclass
class Outcome:
    ok: bool
    report: str
    stdout: str = ""


def run_program(program: Program, workdir: Path | None = None) -> Outcome:
    """Run a program in a fresh temporary folder, with a timeout, no network, the project read-only."""
    owned = workdir is None
    workdir = Path(tempfile.mkdtemp(prefix="kb-block-")) if owned else workdir
    try:
        return _run(program, workdir)
    finally:
        if owned:
            shutil.rmtree(workdir, ignore_errors=True)


def _run(program: Program, workdir: Path) -> Outcome:
    script = workdir / "block.txt"
    script.write_text(program.source, encoding="utf-8")
    python = [sys.executable, "-X", "utf8"]
    # -e: a failing command fails the block (pytest-codeblocks and markdown-exec do not set it);
    # the ERR trap names the line, since bash alone reports only the exit status.
    bash = ["bash", "--noprofile", "--norc", "-c",
            "set -Eeuo pipefail; trap 'echo \"block.txt: line $LINENO: exit status $?\" >&2' ERR; "
            "source ./block.txt"]
    command = {
        "python": [*python, str(script)],
        "pycon": [*python, "-m", "doctest", "-o", "NORMALIZE_WHITESPACE", "-o", "ELLIPSIS", str(script)],
        "bash": bash,
        "console": bash,
    }[program.language]
    try:
        done = subprocess.run(
            [*JAIL, *command], cwd=workdir, env=sandbox_env(workdir), capture_output=True,
            text=True, timeout=program.timeout, stdin=subprocess.DEVNULL, check=False,
        )
    except subprocess.TimeoutExpired:
        return Outcome(False, f"{program.location}: timed out after {program.timeout} s "
                              "(set timeout=\"N\" on the fence if it truly needs longer)")
    if done.returncode == program.expected_returncode:
        return Outcome(True, "", done.stdout)
    where = _failing_location(program, done.stderr) or program.location
    return Outcome(
        False,
        f"{where}: {program.language} block exited with {done.returncode} "
        f"(expected {program.expected_returncode})\n{done.stderr.strip() or done.stdout.strip()}",
        done.stdout,
    )


def _failing_location(program: Program, stderr: str) -> str | None:
    """Map the line the interpreter blamed back to the page line."""
    if program.language in {"python", "pycon"}:
        numbers = re.findall(r'File ".*block\.txt", line (\d+)', stderr)
        return program.line_map.get(int(numbers[-1])) if numbers else None  # innermost frame is last
    # bash: the failing block names itself; of the ERR-trap lines (innermost first), take the first that
    # lies in that block (blocks expected to fail earlier in a session leave trap lines too).
    failed = re.findall(r"^(\S+:\d+): block exited with", stderr, re.MULTILINE)
    if not failed:
        return None
    fence = next(f for f in program.fences if f.location == failed[-1])
    inside = {f"{fence.path}:{n}" for n in range(fence.line + 1, fence.line + 2 + fence.code.count("\n"))}
    for number in re.findall(r"block\.txt: line (\d+):", stderr):
        location = program.line_map.get(int(number))
        if location in inside:
            return location
    return fence.location

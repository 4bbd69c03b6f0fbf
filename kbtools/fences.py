"""Find the fenced code blocks of a page and read their attributes, with one meaning everywhere.

Every fence whose language could be code is found: with or without attributes, `~~~` or backticks, inside
admonitions and content tabs. Its attributes (`exec`, `session`, `timeout`, `returncode`, `html`) are read here
and nowhere else: the engine runs by them and the build renders by them.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

import markdown

from kbtools.settings import DEFAULT_TIMEOUT_S, ROOT

# Languages that could be code: every fence in one of these runs. The superfences entries in mkdocs.yml name the
# same list (tests/test_guard.py compares them).
CODE_LANGUAGES = ("python", "py", "pycon", "bash", "sh", "console")
# Languages a reader sees but nothing runs. A fence in any other language fails the guard test,
# so a block is kept from running only by naming what it is, never by a skip.
DISPLAY_LANGUAGES = frozenset(
    {"text", "yaml", "json", "toml", "ini", "mermaid", "markdown", "md", "diff", "html", "css",
     "javascript", "js", "bibtex", "latex", "tex", "csv", "gitignore", "make", "makefile"}
)
# How a language runs: `py` is python, `sh` is bash.
FAMILY = {"python": "python", "py": "python", "pycon": "pycon", "bash": "bash", "sh": "bash", "console": "console"}

_ON, _OFF = {"on", "true", "yes", "1"}, {"off", "false", "no", "0", ""}
_FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>[^`\n]*)$")
INCLUDE = re.compile(r"""^\s*-{1,}8<-{1,}\s+["']?(?P<target>[^"'\s]+)["']?\s*$""")


class BlockError(Exception):
    """A block that cannot be read or expanded; the message starts with `docs/<page>.md:<line>`."""


def _flag(value: str, name: str, where: str) -> bool:
    if value.lower() in _ON:
        return True
    if value.lower() in _OFF:
        return False
    raise BlockError(f'{where}: {name}="{value}" is neither on nor off (write {name}="on" or leave it out)')


def _number(value: str, name: str, where: str, minimum: int) -> int:
    try:
        number = int(value)
    except ValueError:
        number = minimum - 1
    if number < minimum:
        raise BlockError(f'{where}: {name}="{value}" must be a whole number of at least {minimum}')
    return number


@dataclass(frozen=True)
class Fence:
    """One fenced block of a page: where it starts, its language, its attributes and its body."""

    path: str  # relative to the site's folder (beside mkdocs.yml), posix, e.g. "docs/index.md"
    line: int  # 1-based line of the opening fence
    language: str
    options: dict[str, str]
    code: str  # the body, dedented to the fence's indentation, includes not yet expanded

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}"

    @property
    def runs(self) -> bool:
        return self.language in CODE_LANGUAGES

    @property
    def shows_output(self) -> bool:
        """`exec="on"`: the page shows what the block printed (every code block runs, shown or not)."""
        return _flag(self.options.get("exec", ""), "exec", self.location)

    @property
    def html(self) -> bool:
        return _flag(self.options.get("html", ""), "html", self.location)

    @property
    def session(self) -> str:
        return self.options.get("session", "")

    @property
    def timeout(self) -> int:
        return _number(self.options.get("timeout", str(DEFAULT_TIMEOUT_S)), "timeout", self.location, 1)

    @property
    def returncode(self) -> int:
        return _number(self.options.get("returncode", "0"), "returncode", self.location, 0)

    def check(self) -> None:
        """Raise BlockError naming the line if an attribute has no meaning."""
        for attribute in ("shows_output", "html", "timeout", "returncode"):
            getattr(self, attribute)


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
        found = Fence(path, i + 1, language, options, "\n".join(body))
        if found.runs:
            found.check()
        fences.append(found)
        i = j + 1
    return fences


def expand_includes(fence: Fence, base: str = str(ROOT)) -> str:
    """The block's body with its `--8<--` lines replaced, exactly as pymdownx.snippets does at build."""
    if not any(INCLUDE.match(line) for line in fence.code.split("\n")):
        return fence.code
    md = markdown.Markdown(
        extensions=["pymdownx.snippets"],
        extension_configs={"pymdownx.snippets": {"base_path": [base], "check_paths": True}},
    )
    try:
        return "\n".join(md.preprocessors["snippet"].run(fence.code.split("\n")))
    except Exception as error:  # pymdownx raises SnippetMissingError, a bare Exception subclass
        raise BlockError(f"{fence.location}: include failed: {error}") from error


def included_modules(fence: Fence) -> list[str]:
    """Dotted names of the snippet modules a block includes (`snippets/rnn/lstm.py:cell`)."""
    modules = []
    for line in fence.code.split("\n"):
        match = INCLUDE.match(line)
        if match:
            target = match["target"].split(":")[0]
            if target.endswith(".py") and target.startswith("snippets/"):
                modules.append(target[: -len(".py")].replace("/", "."))
    return modules


def line_of(text: str, source: str) -> int | str:
    """The 1-based line of `source` (a page as written) holding `text`'s first non-blank line, or '?' when it is
    not there verbatim (text printed by an executed block, for instance)."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    at = source.find(first) if first else -1
    return source.count("\n", 0, at) + 1 if at >= 0 else "?"

"""Find every executable unit of the site: what the engine runs and the store keeps.

A unit is one of:
- a page's code fence, or every fence of one `session` on a page, run together in order (`kind` python, pycon,
  bash or console);
- a notebook under docs/ (`kind` notebook), executed cell by cell;
- a module under snippets/ run as `python -m` (`kind` module), as a reader would run it.

A multi-block program prints a marker after each block, so the engine can give each fence its own output.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from kbtools.fences import FAMILY, BlockError, Fence, expand_includes, find_fences, included_modules
from kbtools.settings import DEFAULT_TIMEOUT_S, ROOT

MARK = "\x1f"  # unit separator: after block k a program prints MARK k MARK (no newline: output stays exact)
_MARKS = re.compile(MARK + r"(\d+)" + MARK)


@dataclass
class Unit:
    id: str  # where a reader finds it: "docs/x.md:12", "docs/x.ipynb", "snippets/rnn/lstm.py"
    kind: str  # python | pycon | bash | console | notebook | module
    source: str  # the program (includes expanded), the notebook's JSON, or the module's dotted name
    timeout: int  # seconds for the whole program; for a notebook, per cell
    expected_returncode: int = 0
    fences: list[Fence] = field(default_factory=list)
    # program line (1-based) -> page location, to report errors where the reader wrote them
    line_map: dict[int, str] = field(default_factory=dict)
    files: tuple[str, ...] = ()  # project files the unit reads besides its imports (a notebook file, a module)

    def block_index(self, line: int) -> int | None:
        """Which of this unit's fences opens at `line` of its page."""
        return next((k for k, f in enumerate(self.fences) if f.line == line), None)


def split_outputs(stdout: str, blocks: int) -> list[str]:
    """Each block's output from a program's stdout (the text before each block's marker)."""
    parts = _MARKS.split(stdout)
    outputs = [parts[0]] + [parts[i + 1] for i in range(1, len(parts) - 1, 2)]
    return outputs[:blocks]


def page_units(text: str, path: str, base: str = str(ROOT)) -> list[Unit]:
    """The units of one Markdown page: each runnable fence, sessions grouped. `path` is relative to the site."""
    units: list[Unit] = []
    sessions: dict[tuple[str, str], Unit] = {}
    for fence in find_fences(text, path):
        if not fence.runs:
            continue
        kind = FAMILY[fence.language]
        key = (kind, fence.session)
        if fence.session and key in sessions:
            unit = sessions[key]
            unit.fences.append(fence)
            unit.timeout = max(unit.timeout, fence.timeout)
        else:
            unit = Unit(fence.location, kind, "", fence.timeout, fences=[fence])
            units.append(unit)
            if fence.session:
                sessions[key] = unit
        _append(unit, fence, base)
    for unit in units:
        if unit.kind in {"python", "pycon"}:
            unit.expected_returncode = unit.fences[-1].returncode  # shells check each block's own inside
    return units


def _append(unit: Unit, fence: Fence, base: str) -> None:
    code = expand_includes(fence, base)
    exact_lines = code == fence.code  # an include shifts lines: report the fence line instead
    index = len(unit.fences) - 1
    prelude = suffix = ""
    if unit.kind == "python":
        # A section included from a snippet runs inside its own module, so its names resolve.
        prelude = "".join(
            f"import importlib as _il; globals().update(vars(_il.import_module({m!r})))\n"
            for m in included_modules(fence)
        )
        suffix = f"\nimport sys as _kb_sys; _kb_sys.stdout.write('{MARK}{index}{MARK}'); _kb_sys.stdout.flush()"
    elif unit.kind in {"bash", "console"}:
        if unit.kind == "console":
            code = _console_commands(code)
        # Each block runs in its own subshell, as each is its own process at build; its exit status is checked
        # against `returncode` (0 by default), then the block's marker is printed.
        prelude = "set +e\n( set -e\n"
        suffix = (
            f"\n)\n__kb_rc=$?\nset -e\n"
            f'[ "$__kb_rc" -eq {fence.returncode} ] || {{ echo "{fence.location}: block exited with '
            f'$__kb_rc, expected {fence.returncode}" >&3; exit 1; }}\n'
            f"printf '\\037{index}\\037'"
        )
    start = unit.source.count("\n") + 1
    for k, _ in enumerate((prelude + code).split("\n")):
        body_line = k - prelude.count("\n")
        page_line = fence.line + 1 + body_line if exact_lines and body_line >= 0 else fence.line
        unit.line_map[start + k] = f"{fence.path}:{page_line}"
    unit.source += prelude + code + suffix + "\n"


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


def notebook_unit(path: Path, site: Path) -> Unit:
    rel = path.relative_to(site).as_posix()
    return Unit(rel, "notebook", path.read_text(encoding="utf-8"), DEFAULT_TIMEOUT_S)


def module_units(root: Path = ROOT) -> list[Unit]:
    """Every snippet module, run as `python -m snippets.x.y` from an unrelated folder."""
    units = []
    for path in sorted((root / "snippets").rglob("*.py")):
        if path.name == "__init__.py":
            continue
        rel = path.relative_to(root)
        name = rel.with_suffix("").as_posix().replace("/", ".")
        units.append(Unit(rel.as_posix(), "module", name, DEFAULT_TIMEOUT_S, files=(rel.as_posix(),)))
    return units


def site_units(docs: Path, site: Path | None = None, with_modules: bool = True) -> list[Unit]:
    """Every unit of a site: its pages' fences, its notebooks and (for this project) its snippet modules.

    `site` is the folder page paths are relative to (beside mkdocs.yml); BlockError names the page and line.
    """
    site = site or docs.parent
    units: list[Unit] = []
    for page in sorted(docs.rglob("*.md")):
        units.extend(page_units(page.read_text(encoding="utf-8"), page.relative_to(site).as_posix()))
    notebooks = [nb for nb in sorted(docs.rglob("*.ipynb")) if ".ipynb_checkpoints" not in nb.parts]
    units.extend(notebook_unit(nb, site) for nb in notebooks)
    if with_modules:
        units.extend(module_units())
    ids = [u.id for u in units]
    if len(ids) != len(set(ids)):
        raise BlockError(f"two units with one name: {sorted({i for i in ids if ids.count(i) > 1})}")
    return units

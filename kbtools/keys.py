"""The key of a unit: a digest of everything that can change its result.

- the unit itself: its kind, its program (includes expanded), its time limit and expected exit status;
- the source of every project module it imports, transitively, found statically (a dynamic import whose name
  is not a literal counts every module of the importing module's package, and what they import; in a block
  itself, the whole `snippets` package);
- requirements.txt, the Python and torch versions, the engine's own code;
- the environment the unit runs with (kbtools.jail.base_env: SOURCE_DATE_EPOCH, CPU code-path switches...).
"""

from __future__ import annotations

import ast
import contextlib
import functools
import hashlib
import json
import re
import sys
from importlib import metadata
from pathlib import Path

from kbtools import jail
from kbtools.settings import ROOT
from kbtools.units import Unit

PROJECT_PACKAGES = ("snippets", "kbtools")
# The engine: a change to any of these can change what a unit prints or whether it passes.
ENGINE_FILES = ("fences.py", "units.py", "keys.py", "jail.py", "worker.py", "notebook.py", "engine.py", "settings.py")
_PACKAGES = "|".join(PROJECT_PACKAGES)
_SHELL_MODULES = re.compile(rf"\b((?:{_PACKAGES})(?:\.\w+)+)\b")
_SHELL_PATHS = re.compile(rf"\b((?:{_PACKAGES})(?:/\w+)+\.py)\b")
_MAGIC = re.compile(r"^\s*[%!]")


def module_file(name: str, root: Path = ROOT) -> Path | None:
    """The file of a project module (`snippets.rnn.lstm`), or None if it is not one."""
    if name.split(".")[0] not in PROJECT_PACKAGES:
        return None
    base = root.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _package_files(package: str, root: Path) -> set[Path]:
    return set((root / package).rglob("*.py"))


def _module_name(path: Path, root: Path) -> str:
    return ".".join(path.relative_to(root).with_suffix("").parts).removesuffix(".__init__")


@functools.lru_cache(maxsize=4096)  # a rebuild under `mkdocs serve` parses only the blocks that changed
def imported_names(code: str, package: str = "") -> tuple[frozenset[str], bool]:
    """(dotted names a Python text imports, whether it imports dynamically). `package`: for relative imports."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return frozenset(), True  # cannot tell: count everything (the unit fails anyway)
    names, dynamic = set(), False
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Call):
            called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if called in {"import_module", "__import__", "run_module"}:
                first = node.args[0] if node.args else None
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    names.add(first.value)
                else:
                    dynamic = True
    return frozenset(names), dynamic


def _parents(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]


@functools.lru_cache(maxsize=4096)
def _file_imports(path: Path, mtime_ns: int, size: int) -> tuple[frozenset[str], bool]:
    name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    package = name.removesuffix(".__init__") if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    return imported_names(path.read_text(encoding="utf-8"), package)


_pass: dict | None = None  # memo for one pass over the units (files do not change within it)
_kept: tuple[tuple, dict] = ((), {})  # the last pass's memo and the project files' stamps it was computed from


def _project_stamps(root: Path = ROOT) -> tuple:
    """(path, mtime, size) of every project module: when none changed, neither did any closure or file content."""
    found = []
    for package in PROJECT_PACKAGES:
        for path in (root / package).rglob("*.py"):
            stat = path.stat()
            found.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(sorted(found))


@contextlib.contextmanager
def one_pass():
    """Within this block, closures and file contents are computed once, however many units share them. The memo
    lives on to the next pass while no project module changed: a `mkdocs serve` rebuild after a page edit
    computes no closure again (about 1 s of the 2 s budget)."""
    global _pass, _kept
    stamps = _project_stamps()
    _pass = _kept[1] if _kept[0] == stamps else {}
    try:
        yield
    finally:
        _kept = (stamps, _pass)
        _pass = None


def closure(names: set[str], dynamic: bool, root: Path = ROOT) -> set[Path]:
    """The project files that importing `names` executes, transitively (package __init__ files included)."""
    memo_key = ("closure", frozenset(names), dynamic, root)
    if _pass is not None and memo_key in _pass:
        return _pass[memo_key]
    files = _closure(names, dynamic, root)
    if _pass is not None:
        _pass[memo_key] = files
    return files


def _closure(names: set[str], dynamic: bool, root: Path) -> set[Path]:
    files: set[Path] = set()
    todo = [parent for name in names for parent in _parents(name)]
    if dynamic:
        files |= _package_files("snippets", root)
    while todo:
        path = module_file(todo.pop(), root)
        if path is None or path in files:
            continue
        files.add(path)
        stat = path.stat()
        more, more_dynamic = _file_imports(path, stat.st_mtime_ns, stat.st_size)
        if more_dynamic:  # a name built at run time: everything in the importing module's own package may load
            todo.extend(_module_name(other, root) for other in path.parent.rglob("*.py") if other not in files)
        todo.extend(parent for name in more for parent in _parents(name))
    return files


def unit_imports(unit: Unit) -> set[Path]:
    """Every project file a unit's result depends on."""
    if unit.kind in {"python", "pycon"}:
        code = unit.source if unit.kind == "python" else _pycon_code(unit.source)
        names, dynamic = imported_names(code)
    elif unit.kind in {"bash", "console"}:
        names = set(_SHELL_MODULES.findall(unit.source))
        names |= {p[: -len(".py")].replace("/", ".") for p in _SHELL_PATHS.findall(unit.source)}
        dynamic = False
    elif unit.kind == "notebook":
        cells = json.loads(unit.source).get("cells", [])
        code = "\n".join(
            "\n".join(line for line in "".join(c.get("source", "")).split("\n") if not _MAGIC.match(line))
            for c in cells if c.get("cell_type") == "code"
        )
        names, dynamic = imported_names(code)
    else:  # module
        names, dynamic = {unit.source}, False
    return closure(names, dynamic) | {ROOT / f for f in unit.files}


def _pycon_code(transcript: str) -> str:
    return "\n".join(line[4:] for line in transcript.split("\n") if line.startswith((">>> ", "... ")))


def _shared_files() -> list[Path]:
    return [ROOT / "kbtools" / name for name in ENGINE_FILES] + [ROOT / "requirements.txt"]


def fixed_parts() -> str:
    """What every key shares: requirements, versions and the engine's code, as one digest."""
    stamps = tuple((p.stat().st_mtime_ns, p.stat().st_size) if p.is_file() else None for p in _shared_files())
    return _fixed_parts(stamps)


@functools.lru_cache(maxsize=8)
def _fixed_parts(stamps: tuple) -> str:  # recomputed when a file changes (mkdocs serve lives on)
    digest = hashlib.sha256()
    for path in _shared_files():
        digest.update(path.name.encode() + b"\0" + (path.read_bytes() if path.is_file() else b""))
    digest.update(sys.version.encode())
    digest.update(metadata.version("torch").encode())
    return digest.hexdigest()


def code_digest(unit: Unit) -> str:
    """A digest of the code that ran: the unit, what it imports, requirements, versions and the engine; not the
    environment. Pages show it as provenance: it is the same on every machine and CPU code path."""
    digest = hashlib.sha256()
    digest.update(fixed_parts().encode())
    shape = {"kind": unit.kind, "timeout": unit.timeout, "returncode": unit.expected_returncode,
             "blocks": len(unit.fences)}
    digest.update(json.dumps(shape, sort_keys=True).encode())
    digest.update(unit.source.encode())
    for path in sorted(unit_imports(unit)):
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + _read(path))
    return digest.hexdigest()


def _read(path: Path) -> bytes:
    if _pass is None:
        return path.read_bytes()
    stat = path.stat()  # files outside the project packages (a unit's includes) may change between passes
    key = ("file", path, stat.st_mtime_ns, stat.st_size)
    if key not in _pass:
        _pass[key] = path.read_bytes()
    return _pass[key]


def unit_key(unit: Unit, code: str | None = None) -> str:
    """code_digest (pass it when known) plus the settings that reach the unit (its environment, the jail): the
    store's key."""
    settings = {"env": jail.base_env(), "jailed": jail.jailed()}
    return hashlib.sha256(((code or code_digest(unit)) + json.dumps(settings, sort_keys=True)).encode()).hexdigest()

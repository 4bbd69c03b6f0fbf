"""The execution engine's figures for `make bench` (scripts/bench.py calls `measure`).

Everything runs in the benchmark's temporary copy of the repository, through the command line a writer uses
(`python -m kbtools.run`) or `mkdocs build`, each with a store of its own where the figure needs one.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from kbtools.store import Store

PYTHON = sys.executable
_SUMMARY = re.compile(r"\[kb\] (\d+) units, (\d+) executed(?: \(([^)]*)\))?, (\d+) failed")
TRIVIAL_BLOCKS = 40
CHANGED_FILE = "snippets/rnn/lstm.py"

# Budgets from issue #13.
BUDGET_WARM_BUILD_SHARE = 0.15  # a build with nothing changed: at most this share of a cold build
BUDGET_PARALLEL_SPEEDUP = 1.5  # cold engine run, -j2 against -j1
BUDGET_UNIT_COST_S = 0.100  # fixed cost of a unit (fork and jail) on a block that imports torch
BUDGET_SCALE_WARM_GROWTH = 2.0  # warm time, 10x the pages against 1x


def _run(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"failed ({done.returncode}): {' '.join(cmd)}\n{done.stderr[-4000:]}")
    return elapsed, done.stderr


def engine(copy: Path, env: dict[str, str], *args: str) -> tuple[float, int, list[str]]:
    """(wall seconds, units executed, their names) of `python -m kbtools.run ARGS` in the copy."""
    wall, stderr = _run([PYTHON, "-m", "kbtools.run", *args], copy, env)
    found = _SUMMARY.findall(stderr)
    if not found:
        sys.exit(f"no engine summary in:\n{stderr[-2000:]}")
    _, executed, names, _ = found[-1]
    return wall, int(executed), [n for n in names.split(", ") if n]


def build(copy: Path, env: dict[str, str], site: Path, strict: bool = True) -> tuple[float, int]:
    """(wall seconds, units the build had to execute first)."""
    wall, stderr = _run([PYTHON, "-m", "mkdocs", "build", *(["--strict"] if strict else []),
                         "--site-dir", str(site)], copy, env)
    ran = re.findall(r"\[kb\] ran (\d+) units", stderr)
    return wall, int(ran[-1]) if ran else 0


def _store(copy: Path) -> Path:
    return copy / ".cache" / "kb-store"


def exercise_share(copy: Path) -> tuple[int, int, float, float]:
    """(exercise units, all units, their summed run time, everything's) from the copy's store after a cold build:
    exercise notebooks and checkers, and every block below a page's `## 연습 문제` heading."""
    starts = {}
    for page in (copy / "docs").rglob("*.md"):
        lines = page.read_text(encoding="utf-8").split("\n")
        heading = next((n for n, line in enumerate(lines, 1) if line.strip() == "## 연습 문제"), None)
        if heading:
            starts[page.relative_to(copy).as_posix()] = heading
    store = Store(_store(copy))
    results = [store.get(key) for key in store.stored_keys()]

    def is_exercise(unit_id: str) -> bool:
        path, _, line = unit_id.partition(":")
        return "exercises/" in path or (path in starts and line.isdigit() and int(line) > starts[path])

    exercise = [r["duration_s"] for r in results if is_exercise(r["id"])]
    return len(exercise), len(results), sum(exercise), sum(r["duration_s"] for r in results)


def unit_cost(copy: Path, env: dict[str, str], tmp: Path) -> dict[str, float]:
    """Fixed cost per unit: TRIVIAL_BLOCKS blocks that import torch and print, one at a time (-j1)."""
    docs = tmp / "trivial" / "docs"
    docs.mkdir(parents=True)
    blocks = "".join(f"```python\nimport torch\nprint(torch.__version__, {i})\n```\n\n" for i in range(TRIVIAL_BLOCKS))
    (docs / "index.md").write_text("# trivial\n\n" + blocks, encoding="utf-8")
    one = tmp / "trivial-one" / "docs"
    one.mkdir(parents=True)
    (one / "index.md").write_text("# one\n\n```python\nimport torch\nprint(torch.__version__)\n```\n", encoding="utf-8")
    many_wall, _, _ = engine(copy, env, "-j1", "--docs", str(docs), "--store", str(tmp / "trivial-store"))
    one_wall, _, _ = engine(copy, env, "-j1", "--docs", str(one), "--store", str(tmp / "trivial-one-store"))
    trivial = Store(tmp / "trivial-store")
    durations = [trivial.get(key)["duration_s"] for key in trivial.stored_keys()]
    return {
        "marginal wall per unit (s)": (many_wall - one_wall) / (TRIVIAL_BLOCKS - 1),
        "fork to exit per unit, median (s)": sorted(durations)[len(durations) // 2],
        "worker start and one unit (s)": one_wall,
    }


def changed_function(copy: Path, env: dict[str, str]) -> tuple[int, list[str]]:
    """Units re-executed after one function in CHANGED_FILE changes (the store warm before)."""
    engine(copy, env)  # warm
    path = copy / CHANGED_FILE
    text = path.read_text(encoding="utf-8")
    at = text.index("\n", text.index("\ndef ") + 1)  # the first function's signature line
    path.write_text(text[: at + 1] + "    # changed by the benchmark\n" + text[at + 1 :], encoding="utf-8")
    try:
        _, executed, names = engine(copy, env)
    finally:
        path.write_text(text, encoding="utf-8")
    return executed, names


def scaled_copy(copy: Path, target: Path, scale: int) -> Path:
    """A copy whose docs/ holds `scale` times the pages: docs/scale<i>/ are copies of the whole docs tree whose
    code blocks differ by a comment (so they are new units, not store hits). Generated, never committed."""
    shutil.copytree(copy, target, symlinks=True, ignore=shutil.ignore_patterns(".cache", "site"))
    docs = target / "docs"
    originals = [p for p in docs.rglob("*") if p.is_file()]
    for i in range(2, scale + 1):
        for page in originals:
            out = docs / f"scale{i}" / page.relative_to(docs)
            out.parent.mkdir(parents=True, exist_ok=True)
            if page.suffix == ".md":
                text = re.sub(r"^(\s*)(```|~~~)(python|bash)([^\n]*)\n", rf"\g<0>\g<1># copy {i}\n",
                              page.read_text(encoding="utf-8"), flags=re.M)
                out.write_text(text, encoding="utf-8")
            elif page.suffix == ".ipynb":
                nb = json.loads(page.read_text(encoding="utf-8"))
                for cell in nb["cells"]:
                    if cell["cell_type"] == "code":
                        cell["source"] = [f"# copy {i}\n", *cell["source"]]
                out.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
            else:
                shutil.copy2(page, out)
    return target


def scale_figures(copy: Path, env: dict[str, str], tmp: Path, scale: int) -> dict[str, float]:
    """Cold and warm engine runs and builds at 1x and `scale`x the pages (builds not strict: the copies are not
    in nav)."""
    figures = {}
    for factor in (1, scale):
        site = copy if factor == 1 else scaled_copy(copy, tmp / f"scale{factor}", factor)
        shutil.rmtree(_store(site), ignore_errors=True)
        figures[f"{factor}x cold engine (s)"] = engine(site, env)[0]
        figures[f"{factor}x warm engine (s)"] = engine(site, env)[0]
        figures[f"{factor}x warm build (s)"] = build(site, env, tmp / f"scale-site-{factor}", strict=False)[0]
    return figures


def measure(copy: Path, env: dict[str, str], tmp: Path, scale: int) -> tuple[dict[str, float], list[str], list[str]]:
    """(figures, Markdown lines for BENCHMARKS.md, budget problems)."""
    figures: dict[str, float] = {}
    problems: list[str] = []
    shutil.rmtree(_store(copy), ignore_errors=True)
    figures["cold build, empty store (s)"], cold_units = build(copy, env, tmp / "engine-cold")
    exercises, units, exercise_s, total_s = exercise_share(copy)
    figures["build, nothing changed (s)"], warm_units = build(copy, env, tmp / "engine-warm")
    share = figures["build, nothing changed (s)"] / figures["cold build, empty store (s)"]
    print(f"engine: cold build {figures['cold build, empty store (s)']:.1f} s ({cold_units} units run), "
          f"nothing changed {figures['build, nothing changed (s)']:.1f} s ({warm_units} run)", flush=True)
    j1 = engine(copy, env, "-j1", "--no-cache", "--store", str(tmp / "store-j1"))[0]
    j2 = engine(copy, env, "-j2", "--no-cache", "--store", str(tmp / "store-j2"))[0]
    figures["cold engine -j1 (s)"], figures["cold engine -j2 (s)"] = j1, j2
    print(f"engine: cold -j1 {j1:.1f} s, -j2 {j2:.1f} s", flush=True)
    figures.update(unit_cost(copy, env, tmp))
    changed, names = changed_function(copy, env)
    print(f"engine: one function changed in {CHANGED_FILE}: {changed} units re-executed {names}", flush=True)
    if scale > 1:
        figures.update(scale_figures(copy, env, tmp, scale))
    cost = figures["fork to exit per unit, median (s)"]
    checks = [
        (warm_units == 0, f"a build with nothing changed executed {warm_units} units"),
        (share <= BUDGET_WARM_BUILD_SHARE, f"nothing-changed build is {share:.0%} of a cold build "
                                           f"(budget {BUDGET_WARM_BUILD_SHARE:.0%})"),
        (j1 / j2 >= BUDGET_PARALLEL_SPEEDUP,
         f"-j2 is {j1 / j2:.2f}x faster than -j1 (budget {BUDGET_PARALLEL_SPEEDUP}x)"),
        (cost <= BUDGET_UNIT_COST_S,
         f"fixed cost per unit {cost * 1000:.0f} ms (budget {BUDGET_UNIT_COST_S * 1000:.0f})"),
    ]
    if scale > 1:
        growth = figures[f"{scale}x warm engine (s)"] / figures["1x warm engine (s)"]
        checks.append((growth < BUDGET_SCALE_WARM_GROWTH, f"warm engine grows {growth:.1f}x from 1x to {scale}x"))
    problems += [message for ok, message in checks if not ok]
    lines = [
        "## Execution engine (`python -m kbtools.run`, kbtools/engine.py)",
        "",
        "| What | Figure | Budget |",
        "| --- | --- | --- |",
        f"| cold build, empty store | {figures['cold build, empty store (s)']:.1f} s ({cold_units} units run) | |",
        f"| build, nothing changed | {figures['build, nothing changed (s)']:.1f} s ({warm_units} units run; "
        f"{share:.0%} of cold) | 0 units, <= {BUDGET_WARM_BUILD_SHARE:.0%} |",
        f"| cold engine run, -j1 / -j2 | {j1:.1f} s / {j2:.1f} s ({j1 / j2:.2f}x) | >= {BUDGET_PARALLEL_SPEEDUP}x |",
        f"| fixed cost per unit (fork from the warm server, jail; block imports torch), median | "
        f"{cost * 1000:.0f} ms (marginal wall {figures['marginal wall per unit (s)'] * 1000:.0f} ms over "
        f"{TRIVIAL_BLOCKS} blocks; worker start with one unit {figures['worker start and one unit (s)']:.1f} s) | "
        f"<= {BUDGET_UNIT_COST_S * 1000:.0f} ms |",
        f"| exercises (#16): units and run time in the cold build | {exercises} of {units} units, {exercise_s:.1f} s "
        f"of {total_s:.1f} s summed over all units | |",
        f"| one function changed in `{CHANGED_FILE}` | {changed} units re-executed: {', '.join(names)} "
        "| only its importers |",
    ]
    if scale > 1:
        for kind in ("cold engine", "warm engine", "warm build"):
            lines.append(f"| {kind}, 1x / {scale}x pages | {figures[f'1x {kind} (s)']:.1f} s / "
                         f"{figures[f'{scale}x {kind} (s)']:.1f} s | |")
    lines += [
        "",
        "torch is imported once per worker (one per parallel slot), which forks a jailed child per unit; the fixed "
        "cost above is what a unit pays on top of its own code.",
        "",
    ]
    return figures, lines, problems

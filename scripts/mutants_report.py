"""Scores of a `mutmut run` (mutants/), per file and per folder, written to BENCHMARKS.md's `## Mutation testing`.

`make mutants` runs this after mutmut. It reads mutmut's verdicts (mutants/snippets/**/*.py.meta), sets aside the
survivors that tests/mutants.md lists as equivalent (each with its reason), writes the section (replacing the old
one, leaving every other section as it is) and a copy of it to mutants/report.md, and exits 1 when a survivor is
not listed, a listed mutant no longer survives (the list is stale), or a folder in TARGETS scores under 90 %.

Score = killed / (total - equivalent). Killed counts every mutant a test caught: a failing test, a timeout, a
crash. A survivor is a mutant no test caught, including one that no test runs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT / "BENCHMARKS.md"
EQUIVALENT_LIST = ROOT / "tests" / "mutants.md"
SECTION = "## Mutation testing"
TARGETS = {"snippets/rnn/": 90.0, "snippets/transformer/": 90.0}
# mutmut 3's exit codes (mutmut/stats.py, status_by_exit_code), folded into the two outcomes that matter here
KILLED = {
    1: "killed",
    3: "killed",
    36: "timeout",
    24: "timeout",
    -24: "timeout",
    152: "timeout",
    255: "timeout",
    -11: "crash",
    -9: "crash",
    37: "type check",
}
SURVIVED = {0: "survived", 5: "no tests", 33: "no tests"}


def read_verdicts(mutants: Path) -> dict[str, dict[str, int | None]]:
    """{source file: {mutant name: exit code}} from mutmut's .meta files."""
    verdicts = {}
    for meta in sorted((mutants / "snippets").rglob("*.py.meta")):
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        if codes:
            verdicts[meta.relative_to(mutants).as_posix().removesuffix(".meta")] = codes
    return verdicts


def read_equivalents(path: Path) -> dict[str, str]:
    """{mutant name: reason} from the table rows "| `snippets.x.y.x_f__mutmut_N` | reason |" of tests/mutants.md."""
    rows = re.findall(r"^\| `(snippets\.[^`]+__mutmut_\d+)` \| (.+?) \|$", path.read_text(encoding="utf-8"), re.M)
    return dict(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mutants", type=Path, default=ROOT / "mutants", help="mutmut's output folder")
    parser.add_argument("--seconds", type=float, help="wall time of the mutmut run, recorded in the section")
    parser.add_argument("--command", default="make mutants", help="the command that ran, recorded in the section")
    args = parser.parse_args()

    verdicts = read_verdicts(args.mutants)
    if not verdicts:
        sys.exit(f"no mutmut results under {args.mutants}: run `make mutants`")
    equivalents = read_equivalents(EQUIVALENT_LIST)
    problems: list[str] = []
    rows, folders = [], {}
    all_names: set[str] = set()
    for path, codes in verdicts.items():
        count = Counter()
        for name, code in codes.items():
            all_names.add(name)
            if code is None:
                count["not run"] += 1
                problems.append(f"{name}: not run (the mutmut run did not finish)")
            elif code in KILLED:
                count["killed"] += 1
                if name in equivalents:
                    problems.append(f"{name}: listed as equivalent in tests/mutants.md, but a test kills it")
            elif code in SURVIVED and name in equivalents:
                count["equivalent"] += 1
            else:
                count["survived"] += 1
                status = SURVIVED.get(code, f"exit code {code}")
                problems.append(f"{name}: {status}, not listed in tests/mutants.md (`mutmut show {name}`)")
        count["total"] = len(codes)
        rows.append((path, count))
        folder = path.rsplit("/", 1)[0] + "/"
        folders.setdefault(folder, Counter()).update(count)
    problems += [f"{name}: listed in tests/mutants.md, but no such mutant" for name in equivalents.keys() - all_names]

    def score(count: Counter) -> float:
        judged = count["total"] - count["equivalent"]
        return 100.0 * count["killed"] / judged if judged else 100.0

    for folder, floor in TARGETS.items():
        if folder in folders and score(folders[folder]) < floor:
            problems.append(f"{folder}: {score(folders[folder]):.1f} % killed, under the target of {floor:.0f} %")

    def line(name: str, count: Counter) -> str:
        return (
            f"| {name} | {count['total']} | {count['killed']} | {count['survived']} | {count['equivalent']} | "
            f"{score(count):.1f} % |"
        )

    seconds = f"{args.seconds / 60:.1f} min ({args.seconds:.0f} s)" if args.seconds is not None else "not measured"
    section = [
        SECTION,
        "",
        f"Written by `{args.command}` (mutmut, `scripts/mutants_report.py`); configuration in pyproject.toml "
        "`[tool.mutmut]`. Score = killed / (total - equivalent); a timeout or crash counts as killed; the "
        "equivalent survivors, each with its reason, and the code excluded from mutation are listed in "
        "[tests/mutants.md](tests/mutants.md).",
        "",
        f"Machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}. "
        f"Wall time of the run: {seconds}.",
        "",
        "| File | Mutants | Killed | Survived | Equivalent | Score |",
        "| --- | --- | --- | --- | --- | --- |",
        *(
            line(f"`{folder}` (target {TARGETS[folder]:.0f} %)" if folder in TARGETS else f"`{folder}`", count)
            for folder, count in sorted(folders.items())
        ),
        *(line(f"`{path}`", count) for path, count in rows),
        "",
        *(["Problems:", "", *(f"- {problem}" for problem in problems)] if problems else ["Problems: none."]),
    ]
    text = "\n".join(section) + "\n"
    (args.mutants / "report.md").write_text(text, encoding="utf-8")
    BENCHMARKS.write_text(replace_section(BENCHMARKS.read_text(encoding="utf-8"), text), encoding="utf-8")
    print(text)
    if problems:
        sys.exit(1)


def replace_section(document: str, section: str) -> str:
    """The document with its `## Mutation testing` section (up to the next `## ` heading) replaced by section, or
    section appended when there is none."""
    before, found, rest = document.partition(SECTION + "\n")
    if not found:
        return document.rstrip("\n") + "\n\n" + section
    after = re.search(r"^## ", rest, re.M)
    return before + section + ("\n" + rest[after.start() :] if after else "")


if __name__ == "__main__":
    main()

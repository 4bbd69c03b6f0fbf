"""The build is reproducible: a second, independent build gives the same bytes in every file."""

from __future__ import annotations

import contextlib
import difflib
import re
import shutil
import subprocess
import sys

import pytest
from conftest import ROOT, build_env

# Not copied: environments, outputs and caches (so notebooks execute again, as in a fresh CI checkout).
IGNORED = shutil.ignore_patterns(
    ".venv", "site", ".cache", "node_modules", "__pycache__", ".pytest_cache", ".ruff_cache", "*.egg-info", "build",
    "mutants",  # `make mutants`' working copy
)


def _first_difference(a: bytes, b: bytes) -> str:
    try:
        lines = difflib.unified_diff(a.decode().splitlines(), b.decode().splitlines(), lineterm="", n=1)
        return "\n".join(line[:300] for line in list(lines)[:12])
    except UnicodeDecodeError:
        at = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
        return f"binary: {len(a)} vs {len(b)} bytes, first difference at byte {at}"


# The build report records this build's run (durations, store or run): it marks those values, and only them.
VARIES = re.compile(rb'<span class="kb-varies">.*?</span>')


def _comparable(path) -> bytes:
    return VARIES.sub(b"<span class=\"kb-varies\"></span>", path.read_bytes())


def _differing(first, second) -> list:
    """Files present in both trees whose bytes differ (the build report's marked values set aside)."""
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    return [f for f in files if (second / f).is_file() and _comparable(first / f) != _comparable(second / f)]


@pytest.mark.parametrize(("seed", "reproducible"), [("random.seed(0)", True), ("", False)], ids=["seeded", "unseeded"])
def test_output_that_differs_between_builds_is_caught(tmp_path, seed, reproducible):
    """Asserts that the comparison names the page when a block prints an unseeded random number, and passes
    the same page once the block is seeded (so the check fails for the right reason). Each build has its own
    store: one shared store would hand the second build the first one's number."""
    from conftest import build_mini

    page = f'# t\n\n```python exec="on"\nimport random\n{seed}\nprint(random.random())\n```\n'
    for name in ("one", "two"):
        done = build_mini(tmp_path / name, {"index.md": page}, KB_STORE=str(tmp_path / name / "store"))
        assert done.returncode == 0, done.stderr
    differing = [str(f) for f in _differing(tmp_path / "one/site", tmp_path / "two/site")]
    assert ("index.html" not in differing) == reproducible, differing


# Another CPU, as far as this one can play it: MKL and ATen take their baseline code paths instead of AVX-512.
OTHER_CPU = {"MKL_CBWR": "COMPATIBLE", "ATEN_CPU_CAPABILITY": "default"}


@contextlib.contextmanager
def busy_cpu():
    """Keep one core spinning while the block runs, so the build's processes wait for the CPU and every duration
    grows: timing must not reach the pages. (`make test` runs other tests beside this one too.)"""
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        yield
    finally:
        spinner.kill()
        spinner.wait()


def test_second_build_elsewhere_is_byte_identical(built_site, tmp_path):
    """Asserts that building again from a copy of the repository in another folder, with an empty store (every
    block and notebook executes again), on the baseline CPU code paths and with a core kept busy, gives
    exactly the same files with exactly the same bytes as the first build."""
    copy = tmp_path / "repo"
    shutil.copytree(ROOT, copy, ignore=IGNORED, symlinks=True)
    second = tmp_path / "site"
    with busy_cpu():
        done = subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(second)],
            cwd=copy,
            env={**build_env(), **OTHER_CPU},
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
    if done.returncode != 0:
        pytest.fail(f"second build failed:\n{done.stderr[-6000:]}", pytrace=False)
    assert "[kb] ran" in done.stderr and "from the store" in done.stderr, "the second build must execute afresh"
    first_files = {p.relative_to(built_site) for p in built_site.rglob("*") if p.is_file()}
    second_files = {p.relative_to(second) for p in second.rglob("*") if p.is_file()}
    assert first_files == second_files, (
        f"only in the first: {sorted(map(str, first_files - second_files))[:20]}; "
        f"only in the second: {sorted(map(str, second_files - first_files))[:20]}"
    )
    differing = _differing(built_site, second)
    report = "\n\n".join(
        f"{f}:\n{_first_difference((built_site / f).read_bytes(), (second / f).read_bytes())}" for f in differing[:5]
    )
    assert not differing, f"{len(differing)} files differ: {[str(f) for f in differing]}\n{report}"

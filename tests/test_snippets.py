"""Every snippet module runs on its own as `__main__`, as a reader would run it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from kbtools.blocks import ROOT

MODULES = sorted(
    path.relative_to(ROOT).with_suffix("").as_posix().replace("/", ".")
    for path in (ROOT / "snippets").rglob("*.py")
    if path.name != "__init__.py"
)


@pytest.mark.parametrize("module", MODULES)
def test_snippet_runs_as_main(module, tmp_path):
    """Asserts that `python -m <snippet>` exits 0 from an unrelated folder, within two minutes."""
    done = subprocess.run(
        [sys.executable, "-m", module], cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, f"{module} failed:\n{done.stderr[-3000:]}"
    assert done.stdout.strip(), f"{module} printed nothing: its __main__ should show what it checks"

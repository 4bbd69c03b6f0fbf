"""The numeric parity tests and the snippets also pass on another CPU code path than this machine's.

Which kernels torch picks (AVX-512, AVX2 or plain C++; MKL's per-CPU code) changes the last bits of float results.
MKL_CBWR=COMPATIBLE and ATEN_CPU_CAPABILITY=default force the portable ones, as an older or other CPU would run,
so a comparison that only holds bit for bit on this machine's kernels fails here.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import ROOT

OTHER_CPU = {"MKL_CBWR": "COMPATIBLE", "ATEN_CPU_CAPABILITY": "default"}
PARITY_TESTS = ["tests/test_rnn.py", "tests/test_transformer.py", "tests/test_training.py"]
SNIPPETS = sorted(
    path.relative_to(ROOT).with_suffix("").as_posix().replace("/", ".")
    for path in (ROOT / "snippets").rglob("*.py")
    if path.name != "__init__.py"
)


def on_other_cpu(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=ROOT, env={**os.environ, **OTHER_CPU},
                          capture_output=True, text=True, timeout=600, check=False)


def test_the_switch_takes_effect():
    """Asserts that torch really runs its baseline kernels under the environment the other tests use."""
    done = on_other_cpu("-c", "import torch; print(torch.backends.cpu.get_cpu_capability())")
    assert done.stdout.strip() == "DEFAULT", done.stdout + done.stderr


def test_parity_tests_pass_on_baseline_kernels():
    """Asserts that test_rnn, test_transformer and test_training pass with MKL_CBWR=COMPATIBLE, ATEN default."""
    done = on_other_cpu("-m", "pytest", "-q", "-p", "no:cacheprovider", *PARITY_TESTS)
    assert done.returncode == 0, done.stdout[-4000:]


@pytest.mark.parametrize("module", SNIPPETS)
def test_snippet_runs_on_baseline_kernels(module):
    """Asserts that `python -m <snippet>` (whose checks are asserts) exits 0 on the baseline kernels."""
    done = on_other_cpu("-m", module)
    assert done.returncode == 0, done.stderr[-3000:]

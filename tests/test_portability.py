"""The numeric parity tests and the snippets also pass on another CPU code path than this machine's.

Which kernels torch picks (AVX-512, AVX2 or plain C++; MKL's per-CPU code) changes the last bits of float results.
MKL_CBWR=COMPATIBLE and ATEN_CPU_CAPABILITY=default force the portable ones, as an older or other CPU would run,
so a comparison that only holds bit for bit on this machine's kernels fails here.
"""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import ROOT

OTHER_CPU = {"MKL_CBWR": "COMPATIBLE", "ATEN_CPU_CAPABILITY": "default"}
PARITY_TESTS = ["tests/test_rnn.py", "tests/test_transformer.py", "tests/test_training.py"]


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


def test_snippets_pass_and_print_the_same_on_baseline_kernels(tmp_path, monkeypatch, unit_results):
    """Asserts that every snippet module, run by the engine on the baseline kernels, passes and prints exactly
    what it printed on this machine's kernels: what a reader sees does not depend on the CPU."""
    from kbtools.engine import Engine
    from kbtools.store import Store
    from kbtools.units import module_units

    for name, value in OTHER_CPU.items():
        monkeypatch.setenv(name, value)
    units = module_units()
    results = Engine(Store(tmp_path / "store"), out=None).results(units)
    for unit in units:
        assert results[unit.id]["ok"], results[unit.id]["report"]
        assert results[unit.id]["provenance"]["capability"] == "DEFAULT"
        assert results[unit.id]["outputs"] == unit_results[unit.id]["outputs"], unit.id

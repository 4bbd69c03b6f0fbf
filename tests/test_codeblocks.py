"""Every fenced block under docs/ whose language could be code runs, and succeeds."""

from __future__ import annotations

import pytest

from kbtools.blocks import collect_programs, run_program

PROGRAMS = collect_programs()


@pytest.mark.parametrize("program", PROGRAMS, ids=[p.location for p in PROGRAMS])
def test_block_runs(program):
    """Asserts that the block (or its markdown-exec session) exits as expected, in time, with no network."""
    outcome = run_program(program)
    if not outcome.ok:
        pytest.fail(outcome.report, pytrace=False)

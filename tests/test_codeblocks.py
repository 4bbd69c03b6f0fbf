"""Every unit of the site passes: each code fence (or session) on every page, each notebook, each snippet module.

The engine runs them all once (the `unit_results` fixture, in parallel, from the store when nothing changed);
each unit is its own test, so a failure reads `docs/<page>.md:<line>`.
"""

from __future__ import annotations

import pytest

from kbtools.settings import DOCS
from kbtools.units import site_units

UNITS = site_units(DOCS)


@pytest.mark.parametrize("unit", UNITS, ids=[u.id for u in UNITS])
def test_unit_passes(unit, unit_results):
    """Asserts that the unit exited as expected, in time, in the jail; a snippet module must also print what it
    checks (a reader who runs `python -m snippets.x.y` sees the result)."""
    result = unit_results[unit.id]
    if not result["ok"]:
        pytest.fail(result["report"], pytrace=False)
    if unit.kind == "module":
        assert result["outputs"][0].strip(), f"{unit.id} printed nothing: its __main__ should show what it checks"

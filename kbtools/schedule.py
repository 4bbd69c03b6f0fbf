"""The order units start in: longest first, so that the longest unit does not start last and hold up the run.

How long a unit takes is known only once it has run. The store keeps each unit's last duration by its id (page and
line, or path) in `durations.json` beside the entries: the key changes with every edit, the id mostly does not.
A unit never seen before is estimated from its shape. The order cannot change a result (each unit runs alone, in
its own folder), so this module is not among the files every key hashes (kbtools/keys.py ENGINE_FILES).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from kbtools.store import write_atomically
from kbtools.units import Unit

HINTS = "durations.json"
NOTEBOOK_CELL_S = 2.0  # a guess for a notebook never run here: its code cells, two seconds each
BLOCK_S = 0.2  # and for a block, or each block of a session


def code_cells(unit: Unit) -> int:
    return sum(cell.get("cell_type") == "code" for cell in json.loads(unit.source).get("cells", []))


def estimate(unit: Unit, hints: dict[str, float]) -> float:
    if unit.id in hints:
        return hints[unit.id]
    if unit.kind == "notebook":
        return NOTEBOOK_CELL_S * code_cells(unit)
    return BLOCK_S * max(1, len(unit.fences))


def order(units: Iterable[Unit], hints: dict[str, float]) -> list[Unit]:
    """Longest expected first; ties by id, so the order is the same on every run."""
    return sorted(units, key=lambda unit: (-estimate(unit, hints), unit.id))


def load(store_root: Path) -> dict[str, float]:
    """The last duration of each unit id; empty when there is no readable file (hints are never worth a failure)."""
    try:
        hints = json.loads((Path(store_root) / HINTS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(hints, dict):
        return {}
    return {unit_id: float(seconds) for unit_id, seconds in hints.items() if isinstance(seconds, int | float)}


def save(store_root: Path, results: Iterable[dict]) -> None:
    """Record these results' durations, keeping the others; written whole and atomically, so two engines at once
    leave one of their files, never a mix."""
    hints = load(store_root)
    hints.update({result["id"]: round(result["duration_s"], 3) for result in results})
    root = Path(store_root)
    root.mkdir(parents=True, exist_ok=True)
    write_atomically(root / HINTS, json.dumps(hints, sort_keys=True, indent=0))

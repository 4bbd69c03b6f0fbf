"""The engine starts the longest units first (kbtools/schedule.py): by each unit's last duration, else its shape."""

from __future__ import annotations

import json

from kbtools import schedule
from kbtools.units import Unit


def unit(unit_id: str, kind: str = "python", fences: int = 1, cells: int = 0) -> Unit:
    source = json.dumps({"cells": [{"cell_type": "code"}] * cells}) if kind == "notebook" else "print(1)"
    return Unit(id=unit_id, kind=kind, source=source, timeout=120, fences=[None] * fences)


def test_the_longest_known_unit_starts_first_and_unknown_ones_by_their_shape():
    units = [unit("docs/a.ipynb", "notebook", cells=3), unit("docs/b.ipynb", "notebook", cells=9),
             unit("docs/x.md:1"), unit("docs/x.md:9", fences=4), unit("docs/slow.md:5")]
    assert [u.id for u in schedule.order(units, {})] == [
        "docs/b.ipynb", "docs/a.ipynb", "docs/x.md:9", "docs/slow.md:5", "docs/x.md:1"]
    hinted = schedule.order(units, {"docs/slow.md:5": 95.0, "docs/b.ipynb": 3.0})
    assert [u.id for u in hinted][:3] == ["docs/slow.md:5", "docs/a.ipynb", "docs/b.ipynb"]


def test_durations_are_kept_by_id_across_runs_and_a_damaged_file_is_no_failure(tmp_path):
    schedule.save(tmp_path, [{"id": "docs/a.md:3", "duration_s": 1.23456}])
    schedule.save(tmp_path, [{"id": "docs/b.ipynb", "duration_s": 40.0}])
    assert schedule.load(tmp_path) == {"docs/a.md:3": 1.235, "docs/b.ipynb": 40.0}
    (tmp_path / schedule.HINTS).write_text('{"docs/a.md:3": 1.2', encoding="utf-8")
    assert schedule.load(tmp_path) == {}
    assert schedule.load(tmp_path / "absent") == {}

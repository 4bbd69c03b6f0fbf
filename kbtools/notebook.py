"""Execute a notebook as one unit (inside the worker's jailed child): every cell with its own time limit.

The kernel talks to this process over the jail's own loopback (nbclient's cell time limit does not fire over
`transport="ipc"`). After execution, what depends on timing is removed, so two runs store the same
notebook: adjacent stream outputs are merged (the kernel splits printed text where its flush timer fires) and
no timestamps are recorded.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError


def coalesce_streams(nb) -> None:
    """Merge each cell's adjacent outputs of the same stream into one, as a reader sees them."""
    for cell in nb.cells:
        merged = []
        for output in cell.get("outputs", []):
            previous = merged[-1] if merged else None
            if (output.get("output_type") == "stream" and previous is not None
                    and previous.get("output_type") == "stream" and previous["name"] == output["name"]):
                previous["text"] += output["text"]
            else:
                merged.append(output)
        if "outputs" in cell:
            cell["outputs"] = merged


def execute(source: str, target: Path, cell_timeout: int, workdir: Path) -> int:
    """Run every cell of the notebook `source` (JSON text) in `workdir`; write the executed copy to `target`.

    A failing or hanging cell is reported on stderr as `cell N: ...` (N counts all cells from 1); exit status 1.
    """
    nb = nbformat.reads(source, as_version=4)
    current = {"index": -1}
    client = NotebookClient(
        nb, kernel_name="python3", timeout=cell_timeout, allow_errors=False, record_timing=False,
        resources={"metadata": {"path": str(workdir)}},
        on_cell_start=lambda cell, cell_index: current.update(index=cell_index),
    )
    try:
        client.execute()
    except CellTimeoutError:
        sys.stderr.write(f"cell {current['index'] + 1}: timed out after {cell_timeout} s\n")
        return 1
    except CellExecutionError as error:
        sys.stderr.write(f"cell {current['index'] + 1}: {error}\n")
        return 1
    coalesce_streams(nb)
    for cell in nb.cells:
        cell.get("metadata", {}).pop("execution", None)
    target.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")
    return 0

"""The execution engine: runs the units that the store lacks, in parallel, each in the jail; stores the results.

    find units (units.py) -> key them (keys.py) -> run them in the jail (worker.py, jail.py) -> store (store.py)
    -> render (render.py, at build)

One engine for everything: `python -m kbtools.run` (the command line), the tests and the build (kbtools/hooks.py)
all call `Engine.results()`, which returns each unit's stored result and runs only what is missing.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata
from pathlib import Path
from typing import TextIO

from kbtools import jail, schedule, settings
from kbtools.keys import code_digest, one_pass, unit_key
from kbtools.progress import Progress
from kbtools.store import Store
from kbtools.units import Unit, split_outputs
from kbtools.worker import JAIL_FAILED, WORK_MOUNT

STARTUP_S = 60  # a notebook's kernel start, on top of its cells' limits


class WorkerError(Exception):
    pass


class Worker:
    """One warm fork server (kbtools/worker.py): torch imported once, one jailed child per unit."""

    def __init__(self):
        env = {**os.environ, **jail.base_env()}
        self.process = subprocess.Popen(
            [sys.executable, "-X", "utf8", "-m", "kbtools.worker"], cwd=settings.ROOT, env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8",
        )
        ready = self._read()
        self.capability = ready["capability"]
        if ready["jail"]:
            self.close()
            raise jail.JailError(ready["jail"])

    def _read(self) -> dict:
        line = self.process.stdout.readline()
        if not line:
            raise WorkerError(f"the worker stopped (exit status {self.process.wait()})")
        return json.loads(line)

    def run(self, request: dict) -> dict:
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        return self._read()

    def close(self) -> None:
        self.process.stdin.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()


_idle: dict[tuple, queue.SimpleQueue] = {}  # warm workers by environment, kept for the life of the process
_all: list[Worker] = []


def _pool_key() -> tuple:
    """Workers differ by what they inherit at start: the units' environment and the jail's switches."""
    switches = {name: os.environ.get(name, "") for name in (jail.NO_JAIL, jail.SIMULATE_REFUSAL)}
    return tuple(sorted({**jail.base_env(), **switches}.items()))


def _take_worker() -> Worker:
    idle = _idle.setdefault(_pool_key(), queue.SimpleQueue())
    try:
        return idle.get_nowait()
    except queue.Empty:
        worker = Worker()
        _all.append(worker)
        return worker


def _give_back(worker: Worker) -> None:
    _idle[_pool_key()].put(worker)


@atexit.register
def _close_workers() -> None:
    for worker in _all:
        worker.close()


def _commit() -> str:
    done = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=settings.ROOT, capture_output=True,
                          text=True, check=False)
    return done.stdout.strip() if done.returncode == 0 else ""


def shard_of(unit: Unit, count: int) -> int:
    """Which of `count` shards runs this unit (1-based): stable, by the unit's name alone."""
    return int(hashlib.sha256(unit.id.encode()).hexdigest(), 16) % count + 1


class Engine:
    def __init__(self, store: Store | None = None, jobs: int | None = None, use_store: bool = True,
                 retry_failed: bool = False, out: TextIO | None = None):
        """`out`: where progress and the summary go (None: nowhere)."""
        self.store = store or Store(settings.STORE)
        self.jobs = jobs or os.cpu_count() or 1
        self.use_store, self.retry_failed, self.out = use_store, retry_failed, out
        self.executed: list[dict] = []  # results this engine ran, in the order they finished

    def results(self, units: list[Unit], shard: tuple[int, int] | None = None) -> dict[str, dict]:
        """Each unit's result, by unit id: from the store, or run now. With a shard (k, n), only its share."""
        if shard:
            units = [u for u in units if shard_of(u, shard[1]) == shard[0]]
        with one_pass():
            codes = {u.id: code_digest(u) for u in units}
        keys = {u.id: unit_key(u, codes[u.id]) for u in units}
        results, missing = {}, []
        for unit in units:
            stored = self.store.get(keys[unit.id]) if self.use_store else None
            # A stored failure is retried on request, or when it was reported at another place (its report names
            # that place: the same code elsewhere, or the block moved down the page).
            if stored is None or (not stored["ok"] and (self.retry_failed or stored["id"] != unit.id)):
                missing.append(unit)
            else:
                results[unit.id] = {**stored, "id": unit.id}  # the same code may sit on several pages
        if missing:
            results.update(self._run_all(missing, keys, codes, cached=len(results)))
        return {u.id: results[u.id] for u in units}

    def _run_all(self, units: list[Unit], keys: dict[str, str], codes: dict[str, str],
                 cached: int) -> dict[str, dict]:
        WORK_MOUNT.mkdir(exist_ok=True)
        progress = Progress(cached + len(units), cached, self.out)
        commit = _commit()
        started = time.monotonic()

        def run(unit: Unit) -> dict:
            progress.update(started=1)
            worker = _take_worker()
            try:
                result = self._run_one(worker, unit, keys[unit.id], codes[unit.id], commit)
            finally:
                _give_back(worker)
            self.store.put(keys[unit.id], result)
            self.executed.append(result)
            progress.update(finished=1)
            return result

        # Longest first, by each unit's last duration here (or its shape): the longest must not start last.
        order = schedule.order(units, schedule.load(self.store.root))
        with ThreadPoolExecutor(max_workers=min(self.jobs, len(units))) as pool:
            done = dict(zip([u.id for u in order], pool.map(run, order), strict=True))
        schedule.save(self.store.root, done.values())
        progress.update(force=True)
        if self.out:
            self._summary(len(units), cached, time.monotonic() - started)
        return done

    def _summary(self, ran: int, cached: int, wall: float) -> None:
        slowest = sorted(self.executed, key=lambda r: -r["duration_s"])[:5]
        failed = sum(not r["ok"] for r in self.executed)
        self.out.write(f"\n[kb] ran {ran} units in {wall:.1f} s with -j{self.jobs}, {cached} from the store"
                       f"{f', {failed} FAILED' if failed else ''}; slowest: "
                       + ", ".join(f"{r['id']} {r['duration_s']:.1f} s" for r in slowest) + "\n")
        self.out.flush()

    def _run_one(self, worker: Worker, unit: Unit, key: str, code: str, commit: str) -> dict:
        workdir = Path(tempfile.mkdtemp(prefix="kb-work-"))
        out_dir = Path(tempfile.mkdtemp(prefix="kb-out-"))
        cells = schedule.code_cells(unit) if unit.kind == "notebook" else 0
        limit = unit.timeout * cells + STARTUP_S if unit.kind == "notebook" else unit.timeout
        request = {"kind": unit.kind, "source": unit.source, "timeout": limit, "cell_timeout": unit.timeout,
                   "workdir": str(workdir), "out_dir": str(out_dir), "env": jail.sandbox_env(workdir),
                   "read_only": jail.read_only_paths()}
        try:
            reply = {**worker.run(request), "limit": limit}
            stdout = _read(out_dir / "stdout")
            stderr = _read(out_dir / "stderr")
            executed = _read(out_dir / "executed.ipynb") if unit.kind == "notebook" else None
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
            shutil.rmtree(out_dir, ignore_errors=True)
        ok = not reply["timed_out"] and reply["returncode"] == unit.expected_returncode
        return {
            "id": unit.id, "kind": unit.kind, "ok": ok, "returncode": reply["returncode"],
            "outputs": split_outputs(stdout, len(unit.fences)) if unit.fences else [stdout],
            "report": "" if ok else _report(unit, reply, stdout, stderr),
            "notebook": executed, "duration_s": round(reply["duration"], 3),
            "provenance": {"key": key, "code": code, "python": sys.version.split()[0],
                           "torch": metadata.version("torch"), "capability": worker.capability, "commit": commit,
                           "jailed": jail.jailed()},
        }


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""


def _tail(text: str, lines: int = 40) -> str:
    return "\n".join(text.strip().split("\n")[-lines:])


def _report(unit: Unit, reply: dict, stdout: str, stderr: str) -> str:
    """What failed, starting with `docs/<page>.md:<line>` (or the notebook and its cell)."""
    if reply["returncode"] == JAIL_FAILED:
        return f"{unit.id}: {stderr.strip()}"
    if reply["timed_out"]:
        hint = "its process group was killed"
        if unit.fences:
            hint = 'set timeout="N" on the fence if it truly needs longer'
        what = f"{unit.kind} block" if unit.fences else unit.kind
        return f"{unit.id}: {what} timed out after {reply['limit']} s ({hint})"
    if unit.kind == "notebook":
        cell = re.search(r"^cell (\d+): (.*)", stderr, re.M | re.S)
        return f"{unit.id}: {cell.group(0).strip() if cell else _tail(stderr)}"
    where = _failing_location(unit, stderr) or unit.id
    detail = _tail(stderr) if unit.kind in {"python", "pycon", "module"} else _tail(stdout + "\n" + stderr)
    return (f"{where}: {unit.kind} block exited with {reply['returncode']} "
            f"(expected {unit.expected_returncode})\n{detail}")


def _failing_location(unit: Unit, stderr: str) -> str | None:
    """Map the line the interpreter blamed back to the page line."""
    if unit.kind in {"python", "pycon"}:
        numbers = re.findall(r'File ".*block\.txt", line (\d+)', stderr)
        return unit.line_map.get(int(numbers[-1])) if numbers else None  # innermost frame is last
    if unit.kind not in {"bash", "console"}:
        return None
    # bash: the failing block names itself; of the ERR-trap lines (innermost first), take the first that lies in
    # that block (blocks expected to fail earlier in a session leave trap lines too).
    failed = re.findall(r"^(\S+:\d+): block exited with", stderr, re.MULTILINE)
    if not failed:
        return None
    fence = next(f for f in unit.fences if f.location == failed[-1])
    inside = {f"{fence.path}:{n}" for n in range(fence.line + 1, fence.line + 2 + fence.code.count("\n"))}
    for number in re.findall(r"block\.txt: line (\d+):", stderr):
        location = unit.line_map.get(int(number))
        if location in inside:
            return location
    return fence.location

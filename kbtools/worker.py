"""A warm fork server: imports torch once, then forks one jailed child per unit.

The engine (kbtools/engine.py) starts one worker per parallel slot and sends it one request per line on stdin;
the worker answers one line on stdout. Forking a process that already imported torch costs milliseconds, where
a new interpreter pays about a second to import it again.

Each child: starts its own process group, enters the jail, runs in its own folder with the sandbox environment,
writes stdout and stderr to files (a block that leaves a process running holds no pipe open). The time limit is
hard: on expiry the whole process group is killed, and so is anything the unit left behind when it ends.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import select
import signal
import sys
import time
import traceback
from pathlib import Path

from kbtools import jail

JAIL_FAILED = 97  # exit status of a child that could not enter the jail
WORK_MOUNT = Path("/tmp/kb-unit")  # inside the jail every unit sees its folder here: printed paths stay the same


def _open(path: Path) -> int:
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)


def _child(request: dict) -> int:
    """Runs in the forked child; returns the exit status."""
    os.setsid()
    out_dir, workdir = Path(request["out_dir"]), Path(request["workdir"])
    stdout, stderr = _open(out_dir / "stdout"), _open(out_dir / "stderr")
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    os.dup2(stdout, 1)
    shell = request["kind"] in {"bash", "console"}
    os.dup2(stdout if shell else stderr, 2)  # a shell's stderr is part of what the page shows, in order
    os.dup2(stderr, 3)  # the shell's own error reports (ERR trap, wrong exit status) go here
    sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8", newline="\n")
    sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), encoding="utf-8", line_buffering=True)
    env = request["env"]
    if jail.jailed():
        try:
            jail.enter(request["read_only"])
            if WORK_MOUNT.is_dir():
                _bind(workdir, WORK_MOUNT)
                workdir = WORK_MOUNT
                env = {**env, "HOME": str(workdir), "TMPDIR": str(workdir)}
        except jail.JailError as error:
            sys.stderr.write(jail.refusal_message(str(error)) + "\n")
            return JAIL_FAILED
    os.chdir(workdir)
    os.environ.clear()
    os.environ.update(env)
    time.tzset()
    try:
        return _run(request, out_dir)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()


def _bind(source: Path, target: Path) -> None:
    libc = jail._libc()
    jail._check(libc.mount(str(source).encode(), str(target).encode(), None, jail.MS_BIND, None), "bind workdir")


def _run(request: dict, out_dir: Path) -> int:
    kind, source = request["kind"], request["source"]
    script = out_dir / "block.txt"
    if kind in {"bash", "console"}:
        script.write_text(source, encoding="utf-8")
        # -e: a failing command fails the block; the ERR trap names the line, since bash reports only the status.
        os.execv("/bin/bash", ["bash", "--noprofile", "--norc", "-c",
                               "set -Eeuo pipefail; trap 'echo \"block.txt: line $LINENO: exit status $?\" >&3' ERR; "
                               f"source {script}"])
    if kind == "notebook":
        from kbtools import notebook

        return notebook.execute(source, out_dir / "executed.ipynb", request["cell_timeout"], Path.cwd())
    try:
        if kind == "python":
            script.write_text(source, encoding="utf-8")
            sys.argv = [str(script)]
            sys.path.insert(0, str(Path.cwd()))
            code = compile(source, str(script), "exec")
            exec(code, {"__name__": "__main__", "__file__": str(script), "__builtins__": __builtins__})
        elif kind == "module":
            import runpy

            sys.argv = [source]
            sys.path.insert(0, str(Path.cwd()))
            runpy.run_module(source, run_name="__main__", alter_sys=True)
        elif kind == "pycon":
            import doctest

            script.write_text(source, encoding="utf-8")
            flags = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
            failed, _ = doctest.testfile(str(script), module_relative=False, optionflags=flags, encoding="utf-8")
            return 1 if failed else 0
        else:
            raise ValueError(f"unknown unit kind {kind!r}")
    except SystemExit as done:
        code = done.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except BaseException as error:
        frames = error.__traceback__.tb_next  # from the unit's own code on: the worker's frame says nothing
        traceback.print_exception(type(error), error, frames)
        return 1
    return 0


def _wait(pid: int, timeout: float) -> tuple[int | None, bool]:
    """(exit status, timed out). Kills the child's whole process group on expiry, and its leftovers after."""
    pidfd = os.pidfd_open(pid)
    try:
        ready, _, _ = select.select([pidfd], [], [], timeout)
    finally:
        os.close(pidfd)
    if not ready:
        os.killpg(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)  # `sleep 1000 &` left behind must not outlive its unit
    return (None, True) if not ready else (os.waitstatus_to_exitcode(status), False)


def serve() -> None:
    import torch

    ready = {"jail": jail.probe(), "capability": torch.backends.cpu.get_cpu_capability()}
    replies = sys.stdout
    replies.write(json.dumps(ready) + "\n")
    replies.flush()
    for line in sys.stdin:
        request = json.loads(line)
        started = time.monotonic()
        replies.flush()
        pid = os.fork()
        if pid == 0:
            code = JAIL_FAILED
            try:
                code = _child(request)
            finally:
                os._exit(code if 0 <= code < 256 else 1)
        status, timed_out = _wait(pid, request["timeout"])
        reply = {"returncode": status, "timed_out": timed_out, "duration": time.monotonic() - started}
        replies.write(json.dumps(reply) + "\n")
        replies.flush()


if __name__ == "__main__":
    serve()

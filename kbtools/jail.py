"""The jail every unit runs in: no network, the project and the home folder read-only, a clean environment.

`enter()` runs in a freshly forked child (kbtools/worker.py) before the unit's code: it makes new network and
mount namespaces (inside a new user namespace when not root), so the unit sees no network but its own loopback,
and cannot write into the project or the user's home. It is plain Linux through libc,
no helper program.

Where unprivileged user namespaces are refused (Ubuntu 23.10 and later restrict them with AppArmor), `probe()`
says why and what to do, once, instead of every jailed test failing on its own.
"""

from __future__ import annotations

import ctypes
import fcntl
import os
import socket
import struct
import sys
from pathlib import Path

from kbtools.settings import ROOT, SOURCE_DATE_EPOCH

CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWNET = 0x00020000, 0x10000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT, MS_NOATIME, MS_NODIRATIME, MS_BIND, MS_REC = (
    1, 2, 4, 8, 32, 1024, 2048, 4096, 16384)
MS_PRIVATE, MS_RELATIME = 1 << 18, 1 << 21
SIOCSIFFLAGS, IFF_UP, IFF_LOOPBACK, IFF_RUNNING = 0x8914, 0x1, 0x8, 0x40
# A read-only bind remount must keep the flags the kernel locked on the original mount (user namespaces).
_KEPT_FLAGS = ((os.ST_NOSUID, MS_NOSUID), (os.ST_NODEV, MS_NODEV), (os.ST_NOEXEC, MS_NOEXEC),
               (os.ST_NOATIME, MS_NOATIME), (os.ST_NODIRATIME, MS_NODIRATIME), (os.ST_RELATIME, MS_RELATIME))

# Environment passed through to units because it changes how numbers are computed (tests switch CPU code paths
# with them) or how text is decoded. They are part of every unit's key.
PASSED_THROUGH = ("MKL_CBWR", "ATEN_CPU_CAPABILITY", "LANG")
SIMULATE_REFUSAL = "KB_SIMULATE_NO_USERNS"  # tests: behave as if the kernel refused the namespaces
NO_JAIL = "KB_NO_JAIL"  # a contributor's way out where namespaces are refused (never in CI)

REFUSED = """\
The jail that runs every code block could not be made: {why}.
Code blocks run without network and with the project read-only, in new Linux namespaces (unshare(2)).
{hint}
Or run unjailed at your own risk (blocks could then reach the network and write into the project):
  KB_NO_JAIL=1 make serve      (the jail tests still fail: CI must run jailed)"""
UBUNTU_HINT = """\
On Ubuntu 23.10 and later, AppArmor refuses unprivileged user namespaces. Allow them until the next reboot:
  sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0
(the GitHub workflow does the same in a step)."""


class JailError(Exception):
    pass


def base_env() -> dict[str, str]:
    """The environment of every unit without its folder: nothing from the user's setup. Part of the key."""
    env = {k: os.environ[k] for k in PASSED_THROUGH if k in os.environ}
    env.update(
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL="/dev/null",
        PYTHONHASHSEED="0",
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONUTF8="1",
        MPLBACKEND="Agg",
        # One thread: a reduction split over more threads adds in another order, so printed numbers would
        # depend on the machine's core count. Units run in parallel with each other instead.
        OMP_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
        # Reproducible commits: same dates on every build (a page may still set its own).
        GIT_AUTHOR_DATE="2021-08-12T10:00:00+09:00",
        GIT_COMMITTER_DATE="2021-08-12T10:00:00+09:00",
        TZ="UTC",
        LC_ALL="C.UTF-8",
        SOURCE_DATE_EPOCH=os.environ.get("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH),
    )
    return env


def sandbox_env(workdir: Path) -> dict[str, str]:
    """base_env() plus what points into the unit's own folder, and PATH with this Python first."""
    return {
        **base_env(),
        "HOME": str(workdir),
        "TMPDIR": str(workdir),
        # git stops looking for a repository above the unit's folder: it never finds this project's.
        "GIT_CEILING_DIRECTORIES": str(workdir.parent),
        "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        # `python -m snippets.x` inside a unit imports this checkout's code, whatever the venv was installed from.
        "PYTHONPATH": str(ROOT),
        "VIRTUAL_ENV": os.environ.get("VIRTUAL_ENV", str(Path(sys.executable).parent.parent)),
    }


def read_only_paths() -> list[str]:
    return [str(p) for p in dict.fromkeys([ROOT, Path.home()]) if p.is_dir()]


def _libc():
    return ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        raise JailError(f"{what}: {os.strerror(ctypes.get_errno())}")


def enter(read_only: list[str]) -> None:
    """Move this (single-threaded, just forked) process into the jail. Raises JailError."""
    if os.environ.get(SIMULATE_REFUSAL):
        raise JailError("unshare(CLONE_NEWUSER): Operation not permitted (simulated by KB_SIMULATE_NO_USERNS)")
    libc = _libc()
    uid, gid = os.getuid(), os.getgid()
    if uid == 0:
        _check(libc.unshare(CLONE_NEWNS | CLONE_NEWNET), "unshare(CLONE_NEWNS|CLONE_NEWNET)")
    else:
        _check(libc.unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET), "unshare(CLONE_NEWUSER)")
        Path("/proc/self/setgroups").write_text("deny")
        Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")  # keep our own ids: files stay ours
        Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")
    _check(libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None), "mount --make-rprivate /")
    for folder in read_only:
        path = folder.encode()
        _check(libc.mount(path, path, None, MS_BIND | MS_REC, None), f"mount --bind {folder}")
        flags = MS_BIND | MS_REMOUNT | MS_RDONLY
        kept = os.statvfs(path).f_flag
        for statvfs_flag, mount_flag in _KEPT_FLAGS:
            if kept & statvfs_flag:
                flags |= mount_flag
        _check(libc.mount(None, path, None, flags, None), f"mount -o remount,ro {folder}")
    _loopback_up()


def _loopback_up() -> None:
    """Bring up the new namespace's own loopback: a notebook's kernel talks to its client over 127.0.0.1. It
    reaches nothing outside the namespace."""
    interface = struct.pack("16sH", b"lo", IFF_UP | IFF_LOOPBACK | IFF_RUNNING)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as handle:
        try:
            fcntl.ioctl(handle, SIOCSIFFLAGS, interface)
        except OSError as error:
            raise JailError(f"ip link set lo up: {error}") from error


def jailed() -> bool:
    return not os.environ.get(NO_JAIL)


def probe() -> str:
    """'' if this machine can make the jail (or KB_NO_JAIL is set), else the whole explanation of why not.

    Forks, so call it from a single-threaded process (the worker does, once, as it starts).
    """
    if not jailed():
        return ""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            enter(read_only_paths())
            os._exit(0)
        except BaseException as error:  # the child reports anything, then leaves without cleanup
            os.write(write, str(error).encode())
            os._exit(1)
    os.close(write)
    with os.fdopen(read, encoding="utf-8", errors="replace") as message:
        why = message.read()
    _, status = os.waitpid(pid, 0)
    return refusal_message(why) if os.waitstatus_to_exitcode(status) != 0 else ""


def refusal_message(why: str) -> str:
    restricted = Path("/proc/sys/kernel/apparmor_restrict_unprivileged_userns")
    ubuntu = os.environ.get(SIMULATE_REFUSAL) or (restricted.is_file() and restricted.read_text().strip() == "1")
    hint = UBUNTU_HINT if ubuntu else "Allow unprivileged user namespaces (sysctl user.max_user_namespaces > 0)."
    return REFUSED.format(why=why, hint=hint)

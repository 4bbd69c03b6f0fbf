"""scripts/system-deps.sh (the first step of `make test`) as contributors and CI meet it: it installs with apt-get
as root or with sudo, and where it cannot (no root and no sudo, Ubuntu's snap-stub chromium, a KB_CHROMIUM that
names nothing) it stops at once with one message that says what to run.

The script runs with a PATH of fakes only: `id` says who we are, `fc-list` lists the Korean font once the fake
`apt-get` has "installed" it, `sudo` exists only where a case gives it, and `apt-get` records its arguments.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts/system-deps.sh"
BASH = shutil.which("bash") or "/bin/bash"
DEBIAN = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n'
UBUNTU = 'PRETTY_NAME="Ubuntu 24.04.1 LTS"\nID=ubuntu\nID_LIKE=debian\n'
MINT = 'NAME="Linux Mint"\nID=linuxmint\nID_LIKE="ubuntu debian"\n'
PLAYWRIGHT_LINE = (
    "export KB_CHROMIUM=\"$(.venv/bin/python -c 'from playwright.sync_api import sync_playwright; "
    "print(sync_playwright().start().chromium.executable_path)')\""
)


def run_script(tmp_path: Path, *, uid: int, sudo: bool, os_release: str, chromium: str, font: bool):
    """Runs system-deps.sh as user `uid`; returns (exit code, stdout, stderr, apt-get calls)."""
    fake = tmp_path / "bin"
    fake.mkdir()
    log, marker = tmp_path / "apt.log", tmp_path / "font-installed"
    if font:
        marker.touch()
    scripts = {
        "id": f'#!/bin/sh\n[ "$1" = -u ] && echo {uid}\n',
        "fc-list": f'#!/bin/sh\necho "DejaVu Sans"\n[ -e {marker} ] && echo "Noto Sans CJK KR"\nexit 0\n',
        # records each call; "installs" the font when asked for fonts-noto-cjk
        "apt-get": f'#!/bin/sh\necho "$SUDO_USED$*" >> {log}\n'
        f'for p in "$@"; do [ "$p" = fonts-noto-cjk ] && : > {marker}; done\nexit 0\n',
    }
    if sudo:
        scripts["sudo"] = '#!/bin/sh\nSUDO_USED="sudo " exec "$@"\n'
    for name, text in scripts.items():
        (fake / name).write_text(text)
        (fake / name).chmod(0o755)
    release = tmp_path / "os-release"
    release.write_text(os_release)
    env = {"PATH": str(fake), "HOME": str(tmp_path), "KB_OS_RELEASE": str(release), "LANG": "C.UTF-8"}
    if chromium:
        env["KB_CHROMIUM"] = chromium
    done = subprocess.run(
        [BASH, str(SCRIPT)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    calls = log.read_text().splitlines() if log.exists() else []
    return done.returncode, done.stdout, done.stderr, calls


def assert_one_message(code: int, out: str, err: str, calls: list[str]) -> None:
    assert code == 1, (code, out, err)
    assert out == "" and calls == [], (out, calls)
    assert err.count("system-deps:") == 1 and "installing" not in err, err
    assert err.startswith("system-deps: make test stops here: the browser tests need "), err


def test_non_root_without_sudo_stops_with_one_message_naming_packages_and_commands(tmp_path):
    """Asserts that a contributor who is not root and has no sudo, on Debian, with neither a Chromium nor the
    Korean font, gets one message on stderr naming the Debian packages and the command to install them as root,
    the Ubuntu way (Chrome or Playwright's Chromium through KB_CHROMIUM) and a font without root; nothing runs."""
    code, out, err, calls = run_script(
        tmp_path, uid=1000, sudo=False, os_release=DEBIAN, chromium="/nonexistent", font=False
    )
    assert_one_message(code, out, err, calls)
    lines = [line.strip() for line in err.splitlines()]
    assert 'need a Chromium at /nonexistent and the Korean font "Noto Sans CJK KR".' in lines[0], lines[0]
    assert "You are not root and there is no sudo, so make test cannot install anything." in lines
    assert "KB_CHROMIUM=/nonexistent is not an executable file" in err
    assert "su -c 'apt-get install chromium fonts-noto-cjk'" in lines
    assert "On Ubuntu, apt's chromium is a snap stub that the tests cannot drive." in err
    assert "export KB_CHROMIUM=/opt/google/chrome/chrome" in lines
    assert ".venv/bin/python -m playwright install chromium" in lines
    assert PLAYWRIGHT_LINE in lines
    assert "~/.local/share/fonts" in err


def test_non_root_without_sudo_missing_only_the_font_is_told_only_about_the_font(tmp_path):
    """Asserts that when only the font is missing the message names fonts-noto-cjk alone, not Chromium."""
    code, out, err, calls = run_script(
        tmp_path, uid=1000, sudo=False, os_release=DEBIAN, chromium=sys.executable, font=False
    )
    assert_one_message(code, out, err, calls)
    assert "su -c 'apt-get install fonts-noto-cjk'" in [line.strip() for line in err.splitlines()]
    assert "chromium" not in err.lower().replace("kb_chromium", ""), err


def test_playwright_line_in_the_message_prints_playwrights_chromium_path():
    """Asserts that the Python in the message's KB_CHROMIUM line runs and prints a path to a chrome executable."""
    code = PLAYWRIGHT_LINE.split("-c '")[1].split("')")[0]
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0 and done.stdout.strip().endswith("/chrome"), done.stdout + done.stderr


@pytest.mark.parametrize("os_release", [DEBIAN, UBUNTU], ids=["debian", "ubuntu"])
def test_sudo_installs_the_font_with_apt_get(tmp_path, os_release):
    """Asserts that a non-root user with sudo (CI's runner; Ubuntu too) whose Chromium is there gets the missing
    font installed through sudo apt-get, and the script succeeds."""
    code, out, err, calls = run_script(
        tmp_path, uid=1001, sudo=True, os_release=os_release, chromium=sys.executable, font=False
    )
    assert code == 0, err
    assert "system-deps: installing fonts-noto-cjk with apt-get" in out
    assert calls == ["sudo update -qq", "sudo install -y -qq --no-install-recommends fonts-noto-cjk fontconfig"]


def test_root_installs_without_sudo(tmp_path):
    """Asserts that root runs apt-get itself (no sudo on PATH) and succeeds."""
    code, out, err, calls = run_script(
        tmp_path, uid=0, sudo=False, os_release=DEBIAN, chromium=sys.executable, font=False
    )
    assert code == 0, err
    assert out == "system-deps: installing fonts-noto-cjk with apt-get\n", out
    assert calls == ["update -qq", "install -y -qq --no-install-recommends fonts-noto-cjk fontconfig"]



def test_ubuntu_with_a_kb_chromium_that_names_nothing_installs_nothing(tmp_path):
    """Asserts that on Ubuntu with sudo, a KB_CHROMIUM naming no executable stops before apt-get, the message
    offers only fonts-noto-cjk from apt and does not suggest Debian's chromium."""
    code, out, err, calls = run_script(
        tmp_path, uid=1000, sudo=True, os_release=UBUNTU, chromium="/nonexistent", font=False
    )
    assert_one_message(code, out, err, calls)
    lines = [line.strip() for line in err.splitlines()]
    assert "KB_CHROMIUM=/nonexistent is not an executable file: point it at Chrome or Chromium." in lines
    assert "sudo apt-get install fonts-noto-cjk" in lines
    assert "Debian's chromium" not in err and "install chromium" not in err.replace("playwright install chromium", "")


def test_root_with_a_kb_chromium_that_names_nothing_installs_nothing(tmp_path):
    """Asserts that a KB_CHROMIUM naming no executable stops even root: Debian's chromium would not be used."""
    code, out, err, calls = run_script(
        tmp_path, uid=0, sudo=False, os_release=DEBIAN, chromium="/nonexistent", font=True
    )
    assert_one_message(code, out, err, calls)
    assert "KB_CHROMIUM=/nonexistent is not an executable file" in err
    assert "not root" not in err


def test_nothing_missing_is_silent(tmp_path):
    """Asserts that with a Chromium and the font present the script prints nothing and runs nothing."""
    assert run_script(tmp_path, uid=1000, sudo=False, os_release=DEBIAN, chromium=sys.executable, font=True) == (
        0,
        "",
        "",
        [],
    )

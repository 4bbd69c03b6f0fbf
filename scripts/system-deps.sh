#!/usr/bin/env bash
# What the browser tests need from the system, installed with apt-get when it is missing and can be:
# a Chromium for Playwright to drive (`playwright install` cannot download here) and the Korean font.
# - The Chromium is $KB_CHROMIUM when set (kbtools/chromium.py reads the same variable), else Debian's
#   /usr/bin/chromium. Set KB_CHROMIUM to use Google Chrome or Playwright's own Chromium instead.
# - As root or with sudo, on Debian, apt-get installs what is missing: chromium, fonts-noto-cjk.
# - Where apt-get cannot help (not root and no sudo; Ubuntu, whose apt chromium is a snap stub; a
#   KB_CHROMIUM that names no executable), one message says what to run, and nothing is installed.
# KB_OS_RELEASE replaces /etc/os-release, for tests/test_system_deps.py.
set -euo pipefail
chromium=${KB_CHROMIUM:-/usr/bin/chromium}
# need: what is missing. (Not `fc-list | grep -q`: with pipefail, grep's early exit kills fc-list by SIGPIPE.)
check() {
  local fonts
  need=()
  [ -f "$chromium" ] && [ -x "$chromium" ] || need+=(chromium)
  fonts=$(fc-list : family 2>/dev/null || true)
  [[ "$fonts" == *"Noto Sans CJK KR"* ]] || need+=(fonts-noto-cjk)
}
check
[ ${#need[@]} -eq 0 ] && exit 0

missing() { [[ " ${need[*]} " == *" $1 "* ]]; }
os_release=${KB_OS_RELEASE:-/etc/os-release}
os=""
[ -r "$os_release" ] && os=$(<"$os_release")
ubuntu_like=$'(^|\n)(ID|ID_LIKE)="?([a-z]+ )*ubuntu'
ubuntu=false
[[ "$os" =~ $ubuntu_like ]] && ubuntu=true
if [ "$(id -u)" -eq 0 ]; then as_root=""; elif command -v sudo >/dev/null; then as_root=sudo; else as_root=none; fi

# Says why nothing can be installed and what to run instead, in one message, and stops `make test`.
stop() {
  local packages=() what=() install reason
  missing chromium && what+=("a Chromium at $chromium")
  missing fonts-noto-cjk && what+=("the Korean font \"Noto Sans CJK KR\"")
  missing chromium && ! $ubuntu && packages+=(chromium)
  missing fonts-noto-cjk && packages+=(fonts-noto-cjk)
  case $as_root in
    "") install="apt-get install ${packages[*]}" ;;
    sudo) install="sudo apt-get install ${packages[*]}" ;;
    *) install="su -c 'apt-get install ${packages[*]}'" ;;
  esac
  {
    echo "system-deps: make test stops here: the browser tests need ${what[0]}${what[1]:+ and ${what[1]}}."
    for reason in "$@"; do echo "  $reason"; done
    if [ ${#packages[@]} -gt 0 ]; then
      echo "  Install the apt package(s) as root (or ask whoever administers this machine), then run make test again:"
      echo "      $install"
    fi
    if missing chromium; then
      echo "  On Ubuntu, apt's chromium is a snap stub that the tests cannot drive. Use Google Chrome, or Playwright's"
      echo "  own Chromium (no root needed), named by KB_CHROMIUM in the shell that runs make test:"
      echo "      export KB_CHROMIUM=/opt/google/chrome/chrome"
      echo "    or"
      echo "      .venv/bin/python -m playwright install chromium"
      echo "      export KB_CHROMIUM=\"\$(.venv/bin/python -c 'from playwright.sync_api import sync_playwright;" \
        "print(sync_playwright().start().chromium.executable_path)')\""
    fi
    if missing fonts-noto-cjk && [ "$as_root" = none ]; then
      echo "  Without root, the font can live in your home: copy NotoSansCJK-Regular.ttc (or another" \
        "\"Noto Sans CJK KR\" font file) into ~/.local/share/fonts and run fc-cache."
    fi
  } >&2
  exit 1
}

why=()
if missing chromium && [ -n "${KB_CHROMIUM:-}" ]; then
  why+=("KB_CHROMIUM=$KB_CHROMIUM is not an executable file: point it at Chrome or Chromium$($ubuntu ||
    echo ", or unset it and install Debian's chromium").")
elif missing chromium && $ubuntu; then
  why+=("$chromium is missing, and apt-get cannot install a Chromium the tests can drive on Ubuntu.")
fi
[ "$as_root" = none ] && why+=("You are not root and there is no sudo, so make test cannot install anything.")
[ ${#why[@]} -eq 0 ] || stop "${why[@]}"

sudo=()
[ "$as_root" = sudo ] && sudo=(sudo)
echo "system-deps: installing ${need[*]} with apt-get"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq || stop "apt-get update failed (see above)."
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" fontconfig >/dev/null ||
  stop "apt-get install failed (see above)."
check
[ ${#need[@]} -eq 0 ] || stop "apt-get ran, yet they are still missing ($chromium; fc-list : family)."

#!/usr/bin/env bash
# Installs the two things the browser tests need from Debian when they are missing:
# Chromium (Playwright drives it; `playwright install` cannot download here) and a Korean font.
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
# (not `fc-list | grep -q`: with pipefail, grep's early exit makes fc-list die of SIGPIPE and the test fail)
fonts=$(fc-list : family 2>/dev/null || true)
[[ "$fonts" == *"Noto Sans CJK KR"* ]] || need+=(fonts-noto-cjk)
[ ${#need[@]} -eq 0 ] && exit 0
echo "system-deps: installing ${need[*]} with apt-get"
if [ "$(id -u)" -eq 0 ]; then sudo=(); elif command -v sudo >/dev/null; then sudo=(sudo); else
  echo "system-deps: need root (or sudo) to apt-get install ${need[*]}" >&2; exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" fontconfig >/dev/null

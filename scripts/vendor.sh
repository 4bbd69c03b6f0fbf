#!/usr/bin/env bash
# Refreshes, from the npm registry at the versions pinned in vendor/package.json:
#   docs/assets/vendor/  what readers' browsers load (KaTeX's stylesheet and fonts);
#   kbtools/vendor/      what the build runs to typeset math and draw diagrams (KaTeX, Mermaid), never published;
#   tests/vendor/        what only the tests use (axe-core), never published.
# The copied files are committed, so building and testing the site need neither npm nor the network.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$root/vendor/package.json" "$work/"
(cd "$work" && npm install --no-audit --no-fund --ignore-scripts --silent)
m="$work/node_modules"
version() { node -e "const p=require('$m/$1/package.json'); console.log(p.name+' '+p.version+' '+p.license)"; }
out="$root/docs/assets/vendor"
rm -rf "$out" && mkdir -p "$out/katex/fonts"
cp "$m/katex/dist/katex.min.css" "$m/katex/LICENSE" "$out/katex/"
# KaTeX's fonts stay font-display:block. `optional` was tried: it removed a small layout shift (0.03) but a
# first visit then drew \mathbb{R} as a plain R, because the fonts missed optional's 100 ms window.
# Browsers that run this site read woff2; katex.min.css lists woff/ttf only as fallbacks.
cp "$m/katex/dist/fonts/"*.woff2 "$out/katex/fonts/"
version katex > "$out/VERSIONS.txt"
cat "$out/VERSIONS.txt"
build="$root/kbtools/vendor"
rm -rf "$build" && mkdir -p "$build/katex" "$build/mermaid"
cp "$m/katex/dist/katex.min.js" "$m/katex/LICENSE" "$build/katex/"
cp "$m/mermaid/dist/mermaid.min.js" "$m/mermaid/LICENSE" "$build/mermaid/"
{ version katex; version mermaid; } > "$build/VERSIONS.txt"
cat "$build/VERSIONS.txt"
# axe-core runs inside the browser tests (tests/test_browser.py); it is not part of the site.
tests="$root/tests/vendor"
rm -rf "$tests" && mkdir -p "$tests/axe-core"
cp "$m/axe-core/axe.min.js" "$m/axe-core/LICENSE" "$tests/axe-core/"
version axe-core > "$tests/VERSIONS.txt"
cat "$tests/VERSIONS.txt"

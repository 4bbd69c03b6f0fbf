#!/usr/bin/env bash
# Refreshes docs/assets/vendor/ (served by the site) and tests/vendor/ (used only by the tests, never published)
# from the npm registry at the versions pinned in vendor/package.json.
# The copied files are committed, so building and testing the site need neither npm nor the network.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$root/vendor/package.json" "$work/"
(cd "$work" && npm install --no-audit --no-fund --ignore-scripts --silent)
out="$root/docs/assets/vendor"
rm -rf "$out" && mkdir -p "$out/katex/fonts" "$out/mermaid"
m="$work/node_modules"
cp "$m/mermaid/dist/mermaid.min.js" "$m/mermaid/LICENSE" "$out/mermaid/"
cp "$m/katex/dist/katex.min.js" "$m/katex/dist/katex.min.css" "$m/katex/LICENSE" "$out/katex/"
cp "$m/katex/dist/contrib/auto-render.min.js" "$out/katex/"
# Browsers that run this site read woff2; katex.min.css lists woff/ttf only as fallbacks.
cp "$m/katex/dist/fonts/"*.woff2 "$out/katex/fonts/"
for pkg in katex mermaid; do
  node -e "const p=require('$m/$pkg/package.json'); console.log(p.name+' '+p.version+' '+p.license)"
done > "$out/VERSIONS.txt"
cat "$out/VERSIONS.txt"
# axe-core runs inside the browser tests (tests/test_browser.py); it is not part of the site.
tests="$root/tests/vendor"
rm -rf "$tests" && mkdir -p "$tests/axe-core"
cp "$m/axe-core/axe.min.js" "$m/axe-core/LICENSE" "$tests/axe-core/"
node -e "const p=require('$m/axe-core/package.json'); console.log(p.name+' '+p.version+' '+p.license)" > "$tests/VERSIONS.txt"
cat "$tests/VERSIONS.txt"

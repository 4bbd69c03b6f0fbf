"""`make diff`: what a change does to the rendered site, as a Markdown report for a pull request.

    python -m kbtools.sitediff [--base REV] [--out DIR]

Builds the base revision (default: the merge base with main) and the working tree, both through the same result
store (so unchanged units are not run again), then reports:
- pages added, removed, or whose rendered text changed (the article's text, not HTML noise);
- each block whose output changed, with a unified diff; a changed SVG figure is listed and both versions are
  written beside the report;
- claims (kbtools/claims.py) added, removed, or whose status changed (checked, cited, failing);
- new build warnings; page-weight changes over 5 %; units more than 2x slower.
"""

from __future__ import annotations

import argparse
import difflib
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bs4 import BeautifulSoup

from kbtools import settings

WEIGHT_CHANGE = 0.05
SLOWER = 2.0
MIN_SECONDS = 0.2  # below this, timing noise is larger than any slowdown worth reporting
SKIPPED_PAGES = {"404.html", "reference/runs/index.html"}  # the build report records each build's run


@dataclass
class Build:
    site: Path
    units: dict[str, dict]  # unit id -> result (kbtools.hooks writes them when KB_UNITS_REPORT is set)
    warnings: list[str]


def build(tree: Path, site: Path, units_json: Path, store: Path) -> Build:
    """`mkdocs build` of a tree (not strict: the report says what warns), results taken from `store`."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "KB_STORE": str(store), "KB_UNITS_REPORT": str(units_json)}
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--site-dir", str(site)], cwd=tree, env=env,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0 or not units_json.is_file():
        sys.exit(f"build of {tree} failed (exit status {done.returncode}):\n{done.stderr[-4000:]}")
    warnings = [line for line in done.stderr.splitlines() if line.startswith(("WARNING", "ERROR"))]
    return Build(site, json.loads(units_json.read_text(encoding="utf-8")), warnings)


def _pages(site: Path) -> dict[str, Path]:
    return {p.relative_to(site).as_posix(): p for p in site.rglob("*.html")
            if p.relative_to(site).as_posix() not in SKIPPED_PAGES and "assets" not in p.parts}


def _text(page: Path) -> str:
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    article = soup.find("article") or soup
    # The provenance line names the code digest (it changes with any edit to the code); the "last updated" date
    # comes from git history, which an exported base revision does not have.
    for noise in article.select(".kb-provenance, .md-source-file"):
        noise.decompose()
    return re.sub(r"\s+", " ", article.get_text(" ")).strip()


def _claims(pages: dict[str, Path]) -> dict[tuple[str, str], str]:
    """(page, the claim's statement) -> its status as the reader sees it: the badges and the cited papers."""
    found = {}
    for name, page in pages.items():
        for claim in BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select(".kb-claim"):
            badges = [badge.get_text(" ", strip=True) for badge in claim.select(".kb-claim__badge")]
            cited = [cite.get_text(strip=True) for cite in claim.select(".kb-cite")]
            for part in claim.select(".kb-claim__badges, .kb-check"):
                part.decompose()
            statement = re.sub(r"\s+", " ", claim.get_text()).strip()
            found[(name, statement)] = " · ".join(badges + cited)
    return found


def _by_place(units: dict[str, dict]) -> dict[tuple[str, int], dict]:
    """Units keyed by (page, their order on it): a block keeps its place when prose above it grows."""
    places: dict[tuple[str, int], dict] = {}
    counts: dict[str, int] = {}
    for unit_id in sorted(units, key=lambda i: (i.split(":")[0], int(i.split(":")[1]) if ":" in i else 0)):
        page = unit_id.split(":")[0]
        places[(page, counts.get(page, 0))] = units[unit_id]
        counts[page] = counts.get(page, 0) + 1
    return places


def compare(base: Build, head: Build, out: Path) -> str:
    """The Markdown report of what changed from `base` to `head`; changed figures are written under `out`."""
    lines = ["# 렌더링된 사이트의 변화", ""]
    base_pages, head_pages = _pages(base.site), _pages(head.site)
    added = sorted(head_pages.keys() - base_pages.keys())
    removed = sorted(base_pages.keys() - head_pages.keys())
    changed = sorted(p for p in base_pages.keys() & head_pages.keys()
                     if _text(base_pages[p]) != _text(head_pages[p]))
    lines += ["## 페이지", ""]
    lines += [f"- 추가: `{p}`" for p in added] + [f"- 삭제: `{p}`" for p in removed]
    lines += [f"- 내용 변경: `{p}`" for p in changed]
    if not (added or removed or changed):
        lines.append("- 바뀐 페이지 없음")

    lines += ["", "## 출력이 바뀐 블록", ""]
    before, after = _by_place(base.units), _by_place(head.units)
    output_changes = 0
    for place in sorted(before.keys() & after.keys()):
        old, new = before[place], after[place]
        for index, (was, now) in enumerate(zip(old["outputs"], new["outputs"], strict=False)):
            if was == now:
                continue
            output_changes += 1
            where = f"{new['id']} (블록 {index + 1})" if len(new["outputs"]) > 1 else new["id"]
            if "<svg" in was or "<svg" in now:
                out.mkdir(parents=True, exist_ok=True)
                stem = re.sub(r"[^\w.-]", "_", f"{new['id']}-{index + 1}")
                (out / f"{stem}.before.svg").write_text(was, encoding="utf-8")
                (out / f"{stem}.after.svg").write_text(now, encoding="utf-8")
                lines.append(f"- `{where}`: 그림이 바뀜 (`{stem}.before.svg`, `{stem}.after.svg`)")
                continue
            diff = difflib.unified_diff(was.splitlines(), now.splitlines(), "이전", "이후", lineterm="", n=1)
            lines += [f"- `{where}`", "", "  ```diff", *(f"  {d}" for d in diff), "  ```", ""]
    if not output_changes:
        lines.append("- 없음")

    lines += ["", "## 바뀐 주장", ""]
    old_claims, new_claims = _claims(base_pages), _claims(head_pages)
    claim_lines = [f"- 새 주장 (`{page}`): {text[:120]} — {new_claims[page, text]}"
                   for page, text in sorted(new_claims.keys() - old_claims.keys())]
    claim_lines += [f"- 없어진 주장 (`{page}`): {text[:120]}"
                    for page, text in sorted(old_claims.keys() - new_claims.keys())]
    claim_lines += [f"- 상태가 바뀐 주장 (`{page}`): {text[:120]} — {old_claims[page, text]} → {new_claims[page, text]}"
                    for page, text in sorted(old_claims.keys() & new_claims.keys())
                    if old_claims[page, text] != new_claims[page, text]]
    lines += claim_lines or ["- 없음"]

    lines += ["", "## 새 빌드 경고", ""]
    new_warnings = [w for w in head.warnings if w not in base.warnings]
    lines += [f"- {w}" for w in new_warnings] or ["- 없음"]

    lines += ["", f"## 무게가 {WEIGHT_CHANGE:.0%} 넘게 바뀐 페이지", ""]
    weights = []
    for page in sorted(base_pages.keys() & head_pages.keys()):
        was, now = base_pages[page].stat().st_size, head_pages[page].stat().st_size
        if abs(now - was) > WEIGHT_CHANGE * was:
            weights.append(f"- `{page}`: {was:,} → {now:,} 바이트 ({(now - was) / was:+.0%})")
    lines += weights or ["- 없음"]

    lines += ["", f"## {SLOWER:g}배 넘게 느려진 단위", ""]
    slower = []
    for place in sorted(before.keys() & after.keys()):
        was, now = before[place]["duration_s"], after[place]["duration_s"]
        if now >= MIN_SECONDS and now > SLOWER * was:
            slower.append(f"- `{after[place]['id']}`: {was:.2f} s → {now:.2f} s")
    lines += slower or ["- 없음"]
    return "\n".join(lines) + "\n"


def _export(revision: str, target: Path) -> None:
    archive = subprocess.run(["git", "archive", "--format=tar", revision], cwd=settings.ROOT, capture_output=True,
                             check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")


def default_base() -> str:
    for main in ("origin/main", "main"):
        done = subprocess.run(["git", "merge-base", main, "HEAD"], cwd=settings.ROOT, capture_output=True,
                              text=True, check=False)
        if done.returncode == 0:
            return done.stdout.strip()
    sys.exit("no main branch to compare with: pass --base REV")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kbtools.sitediff", description=__doc__.split("\n")[0])
    parser.add_argument("--base", help="the revision to compare with (default: the merge base with main)")
    parser.add_argument("--out", type=Path, default=settings.ROOT / ".cache" / "site-diff", help="report folder")
    args = parser.parse_args(argv)
    base_revision = args.base or default_base()
    store = settings.STORE
    with tempfile.TemporaryDirectory(prefix="kb-diff-") as tmp:
        tmp = Path(tmp)
        _export(base_revision, tmp / "base")
        print(f"[diff] building {base_revision[:12]} and the working tree", file=sys.stderr)
        base = build(tmp / "base", tmp / "base-site", tmp / "base-units.json", store)
        head = build(settings.ROOT, tmp / "head-site", tmp / "head-units.json", store)
        report = compare(base, head, args.out)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "report.md").write_text(report, encoding="utf-8")
    print(report)
    print(f"[diff] written to {args.out / 'report.md'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`make bench`: times the build, the test suite and the edit-to-reload loop, weighs pages, runs Lighthouse,
prints the figures, writes them to BENCHMARKS.md and fails if a budget is missed.

Everything that builds or serves runs in a temporary copy of the repository (docs/ is never edited).
Options: --runs N (median of N, default 3), --skip-tests (no `make test` timing), --skip-lighthouse.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import io
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import bench_engine

from kbtools import chromium, settings

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
LIGHTHOUSE_VERSION = "13.5.0"
LIGHTHOUSE_DIR = ROOT / ".cache" / "lighthouse"  # npm install target (ignored by git)
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage"
IGNORED = shutil.ignore_patterns(
    ".venv", "site", ".cache", "node_modules", "__pycache__", ".pytest_cache", ".ruff_cache", "*.egg-info", "build",
    "mutants",  # `make mutants`' working copy
)
EDITED_PAGE = "docs/reference/index.md"  # a light page; heavy pages (notebooks, models) stay unchanged elsewhere

# Budgets (seconds, scores out of 100).
BUDGET_COLD_BUILD_S = 60.0
BUDGET_RELOAD_S = 2.0
BUDGET_SCORES = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100}


def env() -> dict[str, str]:
    e = dict(os.environ)
    e.setdefault("SOURCE_DATE_EPOCH", settings.SOURCE_DATE_EPOCH)
    e["NO_MKDOCS_2_WARNING"] = "1"
    return e


def timed(cmd: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=env(), capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"failed ({done.returncode}): {' '.join(cmd)}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return elapsed


def build(copy: Path, site: Path) -> float:
    return timed([PYTHON, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)], copy)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.read().decode("utf-8", "replace")
    except OSError:
        return None


def site_path() -> str:
    from urllib.parse import urlparse

    found = re.search(r"^site_url:\s*(\S+)", (ROOT / "mkdocs.yml").read_text(encoding="utf-8"), re.M)
    return urlparse(found.group(1)).path.rstrip("/") + "/" if found else "/"


def edit_to_reload(copy: Path, runs: int, dirty: bool) -> list[float]:
    """Seconds from saving EDITED_PAGE under `mkdocs serve` to the new text being served, once per run."""
    port = free_port()
    cmd = [PYTHON, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}", "--livereload"]
    if dirty:
        cmd.append("--dirty")
    log_path = copy.parent / f"serve-{'dirty' if dirty else 'full'}.log"
    url = f"http://127.0.0.1:{port}{site_path()}reference/"
    page = copy / EDITED_PAGE
    original = page.read_text(encoding="utf-8")
    times = []
    with open(log_path, "w") as log:
        server = subprocess.Popen(cmd, cwd=copy, env=env(), stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.time() + 600
            while get(url) is None:
                if server.poll() is not None or time.time() > deadline:
                    sys.exit(f"mkdocs serve did not start:\n{log_path.read_text()[-3000:]}")
                time.sleep(0.5)
            time.sleep(2)  # let the watcher settle after the first build
            for i in range(runs):
                marker = f"kb-bench-marker-{i}-{time.time_ns()}"
                start = time.perf_counter()
                page.write_text(original + f"\n\n{marker}\n", encoding="utf-8")
                while marker not in (get(url) or ""):
                    if time.perf_counter() - start > 600:
                        sys.exit("the edited page was never served")
                    time.sleep(0.05)
                times.append(time.perf_counter() - start)
                time.sleep(3)  # let a queued rebuild finish before the next edit
        finally:
            page.write_text(original, encoding="utf-8")
            server.terminate()
            server.wait(timeout=30)
    return times


GZIPPED: dict[str, bytes] = {}


class Quiet(http.server.SimpleHTTPRequestHandler):
    """Serves the site as GitHub Pages does in one respect that weighs on the figures: text is sent gzipped."""

    COMPRESSED = (".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".ipynb")

    def log_message(self, format, *args):
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if "gzip" not in self.headers.get("Accept-Encoding", "") or path.suffix not in self.COMPRESSED:
            return super().send_head()
        if not path.is_file():
            return super().send_head()
        if str(path) not in GZIPPED:
            GZIPPED[str(path)] = gzip.compress(path.read_bytes(), compresslevel=9, mtime=0)
        body = GZIPPED[str(path)]
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


def serve(site: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def page_weights(base: str, site: Path) -> dict[str, dict]:
    """Bytes of every response (bodies as served, uncompressed) and request count, for every page."""
    from playwright.sync_api import sync_playwright

    pages = sorted(
        "" if p.parent == site else p.parent.relative_to(site).as_posix() + "/"
        for p in site.rglob("index.html")
        if "assets" not in p.parts
    )
    weights = {}
    with sync_playwright() as pw:
        browser = chromium.launch(pw)
        for path in pages:
            context = browser.new_context(viewport={"width": 412, "height": 823})
            page = context.new_page()
            responses = []
            page.on("requestfinished", lambda r, responses=responses: responses.append(r))
            page.goto(f"{base}/{path}", wait_until="networkidle")
            page.wait_for_timeout(500)
            total = sum(r.sizes()["responseBodySize"] + r.sizes()["responseHeadersSize"] for r in responses)
            weights[path] = {"bytes": total, "requests": len(responses)}
            context.close()
        browser.close()
    return weights


def lighthouse(url: str, out: Path) -> dict[str, int]:
    cli = LIGHTHOUSE_DIR / "node_modules" / "lighthouse" / "cli" / "index.js"
    if not cli.exists():
        LIGHTHOUSE_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "npm",
                "install",
                "--prefix",
                str(LIGHTHOUSE_DIR),
                "--no-audit",
                "--no-fund",
                "--silent",
                f"lighthouse@{LIGHTHOUSE_VERSION}",
            ],
            check=True,
        )
    subprocess.run(
        [
            "node",
            str(cli),
            url,
            "--quiet",
            "--output=json",
            f"--output-path={out}",
            f"--chrome-flags={CHROME_FLAGS}",
            "--only-categories=performance,accessibility,best-practices,seo",
        ],
        env={**os.environ, "CHROME_PATH": chromium.CHROMIUM},
        check=True,
        timeout=300,
    )
    report = json.loads(out.read_text(encoding="utf-8"))
    scores = {k: round(v["score"] * 100) for k, v in report["categories"].items()}
    failing = [
        f"{k}: {a['id']} ({a['score']})"
        for k, cat in report["categories"].items()
        for ref in cat["auditRefs"]
        if ref["weight"]
        and (a := report["audits"][ref["id"]])["score"] is not None
        and a["score"] < 1
        and k != "performance"
    ]
    scores["_failing"] = failing
    scores["_weight"] = report["audits"]["total-byte-weight"]["numericValue"]
    return scores


def median_scores(runs: list[dict]) -> dict:
    """Lighthouse's performance score moves by a few points between runs on this machine: each category's
    median, with every run's performance score kept for the report."""
    scores = {k: round(statistics.median(r[k] for r in runs)) for k in runs[0] if not k.startswith("_")}
    scores["_performance_runs"] = [r["performance"] for r in runs]
    scores["_failing"] = sorted({f for r in runs for f in r["_failing"]})
    scores["_weight"] = runs[0]["_weight"]
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-tests", action="store_true")
    parser.add_argument("--skip-lighthouse", action="store_true")
    parser.add_argument("--skip-engine", action="store_true")
    parser.add_argument("--scale", type=int, default=1, help="also time a synthetic copy with SCALE times the pages")
    args = parser.parse_args()
    figures: dict[str, object] = {}
    problems: list[str] = []
    notes: list[str] = []

    with tempfile.TemporaryDirectory(prefix="kb-bench-") as tmp:
        tmp = Path(tmp)
        copy = tmp / "repo"
        shutil.copytree(ROOT, copy, ignore=IGNORED, symlinks=True)

        cold = []
        for i in range(args.runs):
            shutil.rmtree(copy / ".cache", ignore_errors=True)
            cold.append(build(copy, tmp / f"cold-{i}"))
            print(f"cold build {i + 1}: {cold[-1]:.1f} s", flush=True)
        warm = []
        for i in range(args.runs):
            warm.append(build(copy, tmp / "site"))
            print(f"warm build {i + 1}: {warm[-1]:.1f} s", flush=True)
        figures["cold build (s)"] = cold
        figures["warm build (s)"] = warm

        engine_lines: list[str] = []
        if not args.skip_engine:
            _, engine_lines, engine_problems = bench_engine.measure(copy, env(), tmp, args.scale)
            problems += engine_problems

        reload_full = edit_to_reload(copy, args.runs, dirty=False)
        print(f"edit-to-reload, mkdocs serve: {reload_full}", flush=True)
        reload_dirty = edit_to_reload(copy, args.runs, dirty=True)
        print(f"edit-to-reload, mkdocs serve --dirty: {reload_dirty}", flush=True)
        figures["edit-to-reload, `mkdocs serve` (s)"] = reload_full
        figures["edit-to-reload, `mkdocs serve --dirty` (s)"] = reload_dirty

        server, base = serve(tmp / "site")
        try:
            weights = page_weights(base, tmp / "site")
            heaviest = max(weights, key=lambda p: weights[p]["bytes"])
            print(f"page weight: home {weights['']}, heaviest {heaviest} {weights[heaviest]}", flush=True)
            lh = {}
            if not args.skip_lighthouse:
                for name, path in [("home", ""), (f"heaviest ({heaviest})", heaviest)]:
                    runs = [lighthouse(f"{base}/{path}", tmp / f"lh-{len(lh)}-{i}.json") for i in range(args.runs)]
                    lh[name] = median_scores(runs)
                    print(f"lighthouse {name}: {lh[name]}", flush=True)
        finally:
            server.shutdown()

    if not args.skip_tests:
        start = time.perf_counter()
        done = subprocess.run(["make", "test"], cwd=ROOT, env=env(), capture_output=True, text=True, check=False)
        figures["`make test`, whole suite, 1 run (s)"] = [time.perf_counter() - start]
        (ROOT / ".cache").mkdir(exist_ok=True)
        (ROOT / ".cache" / "bench-make-test.log").write_text(done.stdout + done.stderr, encoding="utf-8")
        ends = [line for line in done.stdout.splitlines() if re.search(r" (passed|failed|error)", line)]
        failed = [line for line in done.stdout.splitlines() if line.startswith(("FAILED ", "ERROR "))]
        summary = (ends or ["(no pytest summary: see .cache/bench-make-test.log)"])[-1].strip("= ")
        summary += "".join(f"; {line[:160]}" for line in failed[:10])
        notes.append(f"`make test` exit status {done.returncode}: {summary}")
        if done.returncode != 0:
            problems.append(f"`make test` failed: {summary}")
        print(f"make test: {figures['`make test`, whole suite, 1 run (s)'][0]:.0f} s, {summary}", flush=True)

    med = {k: statistics.median(v) for k, v in figures.items()}
    if med["cold build (s)"] > BUDGET_COLD_BUILD_S:
        problems.append(f"cold build {med['cold build (s)']:.1f} s > {BUDGET_COLD_BUILD_S} s")
    if med["edit-to-reload, `mkdocs serve --dirty` (s)"] > BUDGET_RELOAD_S:
        problems.append(
            f"edit-to-reload under `make serve` (--dirty) {med['edit-to-reload, `mkdocs serve --dirty` (s)']:.1f} s "
            f"> {BUDGET_RELOAD_S} s"
        )
    for name, scores in lh.items():
        for category, floor in BUDGET_SCORES.items():
            if scores[category] < floor:
                problems.append(f"lighthouse {name} {category} {scores[category]} < {floor}: {scores['_failing']}")

    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`scripts/bench.py`); numbers are the median of the runs listed. Builds and "
        "`mkdocs serve` run in a temporary copy of the repository.",
        "",
        f"Machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"SOURCE_DATE_EPOCH={env()['SOURCE_DATE_EPOCH']}.",
        "",
        "| What | Median | Runs | Budget |",
        "| --- | --- | --- | --- |",
    ]
    budgets = {
        "cold build (s)": f"< {BUDGET_COLD_BUILD_S:.0f} s",
        "edit-to-reload, `mkdocs serve --dirty` (s)": f"< {BUDGET_RELOAD_S:.0f} s (`make serve`)",
    }
    for k, v in figures.items():
        lines.append(f"| {k} | {med[k]:.1f} | {', '.join(f'{x:.1f}' for x in v)} | {budgets.get(k, '')} |")
    lines += [
        "",
        f"Edit-to-reload: time from writing `{EDITED_PAGE}` (a light page) in the copy to `mkdocs serve` serving the "
        "new text; the notebooks and the model pages are unchanged elsewhere in the site. Both take every unchanged "
        "unit's output from the result store (kbtools/engine.py). Plain `mkdocs serve` renders every page on each "
        "save; `make serve` runs it with `--dirty`, which renders the saved page (and a generated page whose text "
        "changed) and merges its search entries into the index.",
        *(["", *notes] if notes else []),
        "",
        *engine_lines,
        "## Page weight (Playwright: bytes of every response as served, gzipped as GitHub Pages does; mobile viewport)",
        "",
        "| Page | Bytes | Requests |",
        "| --- | --- | --- |",
    ]
    for path in ["", heaviest]:
        lines.append(f"| /{path} | {weights[path]['bytes']:,} | {weights[path]['requests']} |")
    if lh:
        lines += [
            "",
            f"## Lighthouse {LIGHTHOUSE_VERSION} (mobile preset, Chromium `{CHROME_FLAGS}`)",
            "",
            "| Page | Performance (runs) | Accessibility | Best practices | SEO | Total byte weight |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for name, s in lh.items():
            runs = ", ".join(str(x) for x in s["_performance_runs"])
            lines.append(
                f"| {name} | {s['performance']} ({runs}) | {s['accessibility']} | {s['best-practices']} | {s['seo']} | "
                f"{s['_weight']:,.0f} |"
            )
        floors = ", ".join(f"{k} >= {v}" for k, v in BUDGET_SCORES.items())
        lines += ["", f"Budgets, on each category's median: {floors}."]
    lines += ["", "## Budgets missed", ""] + ([f"- {p}" for p in problems] or ["None."])
    # `## Mutation testing` is written by `make mutants` (scripts/mutants_report.py), not measured here: keep it
    previous = (ROOT / "BENCHMARKS.md").read_text(encoding="utf-8") if (ROOT / "BENCHMARKS.md").exists() else ""
    kept = re.search(r"^## Mutation testing\n.*?(?=^## |\Z)", previous, re.M | re.S)
    if kept:
        lines += ["", kept.group(0).rstrip("\n")]
    (ROOT / "BENCHMARKS.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    if problems:
        sys.exit(1)


if __name__ == "__main__":
    main()

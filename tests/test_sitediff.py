"""`make diff` (kbtools/sitediff.py) reports what a change does to the rendered site, and only that.

Each test builds a small site twice (before and after a planted change) and compares the two builds.
"""

from __future__ import annotations

import json

from conftest import build_mini

from kbtools.sitediff import Build, compare

PAGE = '# t\n\n글 한 줄.\n\n```python exec="on"\nprint({value})\n```\n\n```python exec="on"\n{slow}print("둘째")\n```\n'


def _build(tmp_path, name: str, pages: dict[str, str]) -> Build:
    units = tmp_path / f"{name}-units.json"
    done = build_mini(tmp_path / name, pages, KB_UNITS_REPORT=str(units), KB_STORE=str(tmp_path / "store"))
    assert done.returncode == 0, done.stderr
    return Build(tmp_path / name / "site", json.loads(units.read_text(encoding="utf-8")), [])


def _report(tmp_path, before: dict[str, str], after: dict[str, str]) -> str:
    return compare(_build(tmp_path, "base", before), _build(tmp_path, "head", after), tmp_path / "figures")


def _section(report: str, title: str) -> str:
    return report.split(f"## {title}")[1].split("\n## ")[0]


def test_changed_printed_number_lists_exactly_that_block(tmp_path):
    """Asserts that a block printing another number is listed with a diff of its output, and no other block is."""
    report = _report(tmp_path, {"index.md": PAGE.format(value=41, slow="")},
                     {"index.md": PAGE.format(value=42, slow="")})
    blocks = _section(report, "출력이 바뀐 블록")
    assert "docs/index.md:12" in blocks and "-41" in blocks and "+42" in blocks
    assert blocks.count("- `docs/") == 1, blocks


def test_prose_only_change_lists_no_output_change(tmp_path):
    """Asserts that a change to the text around the blocks shows as a changed page, with no block listed."""
    report = _report(tmp_path, {"index.md": PAGE.format(value=1, slow="")},
                     {"index.md": PAGE.format(value=1, slow="").replace("글 한 줄.", "글 한 줄.\n\n새 문단 하나.")})
    assert "- 없음" in _section(report, "출력이 바뀐 블록")
    assert "내용 변경: `index.html`" in _section(report, "페이지")


def test_new_page_is_listed_as_added(tmp_path):
    """Asserts that a page present only after the change is listed as added."""
    page = PAGE.format(value=1, slow="")
    report = _report(tmp_path, {"index.md": page}, {"index.md": page, "new.md": "# 새 페이지\n\n내용.\n"})
    assert "추가: `new/index.html`" in _section(report, "페이지")


def test_slowed_block_is_flagged(tmp_path):
    """Asserts that a block that became more than twice as slow is flagged with both durations."""
    report = _report(tmp_path, {"index.md": PAGE.format(value=1, slow="")},
                     {"index.md": PAGE.format(value=1, slow="import time\ntime.sleep(1.5)\n")})
    slower = _section(report, "2배 넘게 느려진 단위")
    assert "docs/index.md:16" in slower and "→ 1." in slower, slower


def test_claim_whose_check_became_a_citation_is_listed_with_both_statuses(tmp_path):
    """Asserts that a claim proven by a check before and by a citation after is listed as changed, with both
    statuses, and that a new claim is listed as new."""
    statement = "    Elman wrote it [@elman1990].\n"
    checked = f'# t\n\n!!! claim "c"\n{statement}\n```python exec="on" source="above" check="c"\nassert 1\n```\n'
    cited = f"# t\n\n!!! claim\n{statement}\n!!! claim\n    A new one [@vaswani2017].\n"
    report = _section(_report(tmp_path, {"index.md": checked}, {"index.md": cited}), "바뀐 주장")
    assert "상태가 바뀐 주장 (`index.html`): Elman wrote it (Elman, 1990)." in report, report
    assert "✔ 실행으로 확인 · ※ 문헌 인용 · (Elman, 1990) → ※ 문헌 인용 · (Elman, 1990)" in report, report
    assert "새 주장 (`index.html`): A new one (Vaswani et al., 2017)." in report, report
    assert "없어진 주장" not in report, report

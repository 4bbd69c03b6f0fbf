"""The build report (참고 → 실행 기록): every unit of the site, generated at build from the engine's results.

It is the one page that records *this* build's run: durations, and whether each unit came from the store or ran
now. Those values sit in `<span class="kb-varies">` so the reproducibility test can set them aside; everything
else on the page is the same on every build of a commit. Lesson pages link here from each output's provenance
line (kbtools/render.py).
"""

from __future__ import annotations

import hashlib
import html
import posixpath
from collections import defaultdict

PAGE = "reference/runs.md"  # generated, listed in nav (tests/test_structure.py knows it is not on disk)
TITLE = "실행 기록"


def anchor(unit_id: str) -> str:
    """The report's anchor for a unit (its name can hold '/', '.' and ':')."""
    return "u-" + hashlib.sha256(unit_id.encode()).hexdigest()[:10]


def link(from_url: str, unit_id: str) -> str:
    """A relative URL from a page's URL (`lecture/rnn/`) to the unit's row in the report."""
    target = PAGE.removesuffix(".md") + "/"
    return f"{posixpath.relpath(target, from_url or '.')}/#{anchor(unit_id)}".replace("./#", "#")


def _varies(text: str) -> str:
    return f'<span class="kb-varies">{text}</span>'


def _seconds(value: float) -> str:
    return f"{value:.2f} s"


def _where(unit_id: str) -> str:
    """The unit's page as a link from this report (docs/x.md:12 -> ../x.md), or its file for a snippet module."""
    path = unit_id.split(":")[0]
    if not path.startswith("docs/"):
        return f"`{unit_id}`"
    shown = unit_id.removeprefix("docs/")
    return f"[`{shown}`]({posixpath.relpath(path.removeprefix('docs/'), posixpath.dirname(PAGE))})"


def markdown(results: dict[str, dict], ran_now: set[str]) -> str:
    """The report page's Markdown."""
    rows = sorted(results.values(), key=lambda r: r["id"])
    total = sum(r["duration_s"] for r in rows)
    failed = [r for r in rows if not r["ok"]]
    by_page: dict[str, list[dict]] = defaultdict(list)
    for result in rows:
        by_page[result["id"].split(":")[0]].append(result)
    lines = [
        "---",
        f"title: {TITLE}",
        "date: 2021-08-12",
        "tags: [안내]",
        'summary: "사이트의 모든 코드 블록, 노트북, snippet이 마지막 빌드에서 어떻게 실행됐는지: 시간, 결과, 출처."',
        "search:",
        "  exclude: true",
        "---",
        "",
        f"# {TITLE}",
        "",
        "이 페이지는 빌드할 때마다 실행 엔진의 결과 저장소에서 새로 만들어집니다. 한 줄이 실행 단위 하나입니다:",
        "코드 블록 하나, 같은 `session`의 블록 묶음, 노트북 하나, 또는 `python -m`으로 실행한 snippet 모듈 하나.",
        "각 출력 아래의 실행 정보 링크가 이 표의 해당 줄로 옵니다. **출처**는 이번 빌드에서 실행했는지(실행),",
        "코드가 바뀌지 않아 저장된 결과를 썼는지(저장소)를 말하고, **코드**는 실행한 코드와 그 코드가 import하는",
        "프로젝트 모듈, 버전을 묶은 지문의 앞 8자리입니다.",
        "",
        "## 합계",
        "",
        "| 단위 | 이번에 실행 | 저장소에서 | 실패 | 실행 시간 합 |",
        "| --- | --- | --- | --- | --- |",
        f"| {len(rows)} | {_varies(str(len(ran_now)))} | {_varies(str(len(rows) - len(ran_now)))} | {len(failed)} "
        f"| {_varies(_seconds(total))} |",
        "",
        "## 가장 오래 걸린 10개",
        "",
        "| 단위 | 시간 |",
        "| --- | --- |",
        *(f"| {_varies(_where(r['id']))} | {_varies(_seconds(r['duration_s']))} |"
          for r in sorted(rows, key=lambda r: -r["duration_s"])[:10]),
        "",
        "## 페이지별 합",
        "",
        "| 페이지 | 단위 | 시간 |",
        "| --- | --- | --- |",
        *(f"| {_where(page)} | {len(units)} | {_varies(_seconds(sum(r['duration_s'] for r in units)))} |"
          for page, units in sorted(by_page.items())),
        "",
        "## 모든 단위",
        "",
        "| 단위 | 종류 | 결과 | 시간 | 출처 | 코드 | 버전 |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for result in rows:
        provenance = result["provenance"]
        status = "통과" if result["ok"] else f"**실패**: {html.escape(result['report'].splitlines()[0])}"
        lines.append(
            f'| <span id="{anchor(result["id"])}"></span>{_where(result["id"])} | {result["kind"]} | {status} '
            f"| {_varies(_seconds(result['duration_s']))} | {_varies('실행' if result['id'] in ran_now else '저장소')} "
            f"| `{provenance['code'][:8]}` | torch {provenance['torch']} · Python {provenance['python']} |"
        )
    return "\n".join(lines) + "\n"

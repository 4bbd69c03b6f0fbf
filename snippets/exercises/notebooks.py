"""The downloadable exercise notebooks: each lecture page's implement exercises as stubs and checkers, no solutions.

    python -m snippets.exercises.notebooks           # what each notebook holds
    python -m snippets.exercises.notebooks --write   # (re)write docs/exercises/<page>.ipynb

A notebook is made from snippets/exercises/ (checking.py, the page's checker module, the stubs) and committed
under docs/exercises/, where the engine runs it like every notebook: each check cell prints its verdict on the
empty stub instead of raising, so the notebook runs to the end. It needs torch and nothing from this repository.
tests/test_exercises.py fails when a committed notebook differs from what this module makes now.
"""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

from snippets.exercises.check import EXERCISES, HERE

DOCS = HERE.parent.parent / "docs"
PAGES = {  # notebook (and lecture page) name -> (page title, checker module)
    "sequential-models": ("순차 모델 개요", "sequence"),
    "rnn": ("RNN", "rnn"),
    "lstm": ("LSTM", "lstm"),
    "gru": ("GRU", "gru"),
    "transformer": ("트랜스포머 개요", "transformer"),
    "attention": ("멀티 헤드 어텐션", "attention"),
    "masking": ("디코더 마스킹", "masking"),
    "vit": ("Vision Transformer", "vit"),
}


# --8<-- [start:make]
def portable_source(path: Path) -> str:
    """A module's code as a notebook cell: without its docstring, `from __future__`, imports from `snippets`,
    `main()` and the `__main__` guard, and without section markers. What is left needs only torch."""
    source = path.read_text(encoding="utf-8")
    lines = source.split("\n")
    dropped: set[int] = set()
    for index, node in enumerate(ast.parse(source).body):
        is_docstring = index == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        is_local_import = isinstance(node, ast.ImportFrom) and node.module.startswith(("snippets", "__future__"))
        is_entry = (isinstance(node, ast.FunctionDef) and node.name == "main") or isinstance(node, ast.If)
        if is_docstring or is_local_import or is_entry:
            dropped.update(range(node.lineno - 1, node.end_lineno))
    kept = [line for n, line in enumerate(lines) if n not in dropped and not line.lstrip().startswith("# --8<--")]
    text = "\n".join(kept).strip()
    while "\n\n\n\n" in text:
        text = text.replace("\n\n\n\n", "\n\n\n")
    return text


def _cell(kind: str, source: str, number: int, name: str) -> dict:
    cell = {"cell_type": kind, "id": f"{name}-{number}", "metadata": {}, "source": source}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def _title(stub: Path) -> str:
    """The stub's task in one line: '연습 x: 한 줄 과제.' -> '한 줄 과제'."""
    first = ast.get_docstring(ast.parse(stub.read_text(encoding="utf-8"))).split("\n")[0]
    return first.split(": ", 1)[1].rstrip(".")


def notebook(name: str) -> dict:
    """The exercise notebook of the lecture page `name` (a key of PAGES), as nbformat 4 JSON."""
    title, topic = PAGES[name]
    exercises = [e for e in EXERCISES if e.topic == topic]
    page = f"../lecture/{name}.md"
    texts = [
        ("markdown", f"# 연습 노트북: {title}\n\n"
         f"[{title}]({page}) 페이지의 구현 문제 {len(exercises)}개를 스텁과 채점 코드로 모았습니다. 모범 답안은 "
         "들어 있지 않습니다(페이지의 접힌 '모범 답안'에 있습니다). 필요한 것은 Python 3.11과 PyTorch뿐입니다.\n\n"
         "1. 아래 '채점 도구' 칸을 먼저 실행합니다. 고칠 필요는 없습니다.\n"
         "2. 문제마다 함수 칸의 `raise NotImplementedError` 줄을 지우고 함수를 완성한 뒤, 그 칸과 바로 아래 "
         "채점 칸을 실행합니다.\n"
         "3. 채점 칸은 통과하면 확인한 입력을, 아니면 어느 입력에서 무엇이 달랐는지를 보여 줍니다.\n\n"
         "사이트에 보이는 출력은 빌드 때 빈 스텁으로 실행한 결과라서 모두 '아직'입니다."),
        ("markdown", "## 채점 도구\n\n무작위 입력과 경계 사례에서 여러분의 함수를 기준 구현과 비교합니다."),
        ("code", portable_source(HERE / "checking.py") + "\n\n\n" + portable_source(HERE / f"{topic}.py")),
    ]
    for exercise in exercises:
        texts += [
            ("markdown", f"## {_title(exercise.stub)}\n\n"
             f"문제 설명: [{title} · `{exercise.id}`]({page}#ex-{exercise.id}). "
             f"같은 채점을 터미널에서 하려면 `python -m snippets.exercises.check {exercise.id} 내_파일.py`."),
            ("code", portable_source(exercise.stub)),
            ("code", f"report({exercise.check_name}, {exercise.function})"),
        ]
    return {
        "cells": [_cell(kind, source, n, name) for n, (kind, source) in enumerate(texts, start=1)],
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
# --8<-- [end:make]


def path(name: str) -> Path:
    return DOCS / "exercises" / f"{name}.ipynb"


def render(name: str) -> str:
    """The notebook's file content, as committed."""
    return json.dumps(notebook(name), ensure_ascii=False, indent=1) + "\n"


def main(argv: list[str]) -> None:
    for name, (title, topic) in PAGES.items():
        ids = [e.id for e in EXERCISES if e.topic == topic]
        print(f"docs/exercises/{name}.ipynb ({title}): {', '.join(ids)}")
        if argv == ["--write"]:
            path(name).parent.mkdir(exist_ok=True)
            path(name).write_text(render(name), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])

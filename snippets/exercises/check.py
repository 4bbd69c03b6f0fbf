"""Every exercise with a checker, and the one command a learner runs against the file or repository they edit.

    python -m snippets.exercises.check                       # the exercises and how to check one
    python -m snippets.exercises.check gru-swapped my_gru.py # the first time: writes the stub to my_gru.py
    python -m snippets.exercises.check gru-swapped my_gru.py # then: checks the function in it (exit status 0 or 1)
    python -m snippets.exercises.check git-rescue ex-rescue  # a Git exercise: checks that repository's state

Implement exercises: the stub is snippets/exercises/stubs/<id>.py, the checker `check_*` in
snippets/exercises/<topic>.py, the reference solution in snippets/exercises/solutions/<topic>.py.
Git exercises: setup and solution scripts in snippets/exercises/git/, checkers in snippets/exercises/git_tasks.py.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Exercise:
    """An exercise with a checker: `topic` names the checker module, `function` what the learner writes."""

    id: str
    topic: str
    check_name: str
    function: str = ""  # empty for a Git exercise: the learner changes a repository, not a file

    @property
    def kind(self) -> str:
        return "git" if not self.function else "implement"

    @property
    def stub(self) -> Path:
        return HERE / "stubs" / f"{self.id.replace('-', '_')}.py"

    def checker(self) -> Callable:
        return getattr(importlib.import_module(f"snippets.exercises.{self.topic}"), self.check_name)

    def solution(self) -> Callable:
        return getattr(importlib.import_module(f"snippets.exercises.solutions.{self.topic}"), self.function)

    def stub_function(self) -> Callable:
        return load(self.stub, self.function)


EXERCISES = [
    Exercise("seq-windows", "sequence", "check_windows", "windows_by_slicing"),
    Exercise("seq-ema", "sequence", "check_ema", "ema_closed_form"),
    Exercise("rnn-clip", "rnn", "check_clip", "clip_by_global_norm"),
    Exercise("rnn-reverse", "rnn", "check_reverse", "reverse_rnn"),
    Exercise("lstm-forget-bias", "lstm", "check_forget_bias", "set_forget_bias"),
    Exercise("lstm-last-state", "lstm", "check_last_state", "last_hidden"),
    Exercise("gru-swapped", "gru", "check_swapped", "gru_step_swapped"),
    Exercise("tf-positions", "transformer", "check_positions", "sinusoidal_positions"),
    Exercise("tf-layer-norm", "transformer", "check_layer_norm", "layer_norm"),
    Exercise("attn-padding", "attention", "check_padding", "padded_attention"),
    Exercise("attn-head-weights", "attention", "check_head_weights", "head_weights"),
    Exercise("mask-window", "masking", "check_window", "sliding_window_mask"),
    Exercise("mask-prefix", "masking", "check_prefix", "causal_attention_by_prefix"),
    Exercise("vit-patchify", "vit", "check_patchify", "patchify_by_reshape"),
    Exercise("vit-unpatchify", "vit", "check_unpatchify", "unpatchify"),
    Exercise("git-partial", "git_tasks", "check_partial"),
    Exercise("git-rescue", "git_tasks", "check_rescue"),
    Exercise("git-sync", "git_tasks", "check_sync"),
    Exercise("git-bisect", "git_tasks", "check_bisect"),
    Exercise("git-bisect-skip", "git_tasks", "check_bisect_skip"),
    Exercise("git-conflict", "git_tasks", "check_conflict"),
    Exercise("git-push", "git_tasks", "check_push"),
]
BY_ID = {exercise.id: exercise for exercise in EXERCISES}


def load(path: Path, name: str) -> Callable:
    """The function `name` defined by the Python file at `path`. Raises AssertionError saying what is wrong."""
    spec = importlib.util.spec_from_file_location(f"_exercise_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as error:
        raise AssertionError(f"{path}을(를) 실행하지 못했습니다: {type(error).__name__}: {error}") from error
    if not callable(getattr(module, name, None)):
        raise AssertionError(f"{path}에 함수 {name}이(가) 없습니다. 스텁의 함수 이름을 바꾸지 마세요.")
    return getattr(module, name)


def verdict(exercise_id: str, fn_or_repo) -> str:
    """The checker's verdict on a function (implement) or a repository folder (Git): the inputs it matched.

    Raises AssertionError, with the checker's message, when they do not match.
    """
    exercise = BY_ID[exercise_id]
    found = exercise.checker()(fn_or_repo)
    if exercise.kind == "git":
        return "통과: 저장소가 문제에서 요구한 상태입니다.\n" + "\n".join(f"  · {line}" for line in found)
    from snippets.exercises.checking import passed  # imports torch, which a Git check does not need

    return passed(found)


def run(exercise_id: str, target: Path) -> int:
    """The command's work: 0 if the check passes (or the stub was just written), 1 with the reason if not."""
    exercise = BY_ID.get(exercise_id)
    if exercise is None:
        print(f"연습 문제 {exercise_id!r}가 없습니다. 있는 것: {', '.join(BY_ID)}")
        return 1
    if exercise.kind == "implement" and not target.exists():
        target.write_text(exercise.stub.read_text(encoding="utf-8"), encoding="utf-8")
        print(f"스텁을 {target}에 만들었습니다. 함수 {exercise.function}을(를) 채운 뒤 같은 명령을 다시 실행하세요.")
        return 0
    if exercise.kind == "git" and not target.is_dir():
        print(f"{target} 폴더가 없습니다. 페이지의 준비 블록으로 연습 저장소를 먼저 만드세요.")
        return 1
    try:
        fn_or_repo = load(target, exercise.function) if exercise.kind == "implement" else target
        print(f"{exercise_id}: {verdict(exercise_id, fn_or_repo)}")
    except AssertionError as error:
        print(f"{exercise_id}: 아직 통과하지 못했습니다.\n{error}")
        return 1
    return 0


def verdicts(topic: str) -> str:
    """The checker's verdict on every reference solution of a checker module (what a solutions file prints)."""
    return "\n".join(f"{e.id}: {verdict(e.id, e.solution())}" for e in EXERCISES if e.topic == topic)


def self_test(topic: str) -> None:
    """For each implement exercise of a checker module: the reference solution passes and the stub fails."""
    for exercise in (e for e in EXERCISES if e.topic == topic):
        cases = exercise.checker()(exercise.solution())
        try:
            exercise.checker()(exercise.stub_function())
        except AssertionError as error:
            print(f"{exercise.id}: 모범 답안은 입력 {len(cases)}개 통과, 스텁은 실패 ({str(error).split(':')[0]})")
        else:
            raise SystemExit(f"{exercise.id}: the checker passed the unsolved stub")


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("사용법: python -m snippets.exercises.check <문제> <내 파일 또는 연습 저장소>\n")
        for exercise in EXERCISES:
            what = f"함수 {exercise.function}" if exercise.function else "연습 저장소"
            print(f"  {exercise.id:<18} {what}")
        return 0 if not argv else 2
    return run(argv[0], Path(argv[1]))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

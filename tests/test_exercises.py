"""The exercises: every lecture and Git page ends with them, every checker passes its solution and is proven able
to fail (on the unsolved stub or setup, and on plausible wrong answers) with a message naming what differed."""

from __future__ import annotations

import ast
import json
import math
import os
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from snippets.exercises import check, notebooks
from snippets.exercises.check import BY_ID, EXERCISES

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
GIT_SCRIPTS = ROOT / "snippets" / "exercises" / "git"
PAGES = [*(p for p in sorted((DOCS / "lecture").glob("*.md")) if p.name != "index.md"),
         *(p for p in sorted((DOCS / "git").glob("*.md")) if p.name != "index.md")]
HEADING = re.compile(r"^### (?P<title>.+?) \{ #ex-(?P<id>[a-z0-9-]+) \}$", re.M)
META = re.compile(r"\*\*(?P<kind>예측|구현|Git) · (?P<level>쉬움|보통|어려움)\.\*\*")
KINDS = {"예측": "predict", "구현": "implement", "Git": "git"}
IMPLEMENT = [e for e in EXERCISES if e.kind == "implement"]
GIT = [e for e in EXERCISES if e.kind == "git"]


def page_exercises(page: Path) -> list[dict]:
    """Every exercise on a page, in order: id, title, kind, level and the Markdown up to the next exercise."""
    text = page.read_text(encoding="utf-8")
    found = list(HEADING.finditer(text))
    exercises = []
    for k, match in enumerate(found):
        body = text[match.end() : found[k + 1].start() if k + 1 < len(found) else len(text)]
        meta = META.match(body.lstrip())
        assert meta, f"{page.relative_to(ROOT)}: exercise {match['id']} does not start with **종류 · 난이도.**"
        exercises.append({"id": match["id"], "title": match["title"], "kind": KINDS[meta["kind"]],
                          "level": meta["level"], "body": body, "page": page})
    return exercises


ALL = [exercise for page in PAGES for exercise in page_exercises(page)]


# --- the pages -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("page", PAGES, ids=[p.relative_to(DOCS).as_posix() for p in PAGES])
def test_page_ends_with_two_to_four_exercises(page):
    """Asserts that each lecture topic page and Git page ends with a '연습 문제' section of 2 to 4 exercises."""
    text = page.read_text(encoding="utf-8")
    sections = re.findall(r"^## (.+)$", text, re.M)
    assert sections[-1] == "연습 문제", f"{page.name}: the last section is '{sections[-1]}'"
    last = text[text.index("\n## 연습 문제\n") :]
    assert 2 <= len(HEADING.findall(last)) == len(HEADING.findall(text)) <= 4


def test_there_are_at_least_thirty_exercises_of_all_three_kinds():
    """Asserts at least 30 exercises, unique ids, and each kind and difficulty used."""
    ids = [e["id"] for e in ALL]
    assert len(ids) >= 30 and len(set(ids)) == len(ids), ids
    assert {e["kind"] for e in ALL} == set(KINDS.values())
    assert {e["level"] for e in ALL} == {"쉬움", "보통", "어려움"}


def test_index_lists_every_exercise_with_page_kind_and_difficulty():
    """Asserts that docs/exercises/index.md has one row per exercise: its title, page, kind and difficulty."""
    row = re.compile(r"^\| \[(?P<title>.+?)\]\(\.\./(?P<page>(?:lecture|git)/[\w-]+\.md)#ex-(?P<id>[a-z0-9-]+)\) "
                     r"\| (?P<kind>예측|구현|Git) \| (?P<level>쉬움|보통|어려움) \|$", re.M)
    listed = {(m["page"], m["id"], m["title"], KINDS[m["kind"]], m["level"])
              for m in row.finditer((DOCS / "exercises/index.md").read_text(encoding="utf-8"))}
    on_pages = {(e["page"].relative_to(DOCS).as_posix(), e["id"], e["title"], e["kind"], e["level"]) for e in ALL}
    assert listed == on_pages, {"not on the index": on_pages - listed, "not on a page": listed - on_pages}


@pytest.mark.parametrize("exercise", [e for e in ALL if e["kind"] == "predict"], ids=lambda e: e["id"])
def test_predict_answer_is_collapsed_executed_output(exercise):
    """Asserts that a predict exercise shows its code (in a session) and answers in a collapsed block whose
    output is an executed fence of that session, not typed text (the fence may carry more attributes: a check
    of the claim the answer makes shows its source)."""
    body = exercise["body"]
    session = re.search(r'^```\{ \.python session="(ex-[a-z0-9-]+)" \}$', body, re.M)
    assert session, f"{exercise['id']}: no question block in a session"
    answer = body[body.index('??? success "정답"') :]
    fences = re.findall(r"^    ```python (.*)$", answer, re.M)
    assert any('exec="on"' in info.split() and f'session="{session[1]}"' in info.split() for info in fences), fences


def test_registered_exercises_are_the_implement_and_git_exercises_on_the_pages():
    """Asserts that snippets/exercises/check.py registers exactly the pages' implement and Git exercises."""
    assert {(e["id"], e["kind"]) for e in ALL if e["kind"] != "predict"} == {(e.id, e.kind) for e in EXERCISES}


@pytest.mark.parametrize("exercise", [e for e in ALL if e["kind"] != "predict"], ids=lambda e: e["id"])
def test_page_prints_the_check_command_and_runs_the_solution_through_the_checker(exercise):
    """Asserts that an implement or Git exercise prints its one check command, shows its stub or setup, and has a
    collapsed solution whose checker verdict is executed at build."""
    body, ident = exercise["body"], exercise["id"]
    registered = BY_ID[ident]
    answer = body[body.index('??? success "모범 답안"') :]
    if registered.kind == "implement":
        stub = registered.stub.relative_to(ROOT).as_posix()
        assert f'--8<-- "{stub}"' in body
        assert f"python -m snippets.exercises.check {ident} {registered.stub.name}" in body
        assert f'--8<-- "snippets/exercises/solutions/{registered.topic}.py:' in answer
        assert f'print(verdict("{ident}", {registered.function}))' in answer
    else:
        name = ident.removeprefix("git-")
        assert f'--8<-- "snippets/exercises/git/{name}-setup.sh"' in body
        assert f"python -m snippets.exercises.check {ident} ." in body
        assert f'--8<-- "snippets/exercises/git/{name}-solution.sh"' in answer
        assert f"    python -m snippets.exercises.check {ident} .\n" in answer


# --- implement exercises: solutions pass, stubs and wrong answers fail ---------------------------------------------

@pytest.mark.parametrize("exercise", IMPLEMENT, ids=lambda e: e.id)
def test_solution_passes_its_checker(exercise):
    """Asserts that the reference solution passes, on random inputs and on edge cases ('경계')."""
    cases = exercise.checker()(exercise.solution())
    assert len(cases) >= 4 and any(name.startswith("경계") for name in cases), cases


@pytest.mark.parametrize("exercise", IMPLEMENT, ids=lambda e: e.id)
def test_checker_fails_on_the_unsolved_stub(exercise):
    """Asserts that the checker rejects the stub a learner starts from, saying it is not implemented yet."""
    with pytest.raises(AssertionError, match="아직 구현하지 않았습니다: 함수가 NotImplementedError를 냈습니다"):
        exercise.checker()(exercise.stub_function())


def _seq_windows_shifted(x, tau):
    return torch.stack([x[k + 1 : len(x) - tau + k + 1] for k in range(tau)], dim=1), x[tau:]


def _seq_ema_including_now(x, decay):
    t = torch.arange(len(x), dtype=x.dtype)
    age = t[:, None] - t[None, :]  # h_t also weighs x_t
    return torch.where(age >= 0, (1 - decay) * decay ** age.clamp(min=0), torch.zeros_like(age)) @ x


def _seq_ema_by_logs(x, decay):
    t = torch.arange(len(x), dtype=x.dtype)
    age = t[:, None] - 1 - t[None, :]
    weights = (1 - decay) * torch.exp(age.clamp(min=0) * math.log(decay) if decay > 0 else -torch.inf * age)
    return torch.where(age >= 0, weights, torch.zeros_like(age)) @ x


def _clip_each(grads, max_norm):
    return [g * min(1.0, max_norm / g.norm().item()) if g.norm() > 0 else g.clone() for g in grads]


def _clip_always(grads, max_norm):
    norm = torch.sqrt(sum((g**2).sum() for g in grads))
    return [g * max_norm / norm for g in grads]  # also stretches short gradients up to max_norm


def _clip_in_place(grads, max_norm):
    norm = torch.sqrt(sum((g**2).sum() for g in grads)).item()
    return [g.mul_(min(1.0, max_norm / norm)) if norm > 0 else g for g in grads]


def _reverse_in_reading_order(x, weight_ih, weight_hh, bias_ih, bias_hh):
    h, states = x.new_zeros(x.shape[0], weight_hh.shape[0]), []
    for t in reversed(range(x.shape[1])):
        h = torch.tanh(x[:, t] @ weight_ih.T + bias_ih + h @ weight_hh.T + bias_hh)
        states.append(h)
    return torch.stack(states, dim=1)  # not put back at each step's own position


def _forward_rnn(x, weight_ih, weight_hh, bias_ih, bias_hh):
    h, states = x.new_zeros(x.shape[0], weight_hh.shape[0]), []
    for t in range(x.shape[1]):
        h = torch.tanh(x[:, t] @ weight_ih.T + bias_ih + h @ weight_hh.T + bias_hh)
        states.append(h)
    return torch.stack(states, dim=1)


def _forget_bias_on_input_gate(lstm, value):
    H = lstm.hidden_size
    for layer in range(lstm.num_layers):
        getattr(lstm, f"bias_ih_l{layer}")[:H] = value
        getattr(lstm, f"bias_hh_l{layer}")[:H] = 0.0


def _forget_bias_first_layer_only(lstm, value):
    H = lstm.hidden_size
    lstm.bias_ih_l0[H : 2 * H] = value
    lstm.bias_hh_l0[H : 2 * H] = 0.0


def _forget_bias_twice(lstm, value):
    H = lstm.hidden_size
    for layer in range(lstm.num_layers):
        getattr(lstm, f"bias_ih_l{layer}")[H : 2 * H] = value
        getattr(lstm, f"bias_hh_l{layer}")[H : 2 * H] = value


def _last_step(lstm, x, lengths):
    return lstm(x)[0][:, -1]


def _last_step_off_by_one(lstm, x, lengths):
    return lstm(x)[0][torch.arange(len(x)), lengths]


def _gru_cho_reset(x, h, weight_ih, weight_hh, bias_ih, bias_hh):
    H = h.shape[1]
    x_r, x_z, x_n = (x @ weight_ih.T + bias_ih).chunk(3, dim=1)
    h_r, h_z, _ = (h @ weight_hh.T + bias_hh).chunk(3, dim=1)
    r, z = torch.sigmoid(x_r + h_r), torch.sigmoid(x_z + h_z)
    n = torch.tanh(x_n + (r * h) @ weight_hh[2 * H :].T + bias_hh[2 * H :])  # r applied before W_hn
    return z * n + (1 - z) * h


def _positions_halves(T, C):
    p = torch.arange(T, dtype=torch.float64)[:, None]
    angle = p / 10000 ** (2 * torch.arange(C // 2, dtype=torch.float64) / C)
    return torch.cat([torch.sin(angle), torch.cos(angle)], dim=1)  # [sin | cos], not interleaved


def _positions_wrong_exponent(T, C):
    p = torch.arange(T, dtype=torch.float64)[:, None]
    angle = p / 10000 ** (torch.arange(C // 2, dtype=torch.float64) / C)
    table = torch.empty(T, C, dtype=torch.float64)
    table[:, 0::2], table[:, 1::2] = torch.sin(angle), torch.cos(angle)
    return table


def _layer_norm_unbiased(x, weight, bias, eps=1e-5):
    return (x - x.mean(-1, keepdim=True)) / torch.sqrt(x.var(-1, keepdim=True) + eps) * weight + bias


def _layer_norm_eps_outside(x, weight, bias, eps=1e-5):
    return (x - x.mean(-1, keepdim=True)) / (x.std(-1, keepdim=True, unbiased=False) + eps) * weight + bias


def _attention_without_mask(q, k, v, lengths):
    return torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1]), dim=-1) @ v


def _attention_masking_queries(q, k, v, lengths):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    real_query = torch.arange(q.shape[1])[None, :] < lengths[:, None]  # rows, where columns were meant
    return torch.softmax(scores.masked_fill(~real_query[:, :, None], -torch.inf), dim=-1).nan_to_num() @ v


def _attention_by_library(q, k, v, lengths):
    may_attend = torch.arange(k.shape[1])[None, :] < lengths[:, None]
    return F.scaled_dot_product_attention(q, k, v, attn_mask=may_attend[:, None, :])


def _head_weights(mha, x, *, scale=True, bias=True, project=True):
    B, T, C = x.shape
    nh = mha.num_heads
    hs = C // nh
    if project:
        projected = x @ mha.in_proj_weight.T + (mha.in_proj_bias if bias else 0)
        q, k, _ = projected.chunk(3, dim=-1)
    else:
        q = k = x  # the notes' reading: cut the embedding into heads, no projection first
    q, k = (t.reshape(B, T, nh, hs).transpose(1, 2) for t in (q, k))
    return torch.softmax(q @ k.transpose(-2, -1) / (math.sqrt(hs) if scale else 1), dim=-1)


def _heads_by_module(mha, x):
    return mha(x, x, x, average_attn_weights=False)[1]


def _window_ignoring_w(T, w):
    return torch.ones(T, T, dtype=torch.bool).tril()


def _window_as_integers(T, w):
    t, s = torch.arange(T)[:, None], torch.arange(T)[None, :]
    return ((s <= t) & (t - s < w)).long()


def _window_one_too_wide(T, w):
    t, s = torch.arange(T)[:, None], torch.arange(T)[None, :]
    return (s <= t) & (t - s <= w)


def _prefix_all_keys(q, k, v):
    return torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1]), dim=-1) @ v


def _prefix_by_mask(q, k, v):
    T = q.shape[-2]
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    causal = torch.ones(T, T, dtype=torch.bool).tril()
    return torch.softmax(scores.masked_fill(~causal, -torch.inf), dim=-1) @ v


def _patchify_by_unfold(images, P):
    from snippets.transformer.vit import patchify

    return patchify(images, P)


def _patchify_without_permute(images, P):
    B, channels, H, W = images.shape
    return images.reshape(B, (H // P) * (W // P), channels * P * P)


def _patchify_channel_last(images, P):
    B, channels, H, W = images.shape
    grid = images.reshape(B, channels, H // P, P, W // P, P).permute(0, 2, 4, 3, 5, 1)  # (row, col, channel)
    return grid.reshape(B, (H // P) * (W // P), channels * P * P)


def _unpatchify_without_permute(patches, P, H, W):
    return patches.reshape(patches.shape[0], 3, H, W)


def _unpatchify_by_fold(patches, P, H, W):
    return F.fold(patches.transpose(1, 2), output_size=(H, W), kernel_size=P, stride=P)


def _windows_by_unfold(x, tau):
    from snippets.sequence.autoregressive import windows

    return windows(x, tau)


# Each plausible wrong answer, and words its failure message must contain: the input it failed on and what differed.
WRONG = {
    "seq-windows": [
        (_seq_windows_shifted, ["입력 [무작위 1 (T=10, tau=3)]", "features 값이 기준과 다릅니다"]),
        (_windows_by_unfold, ["입력 [무작위 1 (T=10, tau=3)]", "쓰지 말라고 한 연산을 불렀습니다: `unfold`"]),
    ],
    "seq-ema": [
        (_seq_ema_including_now, ["입력 [무작위 1 (T=8, decay=0.9)]", "h 값이 기준과 다릅니다"]),
        (_seq_ema_by_logs, ["입력 [경계: decay = 0 (h_t = x_{t-1})]", "h 값이 기준과 다릅니다"]),
    ],
    "rnn-clip": [
        (_clip_each, ["입력 [무작위 1 (노름이 max_norm = 1보다 크다: 줄인다)]", "기울기 0번 값이 기준과 다릅니다"]),
        (_clip_always, ["입력 [무작위 2 (노름이 max_norm = 5보다 작다: 그대로)]", "기울기 0번 값이 기준과 다릅니다"]),
        (_clip_in_place, ["입력 [무작위 1 (노름이 max_norm = 1보다 크다: 줄인다)]", "제자리에서 바꿨습니다"]),
    ],
    "rnn-reverse": [
        (_reverse_in_reading_order, ["입력 [무작위 1 (B=2, T=5, I=3, H=4)]", "출력 값이 기준과 다릅니다"]),
        (_forward_rnn, ["입력 [무작위 1 (B=2, T=5, I=3, H=4)]", "출력 값이 기준과 다릅니다"]),
    ],
    "lstm-forget-bias": [
        (_forget_bias_on_input_gate, ["입력 [nn.LSTM(3, 4), value = 1]", "층 0의 망각 게이트 편향 합"]),
        (_forget_bias_first_layer_only, ["nn.LSTM(2, 5, num_layers=3)", "층 1의 망각 게이트 편향 합"]),
        (_forget_bias_twice, ["입력 [nn.LSTM(3, 4), value = 1]", "받은 값 2, 기준 값 1"]),
    ],
    "lstm-last-state": [
        (_last_step, ["입력 [무작위 1 (B=4, T=6, lengths=6,2,4,1)]", "마지막 상태 값이 기준과 다릅니다"]),
        (_last_step_off_by_one, ["입력 [무작위 1 (B=4, T=6, lengths=6,2,4,1)]", "IndexError"]),
    ],
    "gru-swapped": [
        (lambda *args: __import__("snippets.rnn.gru", fromlist=["gru_step"]).gru_step(*args),
         ["입력 [무작위 1 (B=3, I=4, H=5)]", "h_t 값이 기준과 다릅니다"]),
        (_gru_cho_reset, ["입력 [무작위 1 (B=3, I=4, H=5)]", "h_t 값이 기준과 다릅니다"]),
    ],
    "tf-positions": [
        (_positions_halves, ["입력 [T=4, C=4]", "위치 표 값이 기준과 다릅니다"]),
        (_positions_wrong_exponent, ["입력 [T=4, C=4]", "위치 표 값이 기준과 다릅니다"]),
    ],
    "tf-layer-norm": [
        (_layer_norm_unbiased, ["입력 [무작위 1 (shape=(2, 3, 8))]", "출력 값이 기준과 다릅니다"]),
        (_layer_norm_eps_outside, ["입력 [무작위 1 (shape=(2, 3, 8))]", "출력 값이 기준과 다릅니다"]),
    ],
    "attn-padding": [
        (_attention_without_mask, ["lengths=5,2)]", "출력 값이 기준과 다릅니다"]),
        (_attention_masking_queries, ["lengths=5,2)]", "출력 값이 기준과 다릅니다"]),
        (_attention_by_library, ["쓰지 말라고 한 연산을 불렀습니다: `scaled_dot_product_attention`"]),
    ],
    "attn-head-weights": [
        (lambda mha, x: _head_weights(mha, x, scale=False), ["C=16, nh=4)]", "헤드별 가중치 값이 기준과 다릅니다"]),
        (lambda mha, x: _head_weights(mha, x, bias=False), ["C=16, nh=4)]", "헤드별 가중치 값이 기준과 다릅니다"]),
        (lambda mha, x: _head_weights(mha, x, project=False), ["C=16, nh=4)]", "헤드별 가중치 값이 기준과 다릅니다"]),
        (_heads_by_module, ["쓰지 말라고 한 연산을 불렀습니다: `multi_head_attention_forward`"]),
    ],
    "mask-window": [
        (_window_ignoring_w, ["입력 [T=5, w=2]", "마스크 값이 기준과 다릅니다", "받은 값 True, 기준 값 False"]),
        (_window_as_integers, ["입력 [T=5, w=2]", "마스크의 자료형이 torch.int64입니다"]),
        (_window_one_too_wide, ["입력 [T=5, w=2]", "마스크 값이 기준과 다릅니다"]),
    ],
    "mask-prefix": [
        (_prefix_all_keys, ["입력 [무작위 1 (B=1, nh=1, T=4, hs=3)]", "출력 값이 기준과 다릅니다"]),
        (_prefix_by_mask, ["쓰지 말라고 한 연산을 불렀습니다: `tril`"]),
    ],
    "vit-patchify": [
        (_patchify_by_unfold, ["입력 [32×32, P=8 (페이지의 그림)]", "쓰지 말라고 한 연산을 불렀습니다: `unfold`"]),
        (_patchify_without_permute, ["입력 [32×32, P=8 (페이지의 그림)]", "패치 값이 기준과 다릅니다"]),
        (_patchify_channel_last, ["입력 [32×32, P=8 (페이지의 그림)]", "패치 값이 기준과 다릅니다"]),
    ],
    "vit-unpatchify": [
        (_unpatchify_without_permute, ["입력 [32×32, P=8 (페이지의 그림)]", "이미지 값이 기준과 다릅니다"]),
        (_unpatchify_by_fold, ["쓰지 말라고 한 연산을 불렀습니다: `fold`"]),
    ],
}
WRONG_CASES = [(ident, k, fn, words) for ident, answers in WRONG.items() for k, (fn, words) in enumerate(answers)]


def test_every_implement_exercise_has_wrong_answers():
    """Asserts that each implement checker is tried on at least one plausible wrong answer below."""
    assert set(WRONG) == {e.id for e in IMPLEMENT}


@pytest.mark.parametrize(("ident", "number", "wrong", "words"), WRONG_CASES,
                         ids=[f"{ident}-{k}" for ident, k, _, _ in WRONG_CASES])
def test_checker_fails_on_a_plausible_wrong_answer_naming_input_and_difference(ident, number, wrong, words):
    """Asserts that the checker rejects the wrong answer with a message naming the input and what differed."""
    with pytest.raises(AssertionError) as failure:
        BY_ID[ident].checker()(wrong)
    message = str(failure.value)
    assert message.startswith("입력 ["), message
    for word in words:
        assert word in message, message


def test_check_command_writes_the_stub_fails_on_it_then_passes_the_solution(tmp_path):
    """Asserts the learner's one command end to end (a process, as on the page): the first run writes the stub,
    the second fails on it (exit status 1, the reason printed), a filled file passes (exit status 0)."""
    def command(*args):
        return subprocess.run([sys.executable, "-m", "snippets.exercises.check", *args], cwd=tmp_path,
                              capture_output=True, text=True, timeout=120, check=False)

    first = command("gru-swapped", "mine.py")
    assert first.returncode == 0 and "스텁을 mine.py에 만들었습니다" in first.stdout, first
    assert (tmp_path / "mine.py").read_text(encoding="utf-8") == BY_ID["gru-swapped"].stub.read_text(encoding="utf-8")
    second = command("gru-swapped", "mine.py")
    assert second.returncode == 1 and "NotImplementedError" in second.stdout, second
    (tmp_path / "mine.py").write_text("from snippets.exercises.solutions.gru import gru_step_swapped\n")
    third = command("gru-swapped", "mine.py")
    assert third.returncode == 0 and "통과: 입력 7개에서 기준과 같습니다" in third.stdout, third
    listing = command()
    assert listing.returncode == 0 and all(e.id in listing.stdout for e in EXERCISES)


@pytest.mark.parametrize("exercise", IMPLEMENT, ids=lambda e: e.id)
def test_check_command_on_stub_and_filled_file(exercise, tmp_path, capsys):
    """Asserts, for every implement exercise, what the command does with the stub file and with a solved file."""
    mine = tmp_path / "mine.py"
    assert check.run(exercise.id, mine) == 0 and mine.is_file()
    assert check.run(exercise.id, mine) == 1
    assert "아직 통과하지 못했습니다" in capsys.readouterr().out
    mine.write_text(f"from snippets.exercises.solutions.{exercise.topic} import {exercise.function}\n")
    assert check.run(exercise.id, mine) == 0
    assert "통과" in capsys.readouterr().out
    mine.write_text("def something_else(): pass\n")
    assert check.run(exercise.id, mine) == 1
    assert f"함수 {exercise.function}이(가) 없습니다" in capsys.readouterr().out


# --- Git exercises: checkers read a practice repository ------------------------------------------------------------

@pytest.fixture
def practice(monkeypatch, tmp_path):
    """Runs a Git exercise's setup script in an empty folder, with no user configuration, as the page does."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")

    def run(name: str, *scripts: str) -> Path:
        for script in (f"{name}-setup.sh", *scripts):
            text = (GIT_SCRIPTS / script).read_text(encoding="utf-8") if script.endswith(".sh") else script
            done = subprocess.run(["bash", "-euo", "pipefail", "-c", text], cwd=tmp_path,
                                  capture_output=True, text=True, timeout=120, check=False)
            assert done.returncode == 0, f"{script}:\n{done.stdout}\n{done.stderr}"
        return tmp_path

    return run


REPOSITORY = {"git-partial": "ex-partial", "git-rescue": "ex-rescue", "git-sync": "ex-sync", "git-bisect": "ex-bisect",
              "git-bisect-skip": "ex-skip", "git-conflict": "ex-conflict", "git-push": "ex-push/me"}


@pytest.mark.parametrize("exercise", GIT, ids=lambda e: e.id)
def test_git_solution_passes_and_unsolved_setup_fails(exercise, practice):
    """Asserts that the checker rejects the repository as the setup leaves it, and accepts it after the page's
    solution script."""
    name = exercise.id.removeprefix("git-")
    folder = practice(name) / REPOSITORY[exercise.id]
    with pytest.raises(AssertionError):
        exercise.checker()(folder)
    subprocess.run(["bash", "-euo", "pipefail", str(GIT_SCRIPTS / f"{name}-solution.sh")], cwd=folder.parent
                   if exercise.id != "git-push" else folder.parent.parent, check=True, capture_output=True)
    assert exercise.checker()(folder)


# Wrong ways to do each Git task (run inside the practice repository) and words the failure message must contain.
GIT_WRONG = {
    "git-partial": [
        ("", ["새 커밋이 없습니다"]),
        ('git commit -qam "둘 다"', ["새 커밋에 train.txt의 변경이 들어갔습니다"]),
        ("git restore --staged train.txt && git restore train.txt && git commit -qm a",
         ["train.txt의 변경이 사라졌습니다"]),
        ('git restore --staged model.txt && git commit -qm "train만"', ["새 커밋에 train.txt의 변경이 들어갔습니다"]),
    ],
    "git-rescue": [
        ("", ["브랜치 rescue이(가) 없습니다"]),
        ("git branch rescue", ["rescue에서 커밋 '아이디어'에 닿을 수 없습니다", "'기록 2'"]),
        ("git switch -qc rescue && git cherry-pick 'HEAD@{2}' > /dev/null", ["복사본"]),
        ("git branch rescue 'HEAD@{1}' && git merge -q --no-edit rescue", ["master가 움직였습니다"]),
    ],
    "git-sync": [
        ("", ["exp에 master의 커밋 'master: 일정'이 없습니다"]),
        ("git switch -q master && git merge -q --no-edit exp", ["master가 움직였습니다"]),
        ("git rebase -q master", ["병합 커밋이 아닙니다(부모 1개)"]),
    ],
    "git-bisect": [
        ("", ["태그 first-bad가 없습니다"]),
        ("git tag first-bad master~6", ["'메모 10'", "테스트를 통과하는 커밋입니다"]),
        ("git tag first-bad master", ["'메모 16'", "그보다 앞에 이미 실패하는 커밋이 있습니다"]),
        ("git bisect start master master~15 > /dev/null && git bisect run ../test_clip.sh > /dev/null 2>&1 "
         "&& git tag first-bad refs/bisect/bad", ["bisect가 아직 끝나지 않았습니다"]),
    ],
    "git-bisect-skip": [
        ("git bisect start master master~11 > /dev/null && git bisect run ../test_mean.sh > /dev/null 2>&1 "
         "&& git tag first-bad refs/bisect/bad && git bisect reset > /dev/null 2>&1",
         ["문법 오류가 있어 테스트할 수 없는 커밋입니다", "종료 코드 125"]),
    ],
    "git-conflict": [
        ("", ["병합이 아직 진행 중입니다"]),
        ("git add schedule.txt && git commit -q --no-edit", ["충돌 표시가 남아 있습니다", "<<<<<<< HEAD"]),
        ("git checkout --theirs schedule.txt && git add schedule.txt && git commit -q --no-edit",
         ["장소 줄 '장소: 온라인'에 2층 회의실이(가) 없습니다"]),
        ("git merge --abort", ["master에 exp를 병합한 커밋이 아닙니다"]),
    ],
    "git-push": [
        ("", ["origin의 master에 내 커밋 '나: 다음 주제'가 없습니다"]),
        ("git push -q --force origin master", ["팀원의 커밋 '팀원: 모임 일정'이 없습니다", "--force"]),
    ],
}
GIT_WRONG_CASES = [(ident, k, how, words) for ident, ways in GIT_WRONG.items() for k, (how, words) in enumerate(ways)]


def test_every_git_exercise_has_wrong_ways():
    assert set(GIT_WRONG) == {e.id for e in GIT}


@pytest.mark.parametrize(("ident", "number", "how", "words"), GIT_WRONG_CASES,
                         ids=[f"{ident}-{k}" for ident, k, _, _ in GIT_WRONG_CASES])
def test_git_checker_fails_on_a_wrong_way_saying_what_is_wrong(ident, number, how, words, practice):
    """Asserts that the checker rejects the repository a wrong way leaves (or the untouched setup, for ''), with a
    message naming what in the repository is not as asked."""
    folder = practice(ident.removeprefix("git-")) / REPOSITORY[ident]
    if how:
        subprocess.run(["bash", "-euo", "pipefail", "-c", how], cwd=folder, check=True, capture_output=True)
    with pytest.raises(AssertionError) as failure:
        BY_ID[ident].checker()(folder)
    for word in words:
        assert word in str(failure.value), str(failure.value)


def test_bisect_setups_need_the_whole_search(practice):
    """Asserts that the skip exercise's naive bisect really lands on an untestable commit (so the exercise needs
    exit status 125), and that each first bad commit follows a testable good one (so it is well defined)."""
    from snippets.exercises.git_tasks import _verdicts

    folder = practice("bisect-skip") / "ex-skip"
    verdicts = [v for _, _, v in _verdicts(folder, "stats.py", "assert mean([1, 2]) == 1.5")]
    first_bad = verdicts.index("bad")
    assert "broken" in verdicts[:first_bad] and verdicts[first_bad - 1] == "good", verdicts


# --- downloadable notebooks ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(notebooks.PAGES))
def test_notebook_is_up_to_date(name):
    """Asserts that docs/exercises/<page>.ipynb is what snippets/exercises/notebooks.py makes from today's stubs and
    checkers (fix: python -m snippets.exercises.notebooks --write)."""
    assert notebooks.path(name).read_text(encoding="utf-8") == notebooks.render(name), (
        f"{notebooks.path(name).relative_to(ROOT)} is out of date: run python -m snippets.exercises.notebooks --write"
    )


@pytest.mark.parametrize("name", list(notebooks.PAGES))
def test_notebook_has_stubs_and_checkers_and_no_solution(name):
    """Asserts that a notebook holds every implement exercise of its page (stub, checker, check call), imports only
    torch and the standard library, and contains no line of any solution."""
    nb = notebooks.notebook(name)
    code = "\n".join(cell["source"] for cell in nb["cells"] if cell["cell_type"] == "code")
    topic = notebooks.PAGES[name][1]
    for exercise in (e for e in IMPLEMENT if e.topic == topic):
        assert f"def {exercise.function}(" in code and "raise NotImplementedError" in code
        assert f"def {exercise.check_name}(" in code and f"report({exercise.check_name}, {exercise.function})" in code
    imported = {alias.name.split(".")[0] for node in ast.walk(ast.parse(code)) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(ast.parse(code)) if isinstance(node, ast.ImportFrom)}
    assert imported <= {"torch", "math", "copy", "collections", "dataclasses"}, imported
    solution = (ROOT / "snippets/exercises/solutions" / f"{topic}.py").read_text(encoding="utf-8")
    checker = (ROOT / "snippets/exercises" / f"{topic}.py").read_text(encoding="utf-8")
    body_lines = {line.strip() for line in solution.split("\n") if line.startswith("    ") and len(line.strip()) > 12}
    leaked = [line for line in body_lines if line in code and line not in checker]  # a reference may share a line
    assert not leaked, leaked


@pytest.mark.parametrize("name", list(notebooks.PAGES))
def test_notebook_checks_fail_stubs_and_pass_solutions_on_their_own(name, capsys, monkeypatch):
    """Asserts that the notebook's code, run as a learner runs it (no snippets package), reports '아직' on each stub
    and passes once the stub is replaced by the reference solution."""
    nb = notebooks.notebook(name)
    kernel = types.ModuleType(f"notebook_{name}")  # a module of its own, as a kernel's __main__ is
    namespace = kernel.__dict__
    monkeypatch.setitem(sys.modules, kernel.__name__, kernel)
    topic = notebooks.PAGES[name][1]
    solution = (ROOT / "snippets/exercises/solutions" / f"{topic}.py").read_text(encoding="utf-8")
    for cell in (c for c in nb["cells"] if c["cell_type"] == "code"):
        exec(compile(cell["source"], name, "exec"), namespace)
    stubs = capsys.readouterr().out
    exercises = [e for e in IMPLEMENT if e.topic == topic]
    assert stubs.count("아직 통과하지 못했습니다") == len(exercises), stubs
    exec(compile(solution.replace("from __future__ import annotations", ""), "solution", "exec"), namespace)
    for exercise in exercises:
        exec(f"report({exercise.check_name}, {exercise.function})", namespace)
    assert capsys.readouterr().out.count("통과: 입력") == len(exercises)


def test_each_lecture_page_with_implement_exercises_offers_its_notebook():
    """Asserts that each lecture page with implement exercises links its notebook, and that notebooks exist for
    exactly those pages; they are downloads, not pages (mkdocs-jupyter ignores them, nav does not list them)."""
    pages = {e["page"].stem for e in ALL if e["kind"] == "implement"}
    assert pages == set(notebooks.PAGES)
    for name in pages:
        assert f"](../exercises/{name}.ipynb)" in (DOCS / "lecture" / f"{name}.md").read_text(encoding="utf-8")
    assert {p.stem for p in (DOCS / "exercises").glob("*.ipynb")} == pages
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert re.search(r'^\s+ignore: \[[^\]]*"exercises/\*\.ipynb"', config, re.M), "mkdocs-jupyter must ignore them"
    assert not any(f"exercises/{name}.ipynb" in config for name in pages)
    json.loads(notebooks.render(next(iter(pages))))  # valid JSON

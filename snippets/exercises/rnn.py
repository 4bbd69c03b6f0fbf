"""Checkers for the RNN page's exercises (docs/lecture/rnn.md): gradient clipping and a backward-reading RNN.

References:
    Pascanu, Mikolov, Bengio. On the Difficulty of Training Recurrent Neural Networks. ICML 2013, arXiv:1211.5063
    (gradient norm clipping); Schuster, Paliwal. Bidirectional Recurrent Neural Networks. IEEE Trans. Signal
    Processing 45(11), 1997.
The references are `torch.nn.utils.clip_grad_norm_` and the reverse half of `nn.RNN(bidirectional=True)`.
"""

from __future__ import annotations

import torch
from torch import nn

from snippets.exercises.checking import Case, call, compare, fresh, random_case


# --8<-- [start:checks]
def clip_reference(grads: list[torch.Tensor], max_norm: float) -> list[torch.Tensor]:
    params = [nn.Parameter(torch.zeros_like(g)) for g in grads]
    for param, grad in zip(params, grads, strict=True):
        param.grad = grad.clone()
    nn.utils.clip_grad_norm_(params, max_norm)  # scales by max_norm / (norm + 1e-6) when that is below 1
    return [param.grad for param in params]


def gradients(seed: int, scale: float, shapes=((4, 3), (4,), (2, 2, 2))) -> list[torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(shape, generator=g, dtype=torch.float64) * scale for shape in shapes]


def check_clip(fn) -> list[str]:
    """fn(grads, max_norm) must return the grads scaled together so that their joint norm is at most max_norm."""
    cases = [
        Case("무작위 1 (노름이 max_norm = 1보다 크다: 줄인다)", (gradients(1, 3.0), 1.0)),
        Case("무작위 2 (노름이 max_norm = 5보다 작다: 그대로)", (gradients(2, 0.1), 5.0)),
        Case("무작위 3 (텐서 하나, max_norm = 0.5)", (gradients(3, 1.0, shapes=((6,),)), 0.5)),
        Case("경계: 모든 기울기가 0",
             ([torch.zeros(3, dtype=torch.float64), torch.zeros(2, 2, dtype=torch.float64)], 1.0)),
        Case("경계: 한 텐서만 크다 (텐서마다 따로 자르면 틀린다)",
             ([torch.full((3,), 10.0, dtype=torch.float64), torch.full((3,), 0.1, dtype=torch.float64)], 1.0)),
    ]
    for case in cases:
        grads, max_norm = case.args
        before = [g.clone() for g in grads]
        got = call(fn, case.name, grads, max_norm)
        for k, (grad, original) in enumerate(zip(grads, before, strict=True)):
            if not torch.equal(grad, original):  # the input against its own clone: untouched means bit for bit
                raise AssertionError(
                    f"입력 [{case.name}]에서 입력 기울기 {k}번을 제자리에서 바꿨습니다. 새 텐서를 돌려주세요."
                )
        expected = clip_reference(before, max_norm)
        if not isinstance(got, list | tuple) or len(got) != len(expected):
            raise AssertionError(f"입력 [{case.name}]에서 기울기 {len(expected)}개의 리스트를 돌려주어야 합니다.")
        for k, (mine, reference) in enumerate(zip(got, expected, strict=True)):
            # rtol: torch divides by norm + 1e-6, a learner usually by norm alone
            compare(f"기울기 {k}번", mine, reference, case.name, atol=1e-9, rtol=1e-5)
    return [case.name for case in cases]


def reverse_reference(x, weight_ih, weight_hh, bias_ih, bias_hh) -> torch.Tensor:
    """The backward half of a bidirectional nn.RNN given these weights: its output at t has read x_T..x_t."""
    H = weight_hh.shape[0]
    rnn = nn.RNN(x.shape[2], H, batch_first=True, bidirectional=True, dtype=x.dtype)
    with torch.no_grad():
        for name, value in zip(("weight_ih", "weight_hh", "bias_ih", "bias_hh"),
                               (weight_ih, weight_hh, bias_ih, bias_hh), strict=True):
            getattr(rnn, f"{name}_l0_reverse").copy_(value)
        return rnn(x)[0][..., H:]  # (B, T, 2H): forward half, then backward half


def check_reverse(fn) -> list[str]:
    """fn(x, weight_ih, weight_hh, bias_ih, bias_hh) must return (B, T, H), state t having read x_T..x_t."""
    cases = []
    for number, (B, T, features, H) in enumerate([(2, 5, 3, 4), (1, 7, 2, 3), (3, 4, 4, 2)], start=1):
        g = torch.Generator().manual_seed(number)
        x = torch.randn(B, T, features, generator=g, dtype=torch.float64)
        weights = [torch.randn(H, n, generator=g, dtype=torch.float64) * 0.5 for n in (features, H)]
        biases = [torch.randn(H, generator=g, dtype=torch.float64) * 0.5 for _ in range(2)]
        cases.append(Case(random_case(number, B=B, T=T, I=features, H=H), (x, *weights, *biases)))
    x, *parameters = cases[0].args
    cases.append(Case("경계: T = 1", (x[:, :1], *parameters)))
    for case in cases:
        got = call(fn, case.name, *fresh(case.args))
        compare("출력", got, reverse_reference(*case.args), case.name)
    return [case.name for case in cases]
# --8<-- [end:checks]


def main() -> None:
    from snippets.exercises.check import self_test

    self_test("rnn")


if __name__ == "__main__":
    main()

"""Checker for the GRU page's exercise (docs/lecture/gru.md): one GRU step with the update gate's roles swapped.

References:
    Chung, Gulcehre, Cho, Bengio. Empirical Evaluation of Gated Recurrent Neural Networks on Sequence Modeling.
    arXiv:1412.3555, 2014 (eq. 5 writes h_t = (1 - z_t) h_{t-1} + z_t h̃_t, the swapped convention).
The reference is `torch.nn.GRUCell` with its update-gate rows negated: σ(-a) = 1 - σ(a).
"""

from __future__ import annotations

import torch
from torch import nn

from snippets.exercises.checking import Case, call, compare, fresh, random_case


# --8<-- [start:checks]
def swapped_reference(x, h, weight_ih, weight_hh, bias_ih, bias_hh) -> torch.Tensor:
    """nn.GRUCell computes (1 - z') n + z' h; with its z rows negated, z' = σ(-a) = 1 - z: it gives z n + (1 - z) h."""
    H = h.shape[1]
    flip = torch.ones(3 * H, 1, dtype=x.dtype)
    flip[H : 2 * H] = -1  # rows H..2H are the z block (r | z | n)
    cell = nn.GRUCell(x.shape[1], H, dtype=x.dtype)
    with torch.no_grad():
        cell.weight_ih.copy_(weight_ih * flip)
        cell.weight_hh.copy_(weight_hh * flip)
        cell.bias_ih.copy_(bias_ih * flip[:, 0])
        cell.bias_hh.copy_(bias_hh * flip[:, 0])
        return cell(x, h)


def gru_cases() -> list[Case]:
    """Random steps of several sizes, then edges: h = 0, a batch of one, an update gate held near 1 and near 0."""
    cases = []
    sizes = [(3, 4, 5), (1, 2, 3), (4, 6, 2), (2, 5, 7)]
    for number, (B, features, H) in enumerate(sizes, start=1):
        g = torch.Generator().manual_seed(number)
        x = torch.randn(B, features, generator=g, dtype=torch.float64)
        h = torch.randn(B, H, generator=g, dtype=torch.float64)
        weights = [torch.randn(3 * H, n, generator=g, dtype=torch.float64) * 0.5 for n in (features, H)]
        biases = [torch.randn(3 * H, generator=g, dtype=torch.float64) * 0.5 for _ in range(2)]
        cases.append(Case(random_case(number, B=B, I=features, H=H), (x, h, *weights, *biases)))
    x, h, w_ih, w_hh, b_ih, b_hh = cases[0].args
    cases.append(Case("경계: h_{t-1} = 0", (x, torch.zeros_like(h), w_ih, w_hh, b_ih, b_hh)))
    for bias, what in ((20.0, "1"), (-20.0, "0")):
        held = b_ih.clone()
        held[h.shape[1] : 2 * h.shape[1]] = bias
        cases.append(Case(f"경계: 업데이트 게이트 z ≈ {what} (z 편향 {bias:+g})", (x, h, w_ih, w_hh, held, b_hh)))
    return cases


def check_swapped(fn) -> list[str]:
    """fn(x, h, weight_ih, weight_hh, bias_ih, bias_hh) must return z ⊙ n + (1 - z) ⊙ h_{t-1}, (B, H)."""
    cases = gru_cases()
    for case in cases:
        got = call(fn, case.name, *fresh(case.args))
        compare("h_t", got, swapped_reference(*case.args), case.name)
    return [case.name for case in cases]
# --8<-- [end:checks]


def main() -> None:
    from snippets.exercises.check import self_test

    self_test("gru")


if __name__ == "__main__":
    main()

"""Checkers for the Transformer overview's exercises (docs/lecture/transformer.md): positions and LayerNorm.

References:
    Vaswani et al. Attention Is All You Need. NeurIPS 2017, arXiv:1706.03762 (section 3.5, sinusoidal positions).
    Ba, Kiros, Hinton. Layer Normalization. arXiv:1607.06450, 2016.
The references are the paper's formula, entry by entry, and `torch.nn.functional.layer_norm`.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from snippets.exercises.checking import Case, call, compare, random_case


# --8<-- [start:checks]
def positions_reference(T: int, C: int) -> torch.Tensor:
    """PE[p, 2i] = sin(p / 10000^(2i/C)), PE[p, 2i+1] = cos(p / 10000^(2i/C)), one entry at a time."""
    table = torch.empty(T, C, dtype=torch.float64)
    for p in range(T):
        for i in range(C // 2):
            angle = p / 10000 ** (2 * i / C)
            table[p, 2 * i], table[p, 2 * i + 1] = math.sin(angle), math.cos(angle)
    return table


def check_positions(fn) -> list[str]:
    """fn(T, C) must return the (T, C) table of sinusoidal positions, even columns sin and odd ones cos."""
    cases = [Case(f"T={T}, C={C}", (T, C)) for T, C in ((4, 4), (10, 8), (50, 16), (7, 256))]
    cases += [Case("경계: T = 1 (위치 0뿐)", (1, 6)), Case("경계: C = 2 (주파수 하나)", (5, 2))]
    for case in cases:
        # 1e-6: a float32 table is as good as a float64 one for adding to embeddings
        compare("위치 표", call(fn, case.name, *case.args), positions_reference(*case.args), case.name, atol=1e-6)
    return [case.name for case in cases]


def check_layer_norm(fn) -> list[str]:
    """fn(x, weight, bias, eps) must normalise the last dimension as F.layer_norm does."""
    cases = []
    for number, shape in enumerate([(2, 3, 8), (1, 5, 16), (4, 32)], start=1):
        g = torch.Generator().manual_seed(number)
        x = torch.randn(shape, generator=g, dtype=torch.float64) * 3 + 1
        weight, bias = (torch.randn(shape[-1], generator=g, dtype=torch.float64) for _ in range(2))
        cases.append(Case(random_case(number, shape=shape), (x, weight, bias, 1e-5)))
    x, weight, bias, eps = cases[0].args
    flat = x.clone()
    flat[0, 0] = 2.5  # one row with every feature equal: variance 0, eps alone keeps the division finite
    cases.append(Case("경계: 모든 값이 같은 행 (분산 0)", (flat, weight, bias, eps)))
    cases.append(Case("경계: 평균이 큰 값 (1e4 근처)", (x + 1e4, weight, bias, eps)))
    cases.append(Case("경계: eps = 0.1", (x, weight, bias, 0.1)))
    for case in cases:
        x, weight, bias, eps = case.args
        expected = F.layer_norm(x, (x.shape[-1],), weight, bias, eps)
        got = call(fn, case.name, x.clone(), weight.clone(), bias.clone(), eps)
        compare("출력", got, expected, case.name, atol=1e-8)
    return [case.name for case in cases]
# --8<-- [end:checks]


def main() -> None:
    from snippets.exercises.check import self_test

    self_test("transformer")


if __name__ == "__main__":
    main()

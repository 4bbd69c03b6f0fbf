"""Checkers for the decoder-masking page's exercises (docs/lecture/masking.md).

References:
    Vaswani et al. Attention Is All You Need. NeurIPS 2017, arXiv:1706.03762 (section 3.2.3).
    Beltagy, Peters, Cohan. Longformer: The Long-Document Transformer. arXiv:2004.05150, 2020 (sliding windows).
The references are the window's definition, entry by entry, and `F.scaled_dot_product_attention(is_causal=True)`.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from snippets.exercises.checking import Case, call, compare, forbid, random_case


# --8<-- [start:checks]
def window_reference(T: int, w: int) -> torch.Tensor:
    """True at (t, s) when 0 <= t - s < w: the query t sees itself and the w - 1 keys before it."""
    return torch.tensor([[0 <= t - s < w for s in range(T)] for t in range(T)], dtype=torch.bool)


def check_window(fn) -> list[str]:
    """fn(T, w) must return the boolean (T, T) sliding-window causal mask, True = may attend."""
    cases = [Case(f"T={T}, w={w}", (T, w)) for T, w in ((5, 2), (6, 3), (8, 4))]
    cases += [
        Case("경계: w = 1 (자기 자신만)", (5, 1)),
        Case("경계: w > T (보통의 인과 마스크)", (4, 10)),
        Case("경계: T = 1", (1, 3)),
    ]
    for case in cases:
        compare("마스크", call(fn, case.name, *case.args), window_reference(*case.args), case.name)
    return [case.name for case in cases]


def check_prefix(fn) -> list[str]:
    """fn(q, k, v) must equal causal attention, computed with no mask: query t attends to keys 0..t only."""
    cases = []
    for number, (B, nh, T, hs) in enumerate([(1, 1, 4, 3), (2, 3, 5, 4), (1, 8, 7, 32)], start=1):
        g = torch.Generator().manual_seed(number)
        q, k, v = (torch.randn(B, nh, T, hs, generator=g, dtype=torch.float64) for _ in range(3))
        cases.append(Case(random_case(number, B=B, nh=nh, T=T, hs=hs), (q, k, v)))
    q, k, v = cases[1].args
    cases.append(Case("경계: T = 1", (q[..., :1, :], k[..., :1, :], v[..., :1, :])))
    for case in cases:
        with forbid({"masked_fill", "masked_fill_", "tril", "triu", "scaled_dot_product_attention"}, case.name):
            got = call(fn, case.name, *(t.clone() for t in case.args))
        compare("출력", got, F.scaled_dot_product_attention(*case.args, is_causal=True), case.name)
    return [case.name for case in cases]
# --8<-- [end:checks]


def main() -> None:
    from snippets.exercises.check import self_test

    self_test("masking")


if __name__ == "__main__":
    main()

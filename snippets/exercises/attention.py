"""Checkers for the multi-head attention page's exercises (docs/lecture/attention.md).

References:
    Vaswani et al. Attention Is All You Need. NeurIPS 2017, arXiv:1706.03762 (sections 3.2.1 and 3.2.2).
The references are `torch.nn.functional.scaled_dot_product_attention` with a boolean `attn_mask` (True = may
attend) and `torch.nn.MultiheadAttention(..., average_attn_weights=False)`.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from snippets.exercises.checking import Case, call, compare, forbid, fresh, random_case


# --8<-- [start:checks]
def padded_inputs(B: int, T: int, S: int, hs: int, lengths: list[int], seed: int) -> tuple:
    """q (B, T, hs), k and v (B, S, hs) whose keys and values past each length are 1e4: padding that must not count."""
    g = torch.Generator().manual_seed(seed)
    q, k, v = (torch.randn(B, n, hs, generator=g, dtype=torch.float64) for n in (T, S, S))
    for b, length in enumerate(lengths):
        k[b, length:], v[b, length:] = 1e4, 1e4
    return q, k, v, torch.tensor(lengths)


def padding_reference(q, k, v, lengths) -> torch.Tensor:
    may_attend = torch.arange(k.shape[1])[None, :] < lengths[:, None]  # (B, S): key s of row b is real
    return F.scaled_dot_product_attention(q, k, v, attn_mask=may_attend[:, None, :])  # mask (B, 1, S) -> (B, T, S)


def check_padding(fn) -> list[str]:
    """fn(q, k, v, lengths) must attend only to the first lengths[b] keys of row b, (B, T, hs)."""
    cases = [
        Case(random_case(1, B=2, T=3, S=5, hs=4, lengths="5,2"), padded_inputs(2, 3, 5, 4, [5, 2], 1)),
        Case(random_case(2, B=3, T=4, S=4, hs=8, lengths="1,4,3"), padded_inputs(3, 4, 4, 8, [1, 4, 3], 2)),
        Case("경계: 패딩 없음 (모든 길이 = S)", padded_inputs(2, 2, 3, 4, [3, 3], 3)),
        Case("경계: 진짜 키가 하나뿐", padded_inputs(2, 3, 6, 4, [1, 1], 4)),
    ]
    for case in cases:
        with forbid({"scaled_dot_product_attention"}, case.name):
            got = call(fn, case.name, *fresh(case.args))
        compare("출력", got, padding_reference(*case.args), case.name)
    return [case.name for case in cases]


def attention_module(C: int, nh: int, seed: int) -> nn.MultiheadAttention:
    torch.manual_seed(seed)
    mha = nn.MultiheadAttention(C, nh, batch_first=True, dtype=torch.float64).eval()
    with torch.no_grad():
        mha.in_proj_bias.normal_()  # not zero, as after training: a forgotten bias shows
    return mha


def check_head_weights(fn) -> list[str]:
    """fn(mha, x) must return every head's attention weights (B, nh, T, T) for self-attention on x."""
    cases = []
    for number, (B, T, C, nh) in enumerate([(2, 5, 16, 4), (1, 7, 12, 3), (2, 7, 256, 8)], start=1):
        x = torch.randn(B, T, C, generator=torch.Generator().manual_seed(number), dtype=torch.float64)
        cases.append(Case(random_case(number, B=B, T=T, C=C, nh=nh), (attention_module(C, nh, number), x)))
    x = torch.randn(2, 4, 6, generator=torch.Generator().manual_seed(4), dtype=torch.float64)
    cases.append(Case("경계: 헤드 하나 (nh = 1)", (attention_module(6, 1, 4), x)))
    for case in cases:
        mha, x = case.args
        with torch.no_grad():
            expected = mha(x, x, x, average_attn_weights=False)[1]
            with forbid({"multi_head_attention_forward"}, case.name):
                got = call(fn, case.name, mha, x.clone())
        compare("헤드별 가중치", got, expected, case.name)
    return [case.name for case in cases]
# --8<-- [end:checks]


def main() -> None:
    from snippets.exercises.check import self_test

    self_test("attention")


if __name__ == "__main__":
    main()

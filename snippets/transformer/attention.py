"""Scaled dot-product attention and multi-head attention, written out step by step.

References:
    Vaswani et al. Attention Is All You Need. NeurIPS 2017, arXiv:1706.03762 (sections 3.2.1 and 3.2.2).
Mirrors `torch.nn.functional.scaled_dot_product_attention` and `torch.nn.MultiheadAttention`
(batch_first=True, packed `in_proj_weight`), so a test can copy weights across and compare.
"""

from __future__ import annotations

import math

import torch
from torch import nn


# --8<-- [start:sdpa]
def scaled_dot_product_attention(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, may_attend: torch.Tensor | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """softmax(q kᵀ / √hs) v, and the attention weights.

    q: (..., T, hs) queries, k: (..., S, hs) keys, v: (..., S, hs) values; T queries look at S keys.
    may_attend: optional boolean (T, S), True = query t may attend to key s (the convention of
    `F.scaled_dot_product_attention`'s `attn_mask`). Returns the output (..., T, hs) and the
    weights (..., T, S), whose rows sum to 1.
    """
    hs = q.size(-1)
    # scores_ts = q_t · k_s / √hs
    scores = q @ k.transpose(-2, -1) / math.sqrt(hs)  # (..., T, hs) @ (..., hs, S) -> (..., T, S)
    if may_attend is not None:
        scores = scores.masked_fill(~may_attend, float("-inf"))  # exp(-inf) = 0: no weight on hidden keys
    weights = torch.softmax(scores, dim=-1)  # (..., T, S), each row sums to 1
    return weights @ v, weights  # (..., T, S) @ (..., S, hs) -> (..., T, hs)
# --8<-- [end:sdpa]


# --8<-- [start:mha]
class MultiHeadAttention(nn.Module):
    """Multi-head attention with the parameters of `nn.MultiheadAttention` (batch_first=True).

        Q = X_q W_qᵀ + b_q,  K = X_k W_kᵀ + b_k,  V = X_v W_vᵀ + b_v          (each (B, T, C))
        head_i = softmax(Q_i K_iᵀ / √hs) V_i,  Q_i = columns i·hs .. (i+1)·hs of Q
        MultiHead(X) = concat(head_1, ..., head_nh) W_oᵀ + b_o

    C is the model width (d_model), nh the number of heads and hs = C / nh the head size.
    W_q, W_k, W_v are (C, C) each, packed as `in_proj_weight` (3C, C) = [W_q; W_k; W_v];
    W_o is `out_proj.weight` (C, C). Every projection sees the whole C-dim vector of a token;
    only its output is cut into nh pieces of hs.

    Inputs: query (B, T, C), key and value (B, S, C), may_attend (T, S) boolean with True = may attend.
    Outputs: (B, T, C) and the per-head attention weights (B, nh, T, S).
    """

    def __init__(self, C: int, nh: int, dtype: torch.dtype | None = None) -> None:
        super().__init__()
        assert C % nh == 0, "C must split evenly into nh heads"
        self.C, self.nh, self.hs = C, nh, C // nh
        self.in_proj_weight = nn.Parameter(torch.empty(3 * C, C, dtype=dtype))  # [W_q; W_k; W_v]
        self.in_proj_bias = nn.Parameter(torch.zeros(3 * C, dtype=dtype))  # [b_q; b_k; b_v]
        self.out_proj = nn.Linear(C, C, dtype=dtype)  # W_o, b_o
        nn.init.xavier_uniform_(self.in_proj_weight)
        nn.init.zeros_(self.out_proj.bias)

    def split_heads(self, x: torch.Tensor) -> torch.Tensor:
        """(B, T, C) -> (B, nh, T, hs): a reshape, no new numbers; head i takes features i·hs .. (i+1)·hs."""
        B, T, _ = x.shape
        return x.view(B, T, self.nh, self.hs).transpose(1, 2)  # (B, T, nh, hs) -> (B, nh, T, hs)

    def forward(
        self, query: torch.Tensor, key: torch.Tensor, value: torch.Tensor, may_attend: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        B, T, C = query.shape
        W_q, W_k, W_v = self.in_proj_weight.chunk(3)  # (C, C) each
        b_q, b_k, b_v = self.in_proj_bias.chunk(3)  # (C,) each
        # Q = X W_qᵀ + b_q: every output feature mixes all C input features
        q = query @ W_q.T + b_q  # (B, T, C) @ (C, C) -> (B, T, C)
        k = key @ W_k.T + b_k  # (B, S, C)
        v = value @ W_v.T + b_v  # (B, S, C)
        q, k, v = self.split_heads(q), self.split_heads(k), self.split_heads(v)  # (B, nh, T or S, hs)
        heads, weights = scaled_dot_product_attention(q, k, v, may_attend)  # (B, nh, T, hs), (B, nh, T, S)
        # concat(head_1, ..., head_nh): undo the split
        concat = heads.transpose(1, 2).reshape(B, T, C)  # (B, nh, T, hs) -> (B, T, nh, hs) -> (B, T, C)
        return self.out_proj(concat), weights  # (B, T, C), (B, nh, T, S)
# --8<-- [end:mha]


def main() -> None:  # pragma: no mutate block (a self-check the engine runs; see tests/mutants.md)
    torch.manual_seed(0)
    B, T, C, nh = 2, 7, 256, 8
    x = torch.randn(B, T, C, dtype=torch.float64)  # (B, T, C)
    ours = MultiHeadAttention(C, nh, dtype=torch.float64).eval()
    theirs = nn.MultiheadAttention(C, nh, batch_first=True, dtype=torch.float64).eval()
    theirs.load_state_dict(ours.state_dict())  # same parameter names, same packing

    out, weights = ours(x, x, x)
    ref_out, ref_weights = theirs(x, x, x, average_attn_weights=False)
    print(f"C={C}, nh={nh}, hs={ours.hs}")
    print("output", tuple(out.shape), "weights", tuple(weights.shape))
    # float64 through other kernels: ~1e-15 apart (256-term sums), by an amount that depends on the CPU.
    # Print the bound, not the difference, so the output is the same on every machine.
    assert (out - ref_out).abs().max().item() < 1e-12 and (weights - ref_weights).abs().max().item() < 1e-12
    print("max |out - nn.MultiheadAttention|     < 1e-12")
    print("max |weights - nn.MultiheadAttention| < 1e-12")


if __name__ == "__main__":
    main()

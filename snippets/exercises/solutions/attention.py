"""Reference solutions of the attention page's exercises, checked by snippets/exercises/attention.py."""

from __future__ import annotations

import math

import torch


# --8<-- [start:padding]
def padded_attention(q, k, v, lengths):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # (B, T, hs) @ (B, hs, S) -> (B, T, S)
    is_real = torch.arange(k.shape[1])[None, :] < lengths[:, None]  # (B, S): True = a real key
    scores = scores.masked_fill(~is_real[:, None, :], float("-inf"))  # the same keys hidden for every query
    return torch.softmax(scores, dim=-1) @ v  # (B, T, S) @ (B, S, hs) -> (B, T, hs)
# --8<-- [end:padding]


# --8<-- [start:head-weights]
def head_weights(mha, x):
    B, T, C = x.shape
    nh = mha.num_heads
    hs = C // nh
    projected = x @ mha.in_proj_weight.T + mha.in_proj_bias  # (B, T, 3C): [q | k | v] side by side
    q, k, _ = projected.chunk(3, dim=-1)  # (B, T, C) each; the values do not change the weights
    q = q.view(B, T, nh, hs).transpose(1, 2)  # (B, nh, T, hs)
    k = k.view(B, T, nh, hs).transpose(1, 2)  # (B, nh, T, hs)
    scores = q @ k.transpose(-2, -1) / math.sqrt(hs)  # (B, nh, T, T)
    return torch.softmax(scores, dim=-1)
# --8<-- [end:head-weights]


if __name__ == "__main__":
    from snippets.exercises.check import verdicts

    print(verdicts("attention"))

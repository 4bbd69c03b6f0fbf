"""Reference solutions of the decoder-masking page's exercises, checked by snippets/exercises/masking.py."""

from __future__ import annotations

import math

import torch


# --8<-- [start:window]
def sliding_window_mask(T, w):
    t = torch.arange(T)[:, None]  # (T, 1): the query
    s = torch.arange(T)[None, :]  # (1, T): the key
    return (s <= t) & (t - s < w)  # (T, T): not the future, and not further back than w - 1
# --8<-- [end:window]


# --8<-- [start:prefix]
def causal_attention_by_prefix(q, k, v):
    outputs = []
    for t in range(q.shape[-2]):
        keys, values = k[..., : t + 1, :], v[..., : t + 1, :]  # (B, nh, t + 1, hs): the future is not there
        scores = q[..., t : t + 1, :] @ keys.transpose(-2, -1) / math.sqrt(q.shape[-1])  # (B, nh, 1, t + 1)
        outputs.append(torch.softmax(scores, dim=-1) @ values)  # (B, nh, 1, hs)
    return torch.cat(outputs, dim=-2)  # (B, nh, T, hs)
# --8<-- [end:prefix]


if __name__ == "__main__":
    from snippets.exercises.check import verdicts

    print(verdicts("masking"))

"""Reference solutions of the Transformer overview's exercises, checked by snippets/exercises/transformer.py."""

from __future__ import annotations

import torch


# --8<-- [start:positions]
def sinusoidal_positions(T, C):
    p = torch.arange(T, dtype=torch.float64)[:, None]  # (T, 1)
    i = torch.arange(C // 2, dtype=torch.float64)[None, :]  # (1, C/2)
    angle = p / 10000 ** (2 * i / C)  # (T, C/2): one frequency per pair of columns
    table = torch.empty(T, C, dtype=torch.float64)
    table[:, 0::2] = torch.sin(angle)  # even columns 2i
    table[:, 1::2] = torch.cos(angle)  # odd columns 2i + 1
    return table
# --8<-- [end:positions]


# --8<-- [start:layer-norm]
def layer_norm(x, weight, bias, eps=1e-5):
    mean = x.mean(dim=-1, keepdim=True)  # (..., 1)
    variance = ((x - mean) ** 2).mean(dim=-1, keepdim=True)  # divided by C, not C - 1
    return (x - mean) / torch.sqrt(variance + eps) * weight + bias  # (..., C)
# --8<-- [end:layer-norm]


if __name__ == "__main__":
    from snippets.exercises.check import verdicts

    print(verdicts("transformer"))

"""Reference solutions of the sequential-models page's exercises, checked by snippets/exercises/sequence.py."""

from __future__ import annotations

import torch


# --8<-- [start:windows]
def windows_by_slicing(x, tau):
    T = len(x)
    # column k holds x_{j+k} for every row j: tau shifted slices, side by side
    features = torch.stack([x[k : T - tau + k] for k in range(tau)], dim=1)  # (T - tau, tau)
    return features, x[tau:]  # targets (T - tau,)
# --8<-- [end:windows]


# --8<-- [start:ema]
def ema_closed_form(x, decay):
    t = torch.arange(len(x), dtype=x.dtype)
    age = t[:, None] - 1 - t[None, :]  # (T, T): row t, column s holds t - 1 - s, how old x_s is for h_t
    # weight (1 - decay)·decay^age where s < t (age >= 0), else 0; decay**0 = 1 even when decay = 0
    weights = torch.where(age >= 0, (1 - decay) * decay ** age.clamp(min=0), torch.zeros_like(age))
    return weights @ x  # (T, T) @ (T,) -> (T,)
# --8<-- [end:ema]


if __name__ == "__main__":
    from snippets.exercises.check import verdicts

    print(verdicts("sequence"))

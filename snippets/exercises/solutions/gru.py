"""Reference solution of the GRU page's exercise (docs/lecture/gru.md), checked by snippets/exercises/gru.py."""

from __future__ import annotations

import torch


# --8<-- [start:swapped]
def gru_step_swapped(x, h, weight_ih, weight_hh, bias_ih, bias_hh):
    x_r, x_z, x_n = (x @ weight_ih.T + bias_ih).chunk(3, dim=1)  # each (B, H)
    h_r, h_z, h_n = (h @ weight_hh.T + bias_hh).chunk(3, dim=1)  # each (B, H)
    r = torch.sigmoid(x_r + h_r)  # reset gate, as in nn.GRUCell
    z = torch.sigmoid(x_z + h_z)  # update gate, as in nn.GRUCell
    n = torch.tanh(x_n + r * h_n)  # candidate, as in nn.GRUCell
    # h_t = z_t ⊙ n_t + (1 - z_t) ⊙ h_{t-1}: here z is the share of the new content
    return z * n + (1 - z) * h
# --8<-- [end:swapped]


if __name__ == "__main__":
    from snippets.exercises.check import verdicts

    print(verdicts("gru"))

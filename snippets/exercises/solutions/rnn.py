"""Reference solutions of the RNN page's exercises (docs/lecture/rnn.md), checked by snippets/exercises/rnn.py."""

from __future__ import annotations

import torch


# --8<-- [start:clip]
def clip_by_global_norm(grads, max_norm):
    norm = torch.sqrt(sum((g**2).sum() for g in grads))  # ‖g‖ of all gradients joined into one vector
    scale = min(1.0, max_norm / norm.item()) if norm > 0 else 1.0  # never scale up; all-zero stays zero
    return [g * scale for g in grads]  # one factor for every tensor keeps the direction of g
# --8<-- [end:clip]


# --8<-- [start:reverse]
def reverse_rnn(x, weight_ih, weight_hh, bias_ih, bias_hh):
    B, T, _ = x.shape
    h = x.new_zeros(B, weight_hh.shape[0])  # h_{T+1} = 0: (B, H)
    states = [None] * T
    for t in reversed(range(T)):
        # h_t = tanh(W_ih x_t + b_ih + W_hh h_{t+1} + b_hh)
        h = torch.tanh(x[:, t] @ weight_ih.T + bias_ih + h @ weight_hh.T + bias_hh)  # (B, H)
        states[t] = h  # stored at its own time step, not in reading order
    return torch.stack(states, dim=1)  # (B, T, H)
# --8<-- [end:reverse]


if __name__ == "__main__":
    from snippets.exercises.check import verdicts

    print(verdicts("rnn"))

"""Reference solutions of the LSTM page's exercises (docs/lecture/lstm.md), checked by snippets/exercises/lstm.py."""

from __future__ import annotations

import torch


# --8<-- [start:forget-bias]
def set_forget_bias(lstm, value):
    H = lstm.hidden_size
    for layer in range(lstm.num_layers):
        # rows H..2H are the forget gate (i | f | g | o); b_if + b_hf is what σ sees
        getattr(lstm, f"bias_ih_l{layer}")[H : 2 * H] = value
        getattr(lstm, f"bias_hh_l{layer}")[H : 2 * H] = 0.0
# --8<-- [end:forget-bias]


# --8<-- [start:last-state]
def last_hidden(lstm, x, lengths):
    out, _ = lstm(x)  # (B, T, H): step t has read x_1..x_t only, so padding after it changes nothing there
    rows = torch.arange(len(x))
    return out[rows, lengths - 1]  # (B, H): sequence b at its own last real step
# --8<-- [end:last-state]


if __name__ == "__main__":
    from snippets.exercises.check import verdicts

    print(verdicts("lstm"))

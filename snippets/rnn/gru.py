"""Gated recurrent unit: two gates and no separate cell state, three weight blocks where LSTM has four.

References:
    Cho, van Merriënboer, Gulcehre, Bahdanau, Bougares, Schwenk, Bengio. Learning Phrase Representations using
    RNN Encoder-Decoder for Statistical Machine Translation. EMNLP 2014. arXiv:1406.1078
Mirrors `torch.nn.GRUCell` and `torch.nn.GRU` (batch_first=True), with the same parameter names and packing.
"""

from __future__ import annotations

import torch
from torch import nn

from snippets.rnn.rnn import add_parameters, layer_weights


# --8<-- [start:step]
def gru_step(
    x: torch.Tensor, h: torch.Tensor,
    weight_ih: torch.Tensor, weight_hh: torch.Tensor, bias_ih: torch.Tensor, bias_hh: torch.Tensor,
) -> torch.Tensor:
    """One step: x (B, I) and h_{t-1} (B, H) give h_t (B, H)."""
    x_r, x_z, x_n = (x @ weight_ih.T + bias_ih).chunk(3, dim=1)  # each (B, H): W_i* x_t + b_i*
    h_r, h_z, h_n = (h @ weight_hh.T + bias_hh).chunk(3, dim=1)  # each (B, H): W_h* h_{t-1} + b_h*
    # r_t = σ(W_ir x_t + b_ir + W_hr h_{t-1} + b_hr)          reset gate: how much of h_{t-1} the candidate sees
    r = torch.sigmoid(x_r + h_r)
    # z_t = σ(W_iz x_t + b_iz + W_hz h_{t-1} + b_hz)          update gate: how much of h_{t-1} to keep
    z = torch.sigmoid(x_z + h_z)
    # n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t-1} + b_hn))  candidate state
    n = torch.tanh(x_n + r * h_n)
    # h_t = (1 - z_t) ⊙ n_t + z_t ⊙ h_{t-1}                     interpolation: keep or replace, per unit
    return (1 - z) * n + z * h
# --8<-- [end:step]


# --8<-- [start:cell]
class GRUCell(nn.Module):
    r"""GRU cell, gates packed r | z | n as in `nn.GRUCell`.

        r_t = σ(W_ir x_t + b_ir + W_hr h_{t-1} + b_hr)
        z_t = σ(W_iz x_t + b_iz + W_hz h_{t-1} + b_hz)
        n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t-1} + b_hn))
        h_t = (1 - z_t) ⊙ n_t + z_t ⊙ h_{t-1}

    x_t is the input (I = input_size features), h_t the hidden state (the only state), r the reset gate,
    z the update gate, n the candidate state, σ the logistic sigmoid and ⊙ the elementwise product.
    weight_ih (3H, I) stacks W_ir | W_iz | W_in, weight_hh (3H, H) the W_h* blocks, the biases (3H,) likewise.

    Inputs: x (B, I), h (B, H) or None for zeros. Output: h_t (B, H).
    """

    def __init__(self, input_size: int, hidden_size: int, dtype=None) -> None:
        super().__init__()
        self.hidden_size = hidden_size
        add_parameters(self, input_size, hidden_size, gates=3, dtype=dtype)  # weight_ih (3H, I), weight_hh (3H, H)

    def forward(self, x: torch.Tensor, h: torch.Tensor | None = None) -> torch.Tensor:
        if h is None:
            h = x.new_zeros(x.shape[0], self.hidden_size)  # (B, H)
        return gru_step(x, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
# --8<-- [end:cell]


# --8<-- [start:layer]
class GRU(nn.Module):
    r"""A stack of `num_layers` GRUs unrolled over time, batch first, named like `nn.GRU` (`weight_ih_l0`, ...).

    Layer l applies the `GRUCell` equations to h^{l-1}_t (h^0_t = x_t) with its own weights.

    Inputs: x (B, T, I), h0 (L, B, H) or None for zeros.
    Outputs: the top layer's h_t for every t (B, T, H), and every layer's last state h_n (L, B, H).
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, dtype=None) -> None:
        super().__init__()
        self.hidden_size, self.num_layers = hidden_size, num_layers
        for layer in range(num_layers):
            layer_input = input_size if layer == 0 else hidden_size
            add_parameters(self, layer_input, hidden_size, gates=3, suffix=f"_l{layer}", dtype=dtype)

    def forward(self, x: torch.Tensor, h0: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        B, T, _ = x.shape
        if h0 is None:
            h0 = x.new_zeros(self.num_layers, B, self.hidden_size)  # (L, B, H)
        layer_input, last_states = x, []
        for layer in range(self.num_layers):
            h, outputs = h0[layer], []
            for t in range(T):
                h = gru_step(layer_input[:, t], h, *layer_weights(self, layer))  # (B, H)
                outputs.append(h)
            layer_input = torch.stack(outputs, dim=1)  # (B, T, H): the next layer's input
            last_states.append(h)
        return layer_input, torch.stack(last_states)  # (B, T, H), (L, B, H)
# --8<-- [end:layer]


def main() -> None:  # pragma: no mutate block (a self-check the engine runs; see tests/mutants.md)
    torch.manual_seed(0)
    B, T, input_size, H = 3, 5, 4, 6
    x = torch.randn(B, T, input_size, dtype=torch.float64)
    ours = GRU(input_size, H, num_layers=2, dtype=torch.float64)
    theirs = nn.GRU(input_size, H, num_layers=2, batch_first=True, dtype=torch.float64)
    theirs.load_state_dict(ours.state_dict())
    (out, h_n), (out_ref, h_n_ref) = ours(x), theirs(x)
    assert out.shape == (B, T, H) and h_n.shape == (2, B, H)
    # float64: ours and torch.nn sum in different orders, ~1e-16 apart per operation, by an amount that depends on
    # the CPU's kernels. Print the bound, not the difference, so the output is the same on every machine.
    assert max((out - out_ref).abs().max().item(), (h_n - h_n_ref).abs().max().item()) < 1e-12
    print(f"GRU: output {tuple(out.shape)}, h_n {tuple(h_n.shape)}, max |ours - nn.GRU| < 1e-12")


if __name__ == "__main__":
    main()

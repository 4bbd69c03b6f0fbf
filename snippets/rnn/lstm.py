"""Long short-term memory: a cell state carried forward by gates, so that gradients can survive many steps.

References:
    Hochreiter, Schmidhuber. Long Short-Term Memory. Neural Computation 9(8), 1997. doi:10.1162/neco.1997.9.8.1735
    The forget gate: Gers, Schmidhuber, Cummins. Learning to Forget. Neural Computation 12(10), 2000.
Mirrors `torch.nn.LSTMCell` and `torch.nn.LSTM` (batch_first=True), with the same parameter names and packing.
"""

from __future__ import annotations

import torch
from torch import nn

from snippets.rnn.rnn import add_parameters, layer_weights


# --8<-- [start:step]
def lstm_step(
    x: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor],
    weight_ih: torch.Tensor, weight_hh: torch.Tensor, bias_ih: torch.Tensor, bias_hh: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor]:
    """One step: x (B, I) and (h_{t-1}, c_{t-1}), each (B, H), give (h_t, c_t)."""
    h, c = state
    gates = x @ weight_ih.T + bias_ih + h @ weight_hh.T + bias_hh  # (B, 4H), blocks i | f | g | o
    i, f, g, o = gates.chunk(4, dim=1)  # each (B, H)
    # i_t = σ(W_ii x_t + b_ii + W_hi h_{t-1} + b_hi)      input gate: how much new content to write
    i = torch.sigmoid(i)
    # f_t = σ(W_if x_t + b_if + W_hf h_{t-1} + b_hf)      forget gate: how much of c_{t-1} to keep
    f = torch.sigmoid(f)
    # g_t = tanh(W_ig x_t + b_ig + W_hg h_{t-1} + b_hg)   candidate content, in (-1, 1)
    g = torch.tanh(g)
    # o_t = σ(W_io x_t + b_io + W_ho h_{t-1} + b_ho)      output gate: how much of the cell to show
    o = torch.sigmoid(o)
    # c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t                     the conveyor belt: an elementwise, additive update
    c = f * c + i * g
    # h_t = o_t ⊙ tanh(c_t)
    h = o * torch.tanh(c)
    return h, c
# --8<-- [end:step]


# --8<-- [start:cell]
class LSTMCell(nn.Module):
    r"""LSTM cell, gates packed i | f | g | o as in `nn.LSTMCell`.

        i_t = σ(W_ii x_t + b_ii + W_hi h_{t-1} + b_hi)
        f_t = σ(W_if x_t + b_if + W_hf h_{t-1} + b_hf)
        g_t = tanh(W_ig x_t + b_ig + W_hg h_{t-1} + b_hg)
        o_t = σ(W_io x_t + b_io + W_ho h_{t-1} + b_ho)
        c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t
        h_t = o_t ⊙ tanh(c_t)

    x_t is the input (I = input_size features), h_t the hidden state, c_t the cell state, i, f, o the input,
    forget and output gates, g the candidate content, σ the logistic sigmoid and ⊙ the elementwise product.
    weight_ih (4H, I) stacks W_ii | W_if | W_ig | W_io, weight_hh (4H, H) the W_h* blocks, the biases (4H,) likewise.

    Inputs: x (B, I), state (h, c) each (B, H) or None for zeros. Output: (h_t, c_t), each (B, H).
    """

    def __init__(self, input_size: int, hidden_size: int, dtype=None) -> None:
        super().__init__()
        self.hidden_size = hidden_size
        add_parameters(self, input_size, hidden_size, gates=4, dtype=dtype)  # weight_ih (4H, I), weight_hh (4H, H)

    def forward(self, x: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor] | None = None):
        if state is None:
            zeros = x.new_zeros(x.shape[0], self.hidden_size)  # (B, H)
            state = (zeros, zeros)
        return lstm_step(x, state, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
# --8<-- [end:cell]


# --8<-- [start:layer]
class LSTM(nn.Module):
    r"""A stack of `num_layers` LSTMs unrolled over time, batch first, named like `nn.LSTM` (`weight_ih_l0`, ...).

    Layer l applies the `LSTMCell` equations to h^{l-1}_t (h^0_t = x_t) with its own weights.

    Inputs: x (B, T, I), state (h0, c0) each (L, B, H) or None for zeros.
    Outputs: the top layer's h_t for every t (B, T, H), and (h_n, c_n) each (L, B, H).
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, dtype=None) -> None:
        super().__init__()
        self.hidden_size, self.num_layers = hidden_size, num_layers
        for layer in range(num_layers):
            layer_input = input_size if layer == 0 else hidden_size
            add_parameters(self, layer_input, hidden_size, gates=4, suffix=f"_l{layer}", dtype=dtype)

    def forward(self, x: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor] | None = None):
        B, T, _ = x.shape
        if state is None:
            zeros = x.new_zeros(self.num_layers, B, self.hidden_size)  # (L, B, H)
            state = (zeros, zeros)
        layer_input, last_h, last_c = x, [], []
        for layer in range(self.num_layers):
            h, c, outputs = state[0][layer], state[1][layer], []
            for t in range(T):
                h, c = lstm_step(layer_input[:, t], (h, c), *layer_weights(self, layer))  # (B, H) each
                outputs.append(h)
            layer_input = torch.stack(outputs, dim=1)  # (B, T, H): the next layer's input
            last_h.append(h)
            last_c.append(c)
        return layer_input, (torch.stack(last_h), torch.stack(last_c))  # (B, T, H), ((L, B, H), (L, B, H))
# --8<-- [end:layer]


def main() -> None:  # pragma: no mutate block (a self-check the engine runs; see tests/mutants.md)
    torch.manual_seed(0)
    B, T, input_size, H = 3, 5, 4, 6
    x = torch.randn(B, T, input_size, dtype=torch.float64)
    ours = LSTM(input_size, H, num_layers=2, dtype=torch.float64)
    theirs = nn.LSTM(input_size, H, num_layers=2, batch_first=True, dtype=torch.float64)
    theirs.load_state_dict(ours.state_dict())
    (out, (h_n, c_n)), (out_ref, (h_n_ref, c_n_ref)) = ours(x), theirs(x)
    assert out.shape == (B, T, H) and h_n.shape == c_n.shape == (2, B, H)
    # float64: ours and torch.nn sum in different orders, ~1e-16 apart per operation, by an amount that depends on
    # the CPU's kernels. Print the bound, not the difference, so the output is the same on every machine.
    pairs = ((out, out_ref), (h_n, h_n_ref), (c_n, c_n_ref))
    assert max((mine - reference).abs().max().item() for mine, reference in pairs) < 1e-12
    print(f"LSTM: output {tuple(out.shape)}, h_n and c_n {tuple(h_n.shape)}, max |ours - nn.LSTM| < 1e-12")


if __name__ == "__main__":
    main()

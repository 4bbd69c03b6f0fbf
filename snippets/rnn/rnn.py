"""The Elman recurrent network: one hidden state updated from itself and the input at every step.

References:
    Elman. Finding Structure in Time. Cognitive Science 14(2), 1990. doi:10.1207/s15516709cog1402_1
Mirrors `torch.nn.RNNCell` and `torch.nn.RNN` (batch_first=True), with the same parameter names and packing.
"""

from __future__ import annotations

import math

import torch
from torch import nn

ACTIVATIONS = {"tanh": torch.tanh, "relu": torch.relu}


# --8<-- [start:step]
def rnn_step(
    x: torch.Tensor, h: torch.Tensor,
    weight_ih: torch.Tensor, weight_hh: torch.Tensor, bias_ih: torch.Tensor, bias_hh: torch.Tensor,
    nonlinearity: str = "tanh",
) -> torch.Tensor:
    """One step: x (B, I) and h_{t-1} (B, H) give h_t (B, H)."""
    # h_t = φ(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)
    return ACTIVATIONS[nonlinearity](x @ weight_ih.T + bias_ih + h @ weight_hh.T + bias_hh)  # (B, H)
# --8<-- [end:step]


def add_parameters(module: nn.Module, input_size: int, hidden_size: int, gates: int, suffix: str = "",
                   dtype=None) -> None:
    """Register weight_ih (gates·H, I), weight_hh (gates·H, H), bias_ih and bias_hh (gates·H,), names + suffix.

    `gates` is the number of H-row blocks packed on top of each other: 1 for RNN, 3 for GRU, 4 for LSTM.
    Initialised as PyTorch does for recurrent layers: every entry from U(-1/sqrt(H), 1/sqrt(H)).
    """
    bound = 1 / math.sqrt(hidden_size)
    shapes = {"weight_ih": (gates * hidden_size, input_size), "weight_hh": (gates * hidden_size, hidden_size),
              "bias_ih": (gates * hidden_size,), "bias_hh": (gates * hidden_size,)}
    for name, shape in shapes.items():
        module.register_parameter(name + suffix, nn.Parameter(torch.empty(shape, dtype=dtype).uniform_(-bound, bound)))


def layer_weights(module: nn.Module, layer: int) -> tuple[torch.Tensor, ...]:
    """(weight_ih_l{layer}, weight_hh_l{layer}, bias_ih_l{layer}, bias_hh_l{layer}) of a sequence layer."""
    return tuple(getattr(module, f"{name}_l{layer}") for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))


# --8<-- [start:cell]
class RNNCell(nn.Module):
    r"""Elman RNN cell: h_t = φ(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh), φ = tanh or ReLU.

    x_t is the input at step t (I = input_size features), h_{t-1} the previous hidden state, W_ih (H, I) and
    W_hh (H, H) the input and recurrent weights, b_ih and b_hh (H,) their biases, shared by every step.

    Inputs: x (B, I), h (B, H) or None for zeros. Output: h_t (B, H).
    """

    def __init__(self, input_size: int, hidden_size: int, nonlinearity: str = "tanh", dtype=None) -> None:
        super().__init__()
        self.hidden_size, self.nonlinearity = hidden_size, nonlinearity
        add_parameters(self, input_size, hidden_size, gates=1, dtype=dtype)  # weight_ih (H, I), weight_hh (H, H)

    def forward(self, x: torch.Tensor, h: torch.Tensor | None = None) -> torch.Tensor:
        if h is None:
            h = x.new_zeros(x.shape[0], self.hidden_size)  # (B, H)
        return rnn_step(x, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh, self.nonlinearity)
# --8<-- [end:cell]


# --8<-- [start:layer]
class RNN(nn.Module):
    r"""A stack of `num_layers` Elman RNNs unrolled over time, batch first.

    Layer l runs h^l_t = φ(W_ih^l h^{l-1}_t + b_ih^l + W_hh^l h^l_{t-1} + b_hh^l) with h^0_t = x_t;
    parameters are named `weight_ih_l{l}`, `weight_hh_l{l}`, `bias_ih_l{l}`, `bias_hh_l{l}` as in `nn.RNN`.

    Inputs: x (B, T, I), h0 (L, B, H) or None for zeros.
    Outputs: the top layer's states (B, T, H) and every layer's last state h_n (L, B, H).
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, nonlinearity: str = "tanh",
                 dtype=None) -> None:
        super().__init__()
        self.hidden_size, self.num_layers, self.nonlinearity = hidden_size, num_layers, nonlinearity
        for layer in range(num_layers):
            layer_input = input_size if layer == 0 else hidden_size
            add_parameters(self, layer_input, hidden_size, gates=1, suffix=f"_l{layer}", dtype=dtype)

    def forward(self, x: torch.Tensor, h0: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        B, T, _ = x.shape
        if h0 is None:
            h0 = x.new_zeros(self.num_layers, B, self.hidden_size)  # (L, B, H)
        layer_input, last_states = x, []
        for layer in range(self.num_layers):
            h, outputs = h0[layer], []
            for t in range(T):
                h = rnn_step(layer_input[:, t], h, *layer_weights(self, layer), self.nonlinearity)  # (B, H)
                outputs.append(h)
            layer_input = torch.stack(outputs, dim=1)  # (B, T, H): the next layer's input
            last_states.append(h)
        return layer_input, torch.stack(last_states)  # (B, T, H), (L, B, H)
# --8<-- [end:layer]


def main() -> None:  # pragma: no mutate block (a self-check the engine runs; see tests/mutants.md)
    torch.manual_seed(0)
    B, T, input_size, H = 3, 5, 4, 6
    x = torch.randn(B, T, input_size, dtype=torch.float64)
    ours = RNN(input_size, H, num_layers=2, dtype=torch.float64)
    theirs = nn.RNN(input_size, H, num_layers=2, batch_first=True, dtype=torch.float64)
    theirs.load_state_dict(ours.state_dict())
    (out, h_n), (out_ref, h_n_ref) = ours(x), theirs(x)
    assert out.shape == (B, T, H) and h_n.shape == (2, B, H)
    # float64: ours and torch.nn sum in different orders, ~1e-16 apart per operation, by an amount that depends on
    # the CPU's kernels. Print the bound, not the difference, so the output is the same on every machine.
    assert max((out - out_ref).abs().max().item(), (h_n - h_n_ref).abs().max().item()) < 1e-12
    print(f"RNN: output {tuple(out.shape)}, h_n {tuple(h_n.shape)}, max |ours - nn.RNN| < 1e-12")


if __name__ == "__main__":
    main()

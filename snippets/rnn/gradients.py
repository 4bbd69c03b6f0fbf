"""How the gradient of a last-step loss shrinks or grows with distance through time, for untrained RNNs and LSTMs.

References:
    Bengio, Simard, Frasconi. Learning Long-Term Dependencies with Gradient Descent is Difficult.
    IEEE Transactions on Neural Networks 5(2), 1994. doi:10.1109/72.279181
    Pascanu, Mikolov, Bengio. On the Difficulty of Training Recurrent Neural Networks. ICML 2013. arXiv:1211.5063
Uses `snippets.rnn.rnn.RNNCell` and `snippets.rnn.lstm.LSTMCell` (equal to `torch.nn.RNNCell`, `torch.nn.LSTMCell`).
"""

from __future__ import annotations

import math

import torch

from snippets.rnn.lstm import LSTMCell
from snippets.rnn.rnn import RNNCell

# name -> (cell kind, forget-gate bias added to b_if)
MODELS = {"tanh RNN": ("tanh", 0.0), "ReLU RNN": ("relu", 0.0), "LSTM": ("lstm", 0.0), "LSTM, b_f = 3": ("lstm", 3.0)}


# --8<-- [start:measure]
def gradient_norms(kind: str, seed: int, H: int = 32, T: int = 60, input_size: int = 8,
                   recurrent_gain: float | None = None, forget_bias: float = 0.0) -> torch.Tensor:
    """||dL/dh_t|| for t = T, T-1, ..., 1 (index = distance T - t), where L = w · h_T for a fixed random w.

    kind is "tanh", "relu" or "lstm". recurrent_gain None keeps PyTorch's default U(-1/sqrt(H), 1/sqrt(H));
    a number g redraws W_hh from N(0, g^2 / H), whose spectral radius is about g.
    """
    torch.manual_seed(seed)
    cell = LSTMCell(input_size, H, dtype=torch.float64) if kind == "lstm" else \
        RNNCell(input_size, H, nonlinearity=kind, dtype=torch.float64)
    with torch.no_grad():
        if recurrent_gain is not None:
            cell.weight_hh.normal_(0.0, recurrent_gain / math.sqrt(H))
        if kind == "lstm":
            cell.bias_ih[H:2 * H] += forget_bias  # rows H..2H of the i | f | g | o packing are the forget gate
    x = torch.randn(1, T, input_size, dtype=torch.float64)  # (B=1, T, I)
    readout = torch.randn(H, dtype=torch.float64)  # (H,)
    zeros = torch.zeros(1, H, dtype=torch.float64)  # (B, H)
    state, states = ((zeros, zeros) if kind == "lstm" else zeros), []
    for t in range(T):
        state = cell(x[:, t], state)
        h = state[0] if kind == "lstm" else state  # (B, H)
        h.retain_grad()  # keep dL/dh_t, which autograd would otherwise free
        states.append(h)
    loss = (states[-1] @ readout).sum()
    loss.backward()
    return torch.stack([states[T - 1 - d].grad.norm() for d in range(T)])  # (T,) by distance, float64


def geometric_mean_norms(name: str, seeds: range = range(5), **setting) -> torch.Tensor:
    """gradient_norms of a model in MODELS, averaged over seeds on a log scale (the geometric mean), (T,)."""
    kind, forget_bias = MODELS[name]
    runs = torch.stack([gradient_norms(kind, seed, forget_bias=forget_bias, **setting) for seed in seeds])
    return runs.log().mean(dim=0).exp()  # (T,)
# --8<-- [end:measure]


def main() -> None:  # pragma: no mutate block (a self-check the engine runs; see tests/mutants.md)
    for label, gain in (("PyTorch default init", None), ("W_hh ~ N(0, 1.5^2/H)", 1.5)):
        print(label)
        for name in MODELS:
            norms = geometric_mean_norms(name, recurrent_gain=gain)
            print(f"  {name:<14} |dL/dh_T| {norms[0]:8.3g}  |dL/dh_(T-50)| {norms[50]:9.3g}  "
                  f"ratio {norms[50] / norms[0]:9.3g}")


if __name__ == "__main__":
    main()

"""Checkers for the LSTM page's exercises (docs/lecture/lstm.md): the forget-gate bias, and variable-length batches.

References:
    Jozefowicz, Zaremba, Sutskever. An Empirical Exploration of Recurrent Network Architectures. ICML 2015
    (a forget-gate bias of 1). `torch.nn.utils.rnn.pack_padded_sequence` is the reference for the last states.
"""

from __future__ import annotations

import torch
from torch import nn

from snippets.exercises.checking import Case, call, compare, random_case


# --8<-- [start:checks]
def lstm(input_size: int, H: int, num_layers: int, seed: int) -> nn.LSTM:
    torch.manual_seed(seed)
    return nn.LSTM(input_size, H, num_layers=num_layers, batch_first=True, dtype=torch.float64)


def check_forget_bias(fn) -> list[str]:
    """fn(lstm, value) must make b_if + b_hf = value in every layer and change nothing else."""
    cases = [
        Case("nn.LSTM(3, 4), value = 1", (lstm(3, 4, 1, 1), 1.0)),
        Case("nn.LSTM(2, 5, num_layers=3), value = 3", (lstm(2, 5, 3, 2), 3.0)),
        Case("nn.LSTM(4, 2, num_layers=2), value = -2", (lstm(4, 2, 2, 3), -2.0)),
        Case("경계: value = 0", (lstm(3, 4, 1, 4), 0.0)),
        Case("경계: H = 1", (lstm(3, 1, 2, 5), 1.0)),
    ]
    for case in cases:
        module, value = case.args
        before = {name: p.detach().clone() for name, p in module.named_parameters()}
        with torch.no_grad():
            call(fn, case.name, module, value)
        after = dict(module.named_parameters())
        H = module.hidden_size
        forget = slice(H, 2 * H)  # gates are packed i | f | g | o
        for layer in range(module.num_layers):
            for name in (f"weight_ih_l{layer}", f"weight_hh_l{layer}"):
                compare(name, after[name], before[name], case.name, atol=0)
            b_ih, b_hh = after[f"bias_ih_l{layer}"], after[f"bias_hh_l{layer}"]
            total = (b_ih[forget] + b_hh[forget]).detach()
            compare(f"층 {layer}의 망각 게이트 편향 합 b_if + b_hf", total, torch.full_like(total, value), case.name)
            for name, bias in ((f"bias_ih_l{layer}", b_ih), (f"bias_hh_l{layer}", b_hh)):
                for gate, rows in (("i", slice(0, H)), ("g", slice(2 * H, 3 * H)), ("o", slice(3 * H, 4 * H))):
                    compare(f"{name}의 {gate} 게이트 부분", bias[rows], before[name][rows], case.name, atol=0)
    return [case.name for case in cases]


def padded_batch(B: int, T: int, features: int, lengths: list[int], seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """x (B, T, features) whose steps past each length are 1000: a function that reads them is visibly wrong."""
    x = torch.randn(B, T, features, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    for b, length in enumerate(lengths):
        x[b, length:] = 1000.0
    return x, torch.tensor(lengths)


def last_reference(module: nn.LSTM, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
    with torch.no_grad():
        _, (h_n, _) = module(packed)  # h_n (L, B, H), in the batch's own order
    return h_n[-1]


def check_last_state(fn) -> list[str]:
    """fn(lstm, x, lengths) must return the top layer's h at each sequence's last real step, (B, H)."""
    cases = [
        Case(random_case(1, B=4, T=6, lengths="6,2,4,1"), (lstm(3, 4, 2, 1), *padded_batch(4, 6, 3, [6, 2, 4, 1], 1))),
        Case(random_case(2, B=3, T=5, lengths="3,5,2"), (lstm(2, 3, 1, 2), *padded_batch(3, 5, 2, [3, 5, 2], 2))),
        Case("경계: 모든 길이가 T", (lstm(3, 4, 1, 3), *padded_batch(2, 4, 3, [4, 4], 3))),
        Case("경계: 모든 길이가 1", (lstm(3, 4, 2, 4), *padded_batch(3, 5, 3, [1, 1, 1], 4))),
    ]
    for case in cases:
        module, x, lengths = case.args
        with torch.no_grad():
            got = call(fn, case.name, module, x.clone(), lengths.clone())
        compare("마지막 상태", got, last_reference(module, x, lengths), case.name)
    return [case.name for case in cases]
# --8<-- [end:checks]


def main() -> None:
    from snippets.exercises.check import self_test

    self_test("lstm")


if __name__ == "__main__":
    main()

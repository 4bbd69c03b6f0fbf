"""Autoregressive models over a window of tau past values, the Markov chain (tau = 1), and a latent state.

References:
    Zhang, Lipton, Li, Smola. Dive into Deep Learning, ch. 9.1 "Working with Sequences" (d2l.ai, 2023).
    Box, Jenkins. Time Series Analysis: Forecasting and Control (Holden-Day, 1970), the AR(p) model.
Mirrors no torch.nn class: the fit is a least-squares solve, `torch.linalg.lstsq`.
"""

from __future__ import annotations

from itertools import pairwise

import torch


# --8<-- [start:data]
def make_series(T: int = 400, seed: int = 0) -> torch.Tensor:
    """A noisy sine wave x_1..x_T, shape (T,), float64; the same numbers for the same seed."""
    generator = torch.Generator().manual_seed(seed)
    t = torch.arange(1, T + 1, dtype=torch.float64)
    return torch.sin(0.01 * torch.pi * t * 2) + 0.2 * torch.randn(T, generator=generator, dtype=torch.float64)


def windows(x: torch.Tensor, tau: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Features x_{t-tau}..x_{t-1} and target x_t for every t > tau: shapes (T - tau, tau) and (T - tau,)."""
    features = x.unfold(0, tau, 1)[:-1]  # (T - tau, tau): row t holds the tau values before x_t
    targets = x[tau:]  # (T - tau,)
    return features, targets
# --8<-- [end:data]


# --8<-- [start:ar]
def fit_autoregressive(x: torch.Tensor, tau: int) -> torch.Tensor:
    """Least-squares AR(tau) weights w (tau + 1,), last entry the bias: x_t ≈ w[:tau] · x_{t-tau:t} + w[tau]."""
    features, targets = windows(x, tau)
    design = torch.cat([features, torch.ones(len(features), 1, dtype=x.dtype)], dim=1)  # (T - tau, tau + 1)
    return torch.linalg.lstsq(design, targets.unsqueeze(1)).solution.squeeze(1)  # (tau + 1,)


def one_step_error(x: torch.Tensor, w: torch.Tensor) -> float:
    """Mean squared error of predicting each x_t from the true tau values before it."""
    tau = len(w) - 1
    features, targets = windows(x, tau)
    predictions = features @ w[:tau] + w[tau]  # (T - tau,)
    return torch.mean((predictions - targets) ** 2).item()
# --8<-- [end:ar]


# --8<-- [start:markov]
def transition_matrix(tokens: list[int], n_states: int) -> torch.Tensor:
    """First-order Markov chain: P[a, b] = p(x_t = b | x_{t-1} = a), counted with add-one smoothing."""
    counts = torch.ones(n_states, n_states, dtype=torch.float64)
    for previous, current in pairwise(tokens):
        counts[previous, current] += 1
    return counts / counts.sum(dim=1, keepdim=True)  # (S, S), every row sums to 1


def log_prob(tokens: list[int], P: torch.Tensor, p_first: torch.Tensor) -> float:
    """log p(x_1..x_T) = log p(x_1) + sum_t log p(x_t | x_{t-1}): the Markov factorisation."""
    total = torch.log(p_first[tokens[0]])
    for previous, current in pairwise(tokens):
        total = total + torch.log(P[previous, current])
    return total.item()
# --8<-- [end:markov]


# --8<-- [start:latent]
def latent_summaries(x: torch.Tensor, decay: float = 0.9) -> torch.Tensor:
    """h_t = decay * h_{t-1} + (1 - decay) * x_{t-1}, h_1 = 0: a fixed-size state that summarises all the past."""
    h = torch.zeros((), dtype=x.dtype)
    states = []
    for x_previous in torch.cat([x.new_zeros(1), x[:-1]]):
        h = decay * h + (1 - decay) * x_previous
        states.append(h)
    return torch.stack(states)  # (T,): h_t uses only x_1..x_{t-1}
# --8<-- [end:latent]


def main() -> None:
    x = make_series()
    print("tau  one-step MSE  parameters")
    for tau in (1, 2, 4, 8, 16):
        w = fit_autoregressive(x, tau)
        print(f"{tau:>3}  {one_step_error(x, w):12.4f}  {len(w):>10}")

    weather = [0, 0, 1, 1, 1, 0, 2, 2, 1, 0, 0, 0, 1, 2, 2, 2, 1, 1, 0, 0]  # 0 맑음, 1 흐림, 2 비
    P = transition_matrix(weather, n_states=3)
    # a sum of 3 float64 quotients is 1 up to rounding (1e-16), not always bit for bit; print the bound
    assert (P.sum(dim=1) - 1).abs().max().item() < 1e-12
    print("P(next | today): every row sums to 1 (|sum - 1| < 1e-12)")


if __name__ == "__main__":
    main()

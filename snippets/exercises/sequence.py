"""Checkers for the sequential-models page's exercises (docs/lecture/sequential-models.md).

References:
    Zhang, Lipton, Li, Smola. Dive into Deep Learning, ch. 9.1 "Working with Sequences" (d2l.ai, 2023).
The references are the page's own definitions: `Tensor.unfold` windows, and the exponential moving average loop.
"""

from __future__ import annotations

import torch

from snippets.exercises.checking import Case, call, compare, forbid, fresh, random_case


# --8<-- [start:checks]
def series(T: int, seed: int) -> torch.Tensor:
    return torch.randn(T, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


def check_windows(fn) -> list[str]:
    """fn(x, tau) must return (features (T - tau, tau), targets (T - tau,)) as `windows` does, without unfold."""
    cases = [Case(random_case(n, T=T, tau=tau), (series(T, n), tau)) for n, (T, tau) in
             enumerate([(10, 3), (17, 1), (12, 5)], start=1)]
    cases += [Case("경계: tau = T - 1 (창이 하나)", (series(6, 4), 5)), Case("경계: T = 2, tau = 1", (series(2, 5), 1))]
    for case in cases:
        x, tau = case.args
        with forbid({"unfold"}, case.name):
            got = call(fn, case.name, *fresh(case.args))
        if not isinstance(got, tuple) or len(got) != 2:
            raise AssertionError(f"입력 [{case.name}]에서 (features, targets) 두 값을 돌려주어야 합니다.")
        compare("features", got[0], x.unfold(0, tau, 1)[:-1], case.name)
        compare("targets", got[1], x[tau:], case.name)
    return [case.name for case in cases]


def ema_reference(x: torch.Tensor, decay: float) -> torch.Tensor:
    """The page's loop: h_1 = 0, h_t = decay·h_{t-1} + (1 - decay)·x_{t-1}."""
    h, states = torch.zeros((), dtype=x.dtype), []
    for x_previous in torch.cat([x.new_zeros(1), x[:-1]]):
        h = decay * h + (1 - decay) * x_previous
        states.append(h)
    return torch.stack(states)


def check_ema(fn) -> list[str]:
    """fn(x, decay) must return every h_t (T,) of the exponential moving average."""
    cases = [Case(random_case(n, T=T, decay=decay), (series(T, n), decay)) for n, (T, decay) in
             enumerate([(8, 0.9), (30, 0.5), (50, 0.99)], start=1)]
    cases += [
        Case("경계: decay = 0 (h_t = x_{t-1})", (series(6, 4), 0.0)),
        Case("경계: decay = 1 (아무것도 쓰지 않는다)", (series(5, 5), 1.0)),
        Case("경계: T = 1", (series(1, 6), 0.9)),
    ]
    for case in cases:
        compare("h", call(fn, case.name, *fresh(case.args)), ema_reference(*case.args), case.name, atol=1e-9)
    return [case.name for case in cases]
# --8<-- [end:checks]


def main() -> None:
    from snippets.exercises.check import self_test

    self_test("sequence")


if __name__ == "__main__":
    main()

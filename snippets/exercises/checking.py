"""What every exercise checker shares: call the learner's function on named inputs and say what differed.

A checker runs the learner's function and a reference on random inputs and edge cases, and raises AssertionError
whose message names the input and the first difference. This file imports nothing from the rest of `snippets`:
the downloadable notebooks (snippets/exercises/notebooks.py) carry it as it is.
"""

from __future__ import annotations

# --8<-- [start:tools]
import copy
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch.overrides import TorchFunctionMode


@dataclass
class Case:
    """One input of a checker: `name` is how a failure message names it, `args` what the function receives."""

    name: str
    args: tuple


def random_case(number: int, **sizes: int) -> str:
    """The name of a random input: '무작위 3 (B=2, T=5)'."""
    return f"무작위 {number} ({', '.join(f'{k}={v}' for k, v in sizes.items())})"


def fresh(args: tuple) -> tuple:
    """Copies of the inputs, so that a function that changes its arguments cannot change the reference's."""
    return tuple(a.clone() if isinstance(a, torch.Tensor) else copy.deepcopy(a) for a in args)


def call(fn: Callable, case: str, *args):
    """fn(*args); an exception becomes a message naming the input."""
    try:
        return fn(*args)
    except NotImplementedError:
        raise AssertionError(
            "아직 구현하지 않았습니다: 함수가 NotImplementedError를 냈습니다. "
            "스텁의 `raise NotImplementedError` 줄을 지우고 함수를 완성하세요."
        ) from None
    except AssertionError:
        raise
    except Exception as error:
        raise AssertionError(f"입력 [{case}]에서 함수가 {type(error).__name__} 예외를 냈습니다: {error}") from error


def _value(tensor: torch.Tensor) -> str:
    value = tensor.item()
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def compare(what: str, got, expected: torch.Tensor, case: str, atol: float = 1e-10, rtol: float = 0.0) -> None:
    """Raise AssertionError naming `case` unless `got` has the shape, kind and values of `expected`.

    Floating values may differ by atol + rtol·|expected| (sums in another order round differently); infinities
    must match exactly; booleans and integers must be equal.
    """
    if not isinstance(got, torch.Tensor):
        raise AssertionError(f"입력 [{case}]에서 {what}: 텐서가 아니라 {type(got).__name__} 값을 돌려주었습니다.")
    if tuple(got.shape) != tuple(expected.shape):
        raise AssertionError(
            f"입력 [{case}]에서 {what}의 모양이 {tuple(got.shape)}입니다. 기대한 모양은 {tuple(expected.shape)}입니다."
        )
    if expected.dtype == torch.bool and got.dtype != torch.bool:
        raise AssertionError(f"입력 [{case}]에서 {what}의 자료형이 {got.dtype}입니다. 불리언(torch.bool)이어야 합니다.")
    if expected.is_floating_point():
        if not got.is_floating_point():
            raise AssertionError(f"입력 [{case}]에서 {what}의 자료형이 {got.dtype}입니다. 실수여야 합니다.")
        g, e = got.detach().double(), expected.detach().double()
        wrong = ~((g == e) | ((g - e).abs() <= atol + rtol * e.abs()))  # NaN is never close; inf only to itself
        tolerance = f" (허용 오차 {atol:g}" + (f" + {rtol:g}×|기준|" if rtol else "") + ")"
    else:
        wrong = got.detach() != expected
        tolerance = ""
    if wrong.any():
        where = tuple(wrong.nonzero()[0].tolist())
        raise AssertionError(
            f"입력 [{case}]에서 {what} 값이 기준과 다릅니다: {int(wrong.sum())}/{wrong.numel()}칸이 다르고, "
            f"처음 다른 칸 {where}에서 받은 값 {_value(got.detach()[where])}, 기준 값 {_value(expected[where])}"
            f"{tolerance}."
        )


def passed(cases: list[str]) -> str:
    """What a learner sees when every input matched."""
    return f"통과: 입력 {len(cases)}개에서 기준과 같습니다.\n" + "\n".join(f"  · {name}" for name in cases)


def report(check: Callable, fn: Callable) -> None:
    """Print the verdict of `check(fn)` instead of raising (the notebooks' check cells)."""
    try:
        cases = check(fn)
    except AssertionError as error:
        print(f"아직 통과하지 못했습니다.\n{error}")
    else:
        print(passed(cases))


class forbid(TorchFunctionMode):
    """Inside `with forbid({"unfold"}, case):`, calling a torch function or tensor method of that name fails."""

    def __init__(self, names: set[str], case: str) -> None:
        super().__init__()
        self.names, self.case = names, case

    def __torch_function__(self, func, types, args=(), kwargs=None):
        name = getattr(func, "__name__", "")
        if name in self.names:
            raise AssertionError(f"입력 [{self.case}]에서 이 문제가 쓰지 말라고 한 연산을 불렀습니다: `{name}`.")
        return func(*args, **(kwargs or {}))
# --8<-- [end:tools]


def main() -> None:
    """What a learner sees when a value differs: the input's name, how many entries differ, the first of them."""
    expected = torch.tensor([[0.5, 1.0], [1.5, 2.0]], dtype=torch.float64)
    got = expected.clone()
    got[1, 0] = 1.25
    try:
        compare("h_t", got, expected, random_case(1, B=2, H=2))
    except AssertionError as error:
        print(error)


if __name__ == "__main__":
    main()

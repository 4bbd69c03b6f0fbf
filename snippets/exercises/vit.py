"""Checkers for the Vision Transformer page's exercises (docs/lecture/vit.md): patches by reshaping, and back.

References:
    Dosovitskiy et al. An Image is Worth 16x16 Words. ICLR 2021, arXiv:2010.11929 (section 3.1).
The references are `torch.nn.functional.unfold` and `torch.nn.functional.fold` with kernel = stride = P, which
flatten each patch as (channel, row, col), as the page's `patchify` does.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from snippets.exercises.checking import Case, call, compare, forbid

# --8<-- [start:checks]
SHAPES = [  # (B, H, W, P): 3 channels always
    ("32×32, P=8 (페이지의 그림)", (1, 32, 32, 8)),
    ("두 장, 8×12, P=4 (정사각형이 아니다)", (2, 8, 12, 4)),
    ("경계: 패치 하나 (P = H = W)", (1, 4, 4, 4)),
    ("경계: P = 1 (픽셀 하나가 패치)", (2, 3, 5, 1)),
]


def images(B: int, H: int, W: int, seed: int) -> torch.Tensor:
    return torch.randn(B, 3, H, W, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


def patchify_reference(x: torch.Tensor, P: int) -> torch.Tensor:
    return F.unfold(x, kernel_size=P, stride=P).transpose(1, 2)  # (B, 3·P·P, N) -> (B, N, 3·P·P)


def check_patchify(fn) -> list[str]:
    """fn(images, P) must return (B, N, 3·P·P) patches, row by row, each as (channel, row, col), with no unfold."""
    cases = [Case(name, (images(B, H, W, n), P)) for n, (name, (B, H, W, P)) in enumerate(SHAPES, start=1)]
    for case in cases:
        with forbid({"unfold", "conv2d", "im2col"}, case.name):
            got = call(fn, case.name, case.args[0].clone(), case.args[1])
        compare("패치", got, patchify_reference(*case.args), case.name)
    return [case.name for case in cases]


def check_unpatchify(fn) -> list[str]:
    """fn(patches, P, H, W) must put the (B, N, 3·P·P) patches back into (B, 3, H, W) images."""
    cases = []
    for n, (name, (B, H, W, P)) in enumerate(SHAPES, start=1):
        cases.append(Case(name, (patchify_reference(images(B, H, W, n), P), P, H, W)))
    for case in cases:
        patches, P, H, W = case.args
        expected = F.fold(patches.transpose(1, 2), output_size=(H, W), kernel_size=P, stride=P)
        with forbid({"fold"}, case.name):
            got = call(fn, case.name, patches.clone(), P, H, W)
        compare("이미지", got, expected, case.name)
    return [case.name for case in cases]
# --8<-- [end:checks]


def main() -> None:
    from snippets.exercises.check import self_test

    self_test("vit")


if __name__ == "__main__":
    main()

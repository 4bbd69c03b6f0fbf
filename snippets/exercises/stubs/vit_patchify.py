"""연습 vit-patchify: unfold 없이 패치로 자르기.

확인: python -m snippets.exercises.check vit-patchify 이_파일.py
"""

import torch


def patchify_by_reshape(images: torch.Tensor, P: int) -> torch.Tensor:
    """(B, 3, H, W) -> (B, N, 3·P·P). N = (H/P)·(W/P)개 패치를 행 우선으로 나열하고, 각 패치는 (채널, 행, 열)
    순서로 펼친다. unfold와 합성곱은 쓰지 않고 reshape(view)와 permute만으로 만든다.
    """
    raise NotImplementedError("축을 패치 격자와 패치 안쪽으로 나눈 뒤 순서를 바꾸세요")


if __name__ == "__main__":
    print("함수를 채운 뒤 확인: python -m snippets.exercises.check vit-patchify <이 파일>")

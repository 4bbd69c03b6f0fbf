"""연습 seq-windows: unfold 없이 자기회귀 창 만들기.

확인: python -m snippets.exercises.check seq-windows 이_파일.py
"""

import torch


def windows_by_slicing(x: torch.Tensor, tau: int) -> tuple[torch.Tensor, torch.Tensor]:
    """길이 T인 x (T,)에서 특징 (T - tau, tau)와 목표 (T - tau,)를 만든다. unfold는 쓰지 않는다.

    특징의 행 j는 x[j], ..., x[j + tau - 1]이고, 목표 j는 그다음 값 x[j + tau]다.
    """
    raise NotImplementedError("슬라이싱과 torch.stack으로 창을 만드세요")


if __name__ == "__main__":
    print("함수를 채운 뒤 확인: python -m snippets.exercises.check seq-windows <이 파일>")

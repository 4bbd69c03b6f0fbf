"""연습 tf-layer-norm: 층 정규화 직접 구현.

확인: python -m snippets.exercises.check tf-layer-norm 이_파일.py
"""

import torch


def layer_norm(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor, eps: float = 1e-5) -> torch.Tensor:
    """x (..., C)의 마지막 차원마다 평균 μ와 분산 σ²를 구해 y = (x - μ) / √(σ² + eps) · weight + bias를 돌려준다.
    F.layer_norm은 쓰지 않는다.
    """
    raise NotImplementedError("마지막 차원의 평균과 분산으로 정규화하세요")


if __name__ == "__main__":
    print("함수를 채운 뒤 확인: python -m snippets.exercises.check tf-layer-norm <이 파일>")

"""연습 attn-head-weights: 헤드별 어텐션 가중치를 손으로.

확인: python -m snippets.exercises.check attn-head-weights 이_파일.py
"""

import torch
from torch import nn


def head_weights(mha: nn.MultiheadAttention, x: torch.Tensor) -> torch.Tensor:
    """셀프 어텐션(질의 = 키 = 값 = x, (B, T, C))에서 mha의 헤드별 가중치 (B, nh, T, T)를 직접 계산한다.
    mha는 batch_first=True이고 in_proj_weight (3C, C), in_proj_bias (3C,)에 W_q, W_k, W_v가 위아래로 쌓여 있다.
    mha를 호출하지는 않는다.
    """
    raise NotImplementedError("투영하고, 헤드로 나누고, 점수를 softmax하세요")


if __name__ == "__main__":
    print("함수를 채운 뒤 확인: python -m snippets.exercises.check attn-head-weights <이 파일>")

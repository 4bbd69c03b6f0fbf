"""연습 attn-padding: 패딩 마스크가 있는 어텐션.

확인: python -m snippets.exercises.check attn-padding 이_파일.py
"""

import torch


def padded_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """q (B, T, hs), k와 v (B, S, hs). 배치 b에서는 앞의 lengths[b]개 키만 진짜고 나머지는 패딩이다.
    softmax(q kᵀ / √hs) v를 구하되, 패딩 키에는 가중치를 주지 않는다. (B, T, hs)를 돌려준다.
    F.scaled_dot_product_attention은 쓰지 않는다.
    """
    raise NotImplementedError("패딩 키의 점수를 -inf로 가린 뒤 softmax하세요")


if __name__ == "__main__":
    print("함수를 채운 뒤 확인: python -m snippets.exercises.check attn-padding <이 파일>")

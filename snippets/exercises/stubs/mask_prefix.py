"""연습 mask-prefix: 마스크 없이 인과 어텐션.

확인: python -m snippets.exercises.check mask-prefix 이_파일.py
"""

import torch


def causal_attention_by_prefix(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """q, k, v (B, nh, T, hs)로 인과 어텐션의 출력 (B, nh, T, hs)를 구한다. 마스크는 만들지 않는다:
    위치 t마다 키와 값을 앞의 t + 1개로 잘라 softmax(q_t kᵀ / √hs) v를 계산하고, 결과를 이어 붙인다.
    """
    raise NotImplementedError("위치마다 앞쪽 키만 잘라 어텐션하세요")


if __name__ == "__main__":
    print("함수를 채운 뒤 확인: python -m snippets.exercises.check mask-prefix <이 파일>")

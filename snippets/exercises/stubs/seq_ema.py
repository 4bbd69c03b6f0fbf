"""연습 seq-ema: 반복문 없이 지수 이동 평균 구하기.

확인: python -m snippets.exercises.check seq-ema 이_파일.py
"""

import torch


def ema_closed_form(x: torch.Tensor, decay: float) -> torch.Tensor:
    """x (T,)의 잠재 상태 h (T,)를 시간에 대한 반복문 없이 구한다.

    정의(페이지의 latent_summaries): h_1 = 0, h_t = decay · h_{t-1} + (1 - decay) · x_{t-1}.
    펼치면 h_t = Σ_{s<t} (1 - decay) · decay^(t-1-s) · x_s 이다. 가중치 행렬 (T, T)를 만들어 x에 곱해 보자.
    """
    raise NotImplementedError("가중치 행렬을 만들어 x에 곱하세요")


if __name__ == "__main__":
    print("함수를 채운 뒤 확인: python -m snippets.exercises.check seq-ema <이 파일>")

"""연습 lstm-last-state: 길이가 다른 시퀀스의 마지막 상태.

확인: python -m snippets.exercises.check lstm-last-state 이_파일.py
"""

import torch
from torch import nn


def last_hidden(lstm: nn.LSTM, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """x (B, T, I)의 시퀀스 b는 앞의 lengths[b]칸만 진짜고 나머지는 패딩이다. 각 시퀀스의 마지막 진짜 칸을
    읽은 직후, 맨 위 층의 은닉 상태를 모은 (B, H)를 돌려준다. lstm은 batch_first=True다.
    """
    raise NotImplementedError("패딩을 읽기 전의 상태를 고르세요")


if __name__ == "__main__":
    print("함수를 채운 뒤 확인: python -m snippets.exercises.check lstm-last-state <이 파일>")

"""연습 rnn-reverse: 시퀀스를 끝에서부터 읽는 RNN.

확인: python -m snippets.exercises.check rnn-reverse 이_파일.py
"""

import torch


def reverse_rnn(
    x: torch.Tensor, weight_ih: torch.Tensor, weight_hh: torch.Tensor, bias_ih: torch.Tensor, bias_hh: torch.Tensor,
) -> torch.Tensor:
    """x (B, T, I)를 t = T에서 1로 거꾸로 읽는 tanh RNN. h_{T+1} = 0에서 시작해
    h_t = tanh(W_ih x_t + b_ih + W_hh h_{t+1} + b_hh)를 계산하고, h_t를 원래 시점 t 자리에 둔 (B, T, H)를 돌려준다.
    """
    raise NotImplementedError("끝에서부터 읽으며 상태를 갱신하세요")


if __name__ == "__main__":
    print("함수를 채운 뒤 확인: python -m snippets.exercises.check rnn-reverse <이 파일>")

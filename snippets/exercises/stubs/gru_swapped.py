"""연습 gru-swapped: 업데이트 게이트의 역할을 뒤집은 GRU 한 단계.

확인: python -m snippets.exercises.check gru-swapped 이_파일.py
"""

import torch


def gru_step_swapped(
    x: torch.Tensor, h: torch.Tensor,
    weight_ih: torch.Tensor, weight_hh: torch.Tensor, bias_ih: torch.Tensor, bias_hh: torch.Tensor,
) -> torch.Tensor:
    """x (B, I)와 h_{t-1} (B, H)로 h_t (B, H)를 만든다. 가중치는 nn.GRUCell처럼 r | z | n 순서로 쌓여 있다.

    r_t, z_t, n_t는 nn.GRUCell과 같고 마지막 식만 다르다: h_t = z_t ⊙ n_t + (1 - z_t) ⊙ h_{t-1}
    """
    raise NotImplementedError("h_t를 계산하세요")


if __name__ == "__main__":
    print("함수를 채운 뒤 확인: python -m snippets.exercises.check gru-swapped <이 파일>")

"""연습 lstm-forget-bias: 망각 게이트 편향 초기화.

확인: python -m snippets.exercises.check lstm-forget-bias 이_파일.py
"""

from torch import nn


def set_forget_bias(lstm: nn.LSTM, value: float) -> None:
    """모든 층에서 망각 게이트 편향의 합 b_if + b_hf가 value가 되게 lstm의 편향을 제자리에서 고친다.

    편향 bias_ih_l{k}, bias_hh_l{k}는 (4H,)이고 i | f | g | o 순서로 쌓여 있다. 가중치와 다른 게이트의 편향은
    그대로 둔다. 호출하는 쪽이 torch.no_grad() 안에서 부른다.
    """
    raise NotImplementedError("각 층의 f 부분을 고치세요")


if __name__ == "__main__":
    print("함수를 채운 뒤 확인: python -m snippets.exercises.check lstm-forget-bias <이 파일>")

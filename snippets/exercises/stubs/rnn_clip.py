"""연습 rnn-clip: 기울기 노름 자르기.

확인: python -m snippets.exercises.check rnn-clip 이_파일.py
"""

import torch


def clip_by_global_norm(grads: list[torch.Tensor], max_norm: float) -> list[torch.Tensor]:
    """기울기 텐서들을 하나로 이어 붙인 벡터의 노름 ‖g‖가 max_norm보다 크면, 모두를 같은 비율
    max_norm / ‖g‖로 줄인 새 텐서들을 돌려준다. 작으면 그대로 돌려준다. 입력 텐서는 바꾸지 않는다.
    """
    raise NotImplementedError("전체 노름을 구하고 같은 비율로 줄이세요")


if __name__ == "__main__":
    print("함수를 채운 뒤 확인: python -m snippets.exercises.check rnn-clip <이 파일>")

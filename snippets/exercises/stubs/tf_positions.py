"""연습 tf-positions: 사인파 위치 인코딩.

확인: python -m snippets.exercises.check tf-positions 이_파일.py
"""

import torch


def sinusoidal_positions(T: int, C: int) -> torch.Tensor:
    """(T, C) 표를 돌려준다(C는 짝수). 위치 p, i = 0, 1, ..., C/2 - 1에 대해
    PE[p, 2i] = sin(p / 10000^(2i/C)),  PE[p, 2i + 1] = cos(p / 10000^(2i/C)).
    """
    raise NotImplementedError("각도를 한꺼번에 구해 짝수 열에 sin, 홀수 열에 cos를 넣으세요")


if __name__ == "__main__":
    print("함수를 채운 뒤 확인: python -m snippets.exercises.check tf-positions <이 파일>")

"""연습 mask-window: 슬라이딩 창 인과 마스크.

확인: python -m snippets.exercises.check mask-window 이_파일.py
"""

import torch


def sliding_window_mask(T: int, w: int) -> torch.Tensor:
    """불리언 (T, T) 마스크, True = 볼 수 있다. 질의 t는 자기 자신과 바로 앞의 w - 1개 키만 본다:
    마스크[t, s]는 0 <= t - s < w일 때 True다.
    """
    raise NotImplementedError("인과 마스크에서 너무 먼 과거를 지우세요")


if __name__ == "__main__":
    print("함수를 채운 뒤 확인: python -m snippets.exercises.check mask-window <이 파일>")

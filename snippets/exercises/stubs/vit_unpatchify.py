"""연습 vit-unpatchify: 패치를 이미지로 되돌리기.

확인: python -m snippets.exercises.check vit-unpatchify 이_파일.py
"""

import torch


def unpatchify(patches: torch.Tensor, P: int, H: int, W: int) -> torch.Tensor:
    """patchify의 역: (B, N, 3·P·P) 패치(행 우선, 각 패치는 (채널, 행, 열) 순서)를 (B, 3, H, W) 이미지로 되돌린다.
    F.fold는 쓰지 않는다.
    """
    raise NotImplementedError("patchify의 reshape와 permute를 거꾸로 하세요")


if __name__ == "__main__":
    print("함수를 채운 뒤 확인: python -m snippets.exercises.check vit-unpatchify <이 파일>")

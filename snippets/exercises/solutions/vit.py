"""Reference solutions of the Vision Transformer page's exercises, checked by snippets/exercises/vit.py."""

from __future__ import annotations


# --8<-- [start:patchify]
def patchify_by_reshape(images, P):
    B, channels, H, W = images.shape
    grid = images.reshape(B, channels, H // P, P, W // P, P)  # (B, 3, H/P, P, W/P, P): row = (patch row, row in it)
    grid = grid.permute(0, 2, 4, 1, 3, 5)  # (B, H/P, W/P, 3, P, P): patches first, then what is inside one
    return grid.reshape(B, (H // P) * (W // P), channels * P * P)  # (B, N, 3·P·P)
# --8<-- [end:patchify]


# --8<-- [start:unpatchify]
def unpatchify(patches, P, H, W):
    B = patches.shape[0]
    grid = patches.reshape(B, H // P, W // P, 3, P, P)  # (B, H/P, W/P, 3, P, P)
    grid = grid.permute(0, 3, 1, 4, 2, 5)  # (B, 3, H/P, P, W/P, P): the inverse of patchify's permute
    return grid.reshape(B, 3, H, W)  # (B, 3, H, W)
# --8<-- [end:unpatchify]


if __name__ == "__main__":
    from snippets.exercises.check import verdicts

    print(verdicts("vit"))

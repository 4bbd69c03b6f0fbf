"""A tiny Vision Transformer: cut the image into patches, project each flattened patch, add a class token and positions.

References:
    Dosovitskiy et al. An Image is Worth 16x16 Words: Transformers for Image Recognition at Scale.
    ICLR 2021, arXiv:2010.11929 (section 3.1, equations 1-4).
Mirrors the patch embedding of `torchvision.models.VisionTransformer` (`conv_proj`, a Conv2d with
kernel = stride = patch size); the encoder blocks are `snippets.transformer.encoder.EncoderBlock`.
"""

from __future__ import annotations

import torch
from torch import nn

from snippets.transformer.encoder import EncoderBlock


# --8<-- [start:image]
def draw_image(H: int = 32, W: int = 32) -> torch.Tensor:
    """A generated RGB picture (1, 3, H, W) in [0, 1]: a red disc, a green diagonal stripe, a blue gradient."""
    y, x = torch.meshgrid(torch.linspace(-1, 1, H), torch.linspace(-1, 1, W), indexing="ij")  # (H, W) each
    red = ((x + 0.35) ** 2 + (y + 0.35) ** 2 < 0.3**2).float()  # a disc in the upper left
    green = ((x - y).abs() < 0.15).float()  # the diagonal
    blue = (x + 1) / 2 * 0.8  # brighter to the right
    return torch.stack([red, green, blue]).unsqueeze(0)  # (1, 3, H, W)
# --8<-- [end:image]


# --8<-- [start:patchify]
def patchify(images: torch.Tensor, P: int) -> torch.Tensor:
    """(B, 3, H, W) -> (B, N, 3·P·P): N = (H/P)·(W/P) patches, row by row, each flattened as (channel, row, col)."""
    B, channels, H, W = images.shape
    assert H % P == 0 and W % P == 0, "the patch size must divide the image"
    patches = images.unfold(2, P, P).unfold(3, P, P)  # (B, 3, H/P, W/P, P, P)
    patches = patches.permute(0, 2, 3, 1, 4, 5)  # (B, H/P, W/P, 3, P, P)
    return patches.reshape(B, (H // P) * (W // P), channels * P * P)  # (B, N, 3·P·P)
# --8<-- [end:patchify]


# --8<-- [start:vit]
class TinyViT(nn.Module):
    """ViT-style classifier (Dosovitskiy et al., eq. 1-4) with pre-norm encoder blocks.

        z₀ = [x_class; x_p¹ E; ...; x_pᴺ E] + E_pos     E: (3·P·P, D), E_pos: (N + 1, D)
        z_ℓ = EncoderBlock(z_{ℓ-1}),  ℓ = 1..L
        y = head(LN(z_L⁰))                                the class token's final state

    P is the patch size, N = H·W / P² the number of patches, D the embedding width, x_pⁱ the i-th
    flattened patch (3·P·P numbers). Input (B, 3, H, W); output logits (B, n_classes).
    """

    def __init__(self, image_size: int, P: int, D: int, nh: int, L: int, n_classes: int) -> None:
        super().__init__()
        self.P = P
        N = (image_size // P) ** 2
        self.patch_embedding = nn.Linear(3 * P * P, D)  # E: "linear projection of flattened patches"
        self.class_token = nn.Parameter(torch.zeros(1, 1, D))  # x_class, learned
        self.position_embedding = nn.Parameter(torch.randn(1, N + 1, D) * 0.02)  # E_pos, learned
        self.blocks = nn.ModuleList(
            EncoderBlock(D, nh, 4 * D, norm_first=True, activation="gelu") for _ in range(L)
        )
        self.norm = nn.LayerNorm(D)
        self.head = nn.Linear(D, n_classes)

    def forward(self, images: torch.Tensor, trace: list[str] | None = None) -> torch.Tensor:
        def note(name: str, tensor: torch.Tensor, letters: str) -> None:
            if trace is not None:
                trace.append(f"{name:<26} {letters:<16} {tuple(tensor.shape)}")

        note("images", images, "(B, 3, H, W)")
        patches = patchify(images, self.P)  # (B, N, 3·P·P)
        note("patchify", patches, "(B, N, 3·P·P)")
        tokens = self.patch_embedding(patches)  # x_pⁱ E: (B, N, D)
        note("patch embedding", tokens, "(B, N, D)")
        class_token = self.class_token.expand(len(images), -1, -1)  # (B, 1, D), shared by the batch
        z = torch.cat([class_token, tokens], dim=1)  # (B, N + 1, D)
        note("prepend class token", z, "(B, N + 1, D)")
        z = z + self.position_embedding  # (B, N + 1, D) + (1, N + 1, D)
        note("add position embedding", z, "(B, N + 1, D)")
        for index, block in enumerate(self.blocks, start=1):
            z = block(z)  # (B, N + 1, D): no mask, every patch sees every patch
            note(f"encoder block {index}", z, "(B, N + 1, D)")
        class_state = self.norm(z[:, 0])  # (B, D): only the class token's state is classified
        note("class token state", class_state, "(B, D)")
        logits = self.head(class_state)  # (B, n_classes)
        note("head", logits, "(B, n_classes)")
        return logits
# --8<-- [end:vit]


def patch_embedding_as_conv(linear: nn.Linear, P: int) -> nn.Conv2d:
    """The same map as `linear` on flattened patches, as a Conv2d with kernel = stride = P (weights copied)."""
    D = linear.out_features
    conv = nn.Conv2d(3, D, kernel_size=P, stride=P, dtype=linear.weight.dtype)
    with torch.no_grad():
        conv.weight.copy_(linear.weight.view(D, 3, P, P))  # row d of E, read as a (3, P, P) filter
        conv.bias.copy_(linear.bias)
    return conv


def main() -> None:  # pragma: no mutate block (a self-check the engine runs; see tests/mutants.md)
    torch.manual_seed(0)
    image = draw_image(32, 32)  # (1, 3, 32, 32)
    model = TinyViT(image_size=32, P=8, D=64, nh=4, L=2, n_classes=10).eval()
    trace: list[str] = []
    with torch.no_grad():
        logits = model(image, trace)
    print("\n".join(trace))
    assert logits.shape == (1, 10)

    conv = patch_embedding_as_conv(model.patch_embedding, P=8)
    with torch.no_grad():
        by_linear = model.patch_embedding(patchify(image, 8))  # (B, N, D)
        by_conv = conv(image).flatten(2).transpose(1, 2)  # (B, D, H/P, W/P) -> (B, D, N) -> (B, N, D)
    # float32, 192-term sums in a matmul vs a convolution kernel: ~5e-7 apart, by an amount that depends on the
    # CPU. Print the bound, not the difference, so the output is the same on every machine.
    assert (by_linear - by_conv).abs().max().item() < 1e-5
    print("max |linear - conv| < 1e-5")


if __name__ == "__main__":
    main()

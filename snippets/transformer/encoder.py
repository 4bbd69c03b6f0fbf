"""One Transformer encoder block: self-attention, then a feed-forward network, each with a residual and LayerNorm.

References:
    Vaswani et al. Attention Is All You Need. NeurIPS 2017, arXiv:1706.03762 (section 3.1, post-norm).
    Xiong et al. On Layer Normalization in the Transformer Architecture. ICML 2020, arXiv:2002.04745 (pre-norm).
Mirrors `torch.nn.TransformerEncoderLayer` (batch_first=True) with the same parameter names,
so `load_state_dict` copies weights across.
"""

from __future__ import annotations

import torch
from torch import nn

from snippets.transformer.attention import MultiHeadAttention


# --8<-- [start:block]
class EncoderBlock(nn.Module):
    """x -> x + SelfAttention(x) -> + FFN, with LayerNorm after (post-norm) or before (pre-norm) each sublayer.

        post-norm (norm_first=False, the 2017 paper):  x = LN₁(x + MHA(x)),  x = LN₂(x + FFN(x))
        pre-norm  (norm_first=True, ViT, GPT-2):       x = x + MHA(LN₁(x)),  x = x + FFN(LN₂(x))
        FFN(x) = W₂ act(W₁ x + b₁) + b₂,  act = ReLU or GELU

    C is the model width, nh the number of heads, d_ff the hidden width of the FFN (W₁: (d_ff, C), W₂: (C, d_ff)).
    Input and output: (B, T, C); may_attend (T, T) boolean with True = may attend. Dropout is left out:
    the block is compared with `nn.TransformerEncoderLayer` in eval mode, where dropout is the identity.
    """

    def __init__(self, C: int, nh: int, d_ff: int, norm_first: bool, activation: str = "relu",
                 dtype: torch.dtype | None = None) -> None:
        super().__init__()
        self.norm_first = norm_first
        self.activation = {"relu": torch.relu, "gelu": torch.nn.functional.gelu}[activation]
        self.self_attn = MultiHeadAttention(C, nh, dtype=dtype)
        self.linear1 = nn.Linear(C, d_ff, dtype=dtype)  # W₁, b₁
        self.linear2 = nn.Linear(d_ff, C, dtype=dtype)  # W₂, b₂
        self.norm1 = nn.LayerNorm(C, dtype=dtype)  # LN₁
        self.norm2 = nn.LayerNorm(C, dtype=dtype)  # LN₂

    def attend(self, x: torch.Tensor, may_attend: torch.Tensor | None) -> torch.Tensor:
        return self.self_attn(x, x, x, may_attend)[0]  # (B, T, C): every token looks at every token

    def feed_forward(self, x: torch.Tensor) -> torch.Tensor:
        # FFN(x) = W₂ act(W₁ x + b₁) + b₂, the same two layers at every position
        return self.linear2(self.activation(self.linear1(x)))  # (B, T, C) -> (B, T, d_ff) -> (B, T, C)

    def forward(self, x: torch.Tensor, may_attend: torch.Tensor | None = None) -> torch.Tensor:
        if self.norm_first:
            x = x + self.attend(self.norm1(x), may_attend)  # (B, T, C)
            return x + self.feed_forward(self.norm2(x))  # (B, T, C)
        x = self.norm1(x + self.attend(x, may_attend))  # (B, T, C)
        return self.norm2(x + self.feed_forward(x))  # (B, T, C)
# --8<-- [end:block]


def main() -> None:  # pragma: no mutate block (a self-check the engine runs; see tests/mutants.md)
    torch.manual_seed(0)
    B, T, C, nh, d_ff = 2, 7, 256, 8, 1024
    x = torch.randn(B, T, C, dtype=torch.float64)  # (B, T, C)
    for norm_first in (False, True):
        ours = EncoderBlock(C, nh, d_ff, norm_first=norm_first, dtype=torch.float64).eval()
        theirs = nn.TransformerEncoderLayer(C, nh, d_ff, batch_first=True, norm_first=norm_first,
                                            dtype=torch.float64).eval()
        ours.load_state_dict(theirs.state_dict())
        with torch.no_grad():
            difference = (ours(x) - theirs(x)).abs().max().item()
        # float64 through other kernels: ~1e-15 apart, by an amount that depends on the CPU; print the bound
        assert difference < 1e-12
        print(f"norm_first={norm_first}: output {tuple(ours(x).shape)}, max |ours - torch| < 1e-12")


if __name__ == "__main__":
    main()

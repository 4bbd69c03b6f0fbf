"""The decoder's causal mask: position t may attend only to positions 1..t, so no output sees the future.

References:
    Vaswani et al. Attention Is All You Need. NeurIPS 2017, arXiv:1706.03762 (section 3.2.3, masked self-attention).
Mirrors `torch.nn.Transformer.generate_square_subsequent_mask`, which returns a float mask (0 and -inf)
instead of a boolean one; `nn.MultiheadAttention`'s boolean `attn_mask` uses True = NOT allowed.
"""

from __future__ import annotations

import torch

from snippets.transformer.attention import MultiHeadAttention


# --8<-- [start:mask]
def causal_mask(T: int) -> torch.Tensor:
    """Boolean (T, T), True = may attend: row t (a query) is True at columns s <= t (keys up to itself)."""
    return torch.ones(T, T, dtype=torch.bool).tril()  # lower triangle including the diagonal
# --8<-- [end:mask]


# --8<-- [start:probe]
def future_change(
    attention: MultiHeadAttention, x: torch.Tensor, t: int, may_attend: torch.Tensor | None, seed: int = 0
) -> tuple[float, float]:
    """Replace the tokens after position t with random ones and rerun self-attention.

    x: (B, T, C), t: a 0-based position. Returns the largest change of the outputs at positions
    0..t (the past and present) and at positions t+1.. (the replaced future).
    """
    generator = torch.Generator().manual_seed(seed)
    changed = x.clone()
    changed[:, t + 1:] = torch.randn(changed[:, t + 1:].shape, generator=generator, dtype=x.dtype)
    before, _ = attention(x, x, x, may_attend)  # (B, T, C)
    after, _ = attention(changed, changed, changed, may_attend)  # (B, T, C)
    difference = (after - before).abs()  # (B, T, C)
    return difference[:, : t + 1].max().item(), difference[:, t + 1:].max().item()
# --8<-- [end:probe]


def main() -> None:  # pragma: no mutate block (a self-check the engine runs; see tests/mutants.md)
    torch.manual_seed(0)
    B, T, C, nh = 1, 6, 256, 8
    attention = MultiHeadAttention(C, nh, dtype=torch.float64).eval()
    x = torch.randn(B, T, C, dtype=torch.float64)  # (B, T, C)
    print(causal_mask(T).int())
    with torch.no_grad():
        for t in range(T - 1):
            masked = future_change(attention, x, t, causal_mask(T))
            unmasked = future_change(attention, x, t, None)
            print(f"t={t}: change at <= t with mask {masked[0]:.1e}, without mask {unmasked[0]:.1e}")
            # exactly 0, not just small: both runs take the same kernels on the same shapes in this process, and
            # the hidden keys get weight exp(-inf) = 0, so the changed tokens add exact zeros
            assert masked[0] == 0.0 and unmasked[0] > 1e-3


if __name__ == "__main__":
    main()

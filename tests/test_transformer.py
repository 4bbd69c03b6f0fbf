"""The Transformer pieces in snippets/transformer equal their torch versions, and the causal mask hides the future."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from snippets.transformer.attention import MultiHeadAttention, scaled_dot_product_attention
from snippets.transformer.encoder import EncoderBlock
from snippets.transformer.masking import causal_mask, future_change
from snippets.transformer.vit import TinyViT, draw_image, patch_embedding_as_conv, patchify

DOUBLE = torch.float64
B, T, C, nh = 2, 7, 256, 8  # the lecture's numbers: d_model 256, 8 heads of 32
# Ours vs torch: different kernels sum in different orders, so float64 results differ by ~1e-16 per operation
# (about 1e-15 here). 1e-6 is far above that on any CPU, and far below the error of a wrong formula (~1e-1).
TOL = 1e-6
# One projection computed whole or as a slice: MKL may block the 256-term sums differently for each shape
# (measured 2.2e-15 on AVX-512, 0 with MKL_CBWR=COMPATIBLE). The worst case for a 256-term float64 sum,
# 256 · 1.1e-16 · Σ|x_k W_jk| with Σ <= 10 here, is ~3e-13 per result: 1e-12 covers any summation order.
ROUNDING = 1e-12


def pair(seed: int = 0) -> tuple[MultiHeadAttention, nn.MultiheadAttention]:
    torch.manual_seed(seed)
    ours = MultiHeadAttention(C, nh, dtype=DOUBLE).eval()
    with torch.no_grad():
        ours.in_proj_bias.normal_()  # nonzero biases, so a wrong bias path cannot hide
        ours.out_proj.bias.normal_()
    theirs = nn.MultiheadAttention(C, nh, batch_first=True, dtype=DOUBLE).eval()
    theirs.load_state_dict(ours.state_dict())
    return ours, theirs


def inputs(seed: int = 1, length: int = T) -> torch.Tensor:
    return torch.randn(B, length, C, dtype=DOUBLE, generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize("masked", [False, True], ids=["no-mask", "causal"])
def test_sdpa_matches_torch(masked):
    """Asserts that scaled_dot_product_attention equals F.scaled_dot_product_attention within 1e-6 (float64)."""
    q, k, v = (inputs(seed).view(B, T, nh, C // nh).transpose(1, 2) for seed in (1, 2, 3))  # (B, nh, T, hs)
    mask = causal_mask(T) if masked else None
    ours, weights = scaled_dot_product_attention(q, k, v, mask)
    theirs = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)  # SDPA: True = may attend, as ours
    assert (ours - theirs).abs().max().item() < TOL
    assert (weights.sum(-1) - 1).abs().max().item() < ROUNDING  # a sum of T=7 float64 weights: ~1e-16 off 1


@pytest.mark.parametrize("masked", [False, True], ids=["no-mask", "causal"])
def test_multi_head_attention_matches_nn_multihead_attention(masked):
    """Asserts that outputs and per-head weights equal nn.MultiheadAttention's within 1e-6 (float64, same weights)."""
    ours, theirs = pair()
    query, key_value = inputs(1), inputs(2)  # cross-attention: queries and keys/values differ
    mask = causal_mask(T) if masked else None
    out, weights = ours(query, key_value, key_value, mask)
    # nn.MultiheadAttention's boolean attn_mask means True = NOT allowed: pass the complement
    ref_out, ref_weights = theirs(
        query, key_value, key_value, attn_mask=None if mask is None else ~mask, average_attn_weights=False
    )
    assert out.shape == (B, T, C) and weights.shape == (B, nh, T, T)
    assert (out - ref_out).abs().max().item() < TOL
    assert (weights - ref_weights).abs().max().item() < TOL


def test_heads_are_a_reshape_of_full_width_projections():
    """Asserts that head i's queries are x @ W_q[i·hs:(i+1)·hs]ᵀ (up to rounding): a slice of a projection of all
    256 features."""
    ours, _ = pair()
    x = inputs()
    hs = C // nh
    W_q, _, _ = ours.in_proj_weight.chunk(3)
    b_q = ours.in_proj_bias[:C]
    heads = ours.split_heads(x @ W_q.T + b_q)  # (B, nh, T, hs)
    for i in range(nh):
        rows = slice(i * hs, (i + 1) * hs)
        # equal up to rounding, not bit for bit: the sliced matmul is another kernel call (see ROUNDING)
        assert (heads[:, i] - (x @ W_q[rows].T + b_q[rows])).abs().max().item() < ROUNDING
        # not "features i·hs .. (i+1)·hs of x": the last input feature alone moves every head, each query by
        # |W_q[j, 255]| >= 2e-4 here, a real change far above rounding
        nudged = x.clone()
        nudged[..., C - 1] += 1.0
        assert (ours.split_heads(nudged @ W_q.T + b_q)[:, i] - heads[:, i]).abs().min().item() > ROUNDING
    _, weights = ours(x, x, x)
    assert (weights > 0).all(), "without a mask every head gives every token a positive weight"


def test_causal_mask_hides_the_future_and_no_mask_does_not():
    """Asserts that with the mask, replacing tokens after t leaves outputs at <= t unchanged; without it they change."""
    ours, _ = pair()
    x = inputs()
    with torch.no_grad():
        for t in range(T - 1):
            past_masked, future_masked = future_change(ours, x, t, causal_mask(T), seed=t)
            past_open, _ = future_change(ours, x, t, None, seed=t)
            # 0 in practice (both runs: same kernels, same shapes; hidden keys get weight exactly 0), bounded by
            # rounding rather than compared bit for bit
            assert past_masked < ROUNDING, f"position <= {t} saw the future"
            assert future_masked > 1e-3, "the replaced tokens did not change their own outputs"
            assert past_open > 1e-3, "without a mask the past should see the changed future"


def test_causal_mask_conventions():
    """Asserts that causal_mask (True = may attend) is the complement of PyTorch's -inf float mask positions."""
    mask = causal_mask(5)
    assert mask.dtype == torch.bool and mask[4].all() and not mask[0, 1:].any()
    float_mask = nn.Transformer.generate_square_subsequent_mask(5)  # 0 = may attend, -inf = hidden
    assert torch.equal(mask, float_mask == 0)  # booleans: exact


@pytest.mark.parametrize("norm_first", [False, True], ids=["post-norm", "pre-norm"])
@pytest.mark.parametrize("grad", [True, False], ids=["grad", "no-grad"])
def test_encoder_block_matches_transformer_encoder_layer(norm_first, grad):
    """Asserts that EncoderBlock equals nn.TransformerEncoderLayer (eval, same weights) within 1e-6 in float64."""
    torch.manual_seed(0)
    theirs = nn.TransformerEncoderLayer(C, nh, 1024, batch_first=True, norm_first=norm_first, dtype=DOUBLE).eval()
    ours = EncoderBlock(C, nh, 1024, norm_first=norm_first, dtype=DOUBLE).eval()
    ours.load_state_dict(theirs.state_dict())
    x = inputs()
    # no_grad lets nn.TransformerEncoderLayer take its fused fast path; both paths must agree with ours
    with torch.set_grad_enabled(grad):
        assert (ours(x) - theirs(x)).abs().max().item() < TOL
        mask = causal_mask(T)
        assert (ours(x, mask) - theirs(x, src_mask=~mask)).abs().max().item() < TOL


def test_patch_embedding_equals_conv():
    """Asserts that the linear projection of flattened patches equals a Conv2d with kernel = stride = P (float64)."""
    torch.manual_seed(0)
    P, D = 8, 64
    linear = nn.Linear(3 * P * P, D, dtype=DOUBLE)
    images = torch.rand(2, 3, 32, 48, dtype=DOUBLE)
    by_linear = linear(patchify(images, P))  # (B, N, D)
    by_conv = patch_embedding_as_conv(linear, P)(images).flatten(2).transpose(1, 2)  # (B, N, D)
    assert by_linear.shape == (2, (32 // P) * (48 // P), D)
    assert (by_linear - by_conv).abs().max().item() < TOL  # matmul vs convolution kernel: 192-term sums


def test_patchify_keeps_each_patch_together():
    """Asserts that patch n of patchify is exactly the pixels of the n-th P×P square, read row by row."""
    image = draw_image(32, 32)
    patches = patchify(image, 8)  # (1, 16, 192)
    row, col = divmod(6, 4)
    # exact on purpose: patchify only moves numbers (unfold, permute, reshape), it computes nothing
    assert torch.equal(patches[0, 6], image[0, :, row * 8 : (row + 1) * 8, col * 8 : (col + 1) * 8].reshape(-1))


def test_tiny_vit_shapes():
    """Asserts the ViT shape trace: 16 patches of 8×8×3 = 192 numbers, 17 tokens with the class token, 10 logits."""
    torch.manual_seed(0)
    model = TinyViT(image_size=32, P=8, D=64, nh=4, L=2, n_classes=10).eval()
    trace: list[str] = []
    logits = model(draw_image(32, 32).repeat(3, 1, 1, 1), trace)
    assert logits.shape == (3, 10)
    assert len(trace) == 9  # images, patchify, embedding, class token, positions, 2 blocks, class state, head
    assert trace[1].endswith("(3, 16, 192)") and trace[2].endswith("(3, 16, 64)") and trace[3].endswith("(3, 17, 64)")

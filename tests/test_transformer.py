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


# The checks below were added for mutation testing (`make mutants`, tests/mutants.md): each one kills mutants of
# snippets/transformer that the tests above let through.


def test_sdpa_cross_attention_with_other_lengths_and_a_free_mask():
    """Asserts that scaled_dot_product_attention equals F.scaled_dot_product_attention when T=5 queries look at
    S=9 keys, with and without a (T, S) mask that is not causal, and that hidden keys get a weight of exactly 0."""
    generator = torch.Generator().manual_seed(7)
    hs, queries, keys = 16, 5, 9
    q = torch.randn(B, nh, queries, hs, dtype=DOUBLE, generator=generator)
    k = torch.randn(B, nh, keys, hs, dtype=DOUBLE, generator=generator)
    v = torch.randn(B, nh, keys, hs, dtype=DOUBLE, generator=generator)
    may_attend = torch.rand(queries, keys, generator=generator) < 0.5
    may_attend[:, 0] = True  # every query sees at least one key
    for mask in (None, may_attend):
        ours, weights = scaled_dot_product_attention(q, k, v, mask)
        theirs = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        assert ours.shape == (B, nh, queries, hs) and weights.shape == (B, nh, queries, keys)
        torch.testing.assert_close(ours, theirs, atol=TOL, rtol=0)
        torch.testing.assert_close(weights.sum(-1), torch.ones(B, nh, queries, dtype=DOUBLE), atol=ROUNDING, rtol=0)
    # exp(-inf) is exactly 0: a hidden key gets no weight at all, a visible one a positive weight
    assert (weights[..., ~may_attend] == 0).all() and (weights[..., may_attend] > 0).all()
    # the scale is 1/sqrt(hs): the weights are the softmax of q kᵀ / 4 for hs = 16
    expected = torch.softmax((q @ k.transpose(-2, -1) / 4).masked_fill(~may_attend, float("-inf")), dim=-1)
    torch.testing.assert_close(weights, expected, atol=ROUNDING, rtol=0)
    # any number of leading dimensions (..., T, hs): one head of one batch as (T, hs), a batch as (B, T, hs)
    for index in ((0, 0), (0,)):
        single, single_weights = scaled_dot_product_attention(q[index], k[index], v[index], may_attend)
        torch.testing.assert_close(single, ours[index], atol=ROUNDING, rtol=0)
        torch.testing.assert_close(single_weights, weights[index], atol=ROUNDING, rtol=0)


@pytest.mark.parametrize("masked", [False, True], ids=["no-mask", "mask"])
def test_multi_head_cross_attention_with_other_lengths(masked):
    """Asserts that MultiHeadAttention equals nn.MultiheadAttention for cross-attention with T=5 queries, S=9 keys
    and values that differ from the keys, with and without a (T, S) mask."""
    ours, theirs = pair(seed=3)
    query, key, value = inputs(4, length=5), inputs(5, length=9), inputs(6, length=9)
    may_attend = torch.rand(5, 9, generator=torch.Generator().manual_seed(8)) < 0.5
    may_attend[:, 3] = True
    mask = may_attend if masked else None
    out, weights = ours(query, key, value, mask)
    ref_out, ref_weights = theirs(
        query, key, value, attn_mask=None if mask is None else ~mask, average_attn_weights=False
    )
    assert out.shape == (B, 5, C) and weights.shape == (B, nh, 5, 9)
    torch.testing.assert_close(out, ref_out, atol=TOL, rtol=0)
    torch.testing.assert_close(weights, ref_weights, atol=TOL, rtol=0)


def test_multi_head_attention_initialises_like_torch():
    """Asserts that from the same seed MultiHeadAttention draws the parameters nn.MultiheadAttention draws (Xavier
    in_proj_weight, zero biases, out_proj as nn.Linear), in float32 by default and in the dtype asked for."""
    for dtype in (None, DOUBLE):
        torch.manual_seed(11)
        ours = MultiHeadAttention(64, 4, dtype=dtype)
        torch.manual_seed(11)
        theirs = nn.MultiheadAttention(64, 4, batch_first=True, dtype=dtype)
        assert ours.state_dict().keys() == theirs.state_dict().keys()
        for name, reference in theirs.state_dict().items():
            # the same initialisers on the same generator: equal; a tolerance still, not bit for bit
            torch.testing.assert_close(ours.state_dict()[name], reference, msg=name)
        assert (ours.C, ours.nh, ours.hs) == (64, 4, 16)
    with pytest.raises(AssertionError, match=r"^C must split evenly into nh heads$"):
        MultiHeadAttention(10, 4)


@pytest.mark.parametrize("activation", ["relu", "gelu"])
def test_encoder_block_initialises_and_computes_like_torch(activation):
    """Asserts that EncoderBlock draws, from the same seed, the parameters nn.TransformerEncoderLayer draws
    (float32 by default), and computes the same with GELU as with ReLU (ReLU being the default)."""
    torch.manual_seed(12)
    ours = EncoderBlock(64, 4, 128, norm_first=False, **({"activation": activation} if activation == "gelu" else {}))
    torch.manual_seed(12)
    theirs = nn.TransformerEncoderLayer(64, 4, 128, batch_first=True, activation=activation).eval()
    for name, reference in theirs.state_dict().items():
        torch.testing.assert_close(ours.state_dict()[name], reference, msg=name)
    x = torch.randn(2, 6, 64, generator=torch.Generator().manual_seed(13))
    # float32 through other kernels: ~1e-6 apart; ReLU vs GELU differ by ~1e-1
    torch.testing.assert_close(ours(x), theirs(x), atol=1e-4, rtol=0)


@pytest.mark.parametrize("t, seed", [(0, None), (3, 9), (5, 9)])
def test_future_change_measures_the_split_at_t(t, seed):
    """Asserts that future_change replaces exactly the tokens after t (with the seed's random tokens, seed 0 by
    default) and reports the largest change at positions 0..t and at t+1.., computed here directly."""
    ours, _ = pair()
    x = inputs()
    changed = x.clone()
    generator = torch.Generator().manual_seed(0 if seed is None else seed)
    changed[:, t + 1 :] = torch.randn(B, T - t - 1, C, generator=generator, dtype=DOUBLE)
    with torch.no_grad():
        difference = (ours(changed, changed, changed)[0] - ours(x, x, x)[0]).abs()
        past, future = future_change(ours, x, t, None, **({} if seed is None else {"seed": seed}))
    # the same kernels on the same shapes: equal up to rounding
    assert abs(past - difference[:, : t + 1].max().item()) < ROUNDING
    assert abs(future - difference[:, t + 1 :].max().item()) < ROUNDING
    assert past > 1e-3 and future > 1e-3
    assert torch.equal(x, inputs()), "future_change must not change its input"


def reference_image(H: int, W: int) -> torch.Tensor:
    """draw_image pixel by pixel, in float64 (x runs left to right, y top to bottom, both over [-1, 1])."""
    image = torch.zeros(1, 3, H, W, dtype=DOUBLE)
    for row in range(H):
        for col in range(W):
            x, y = -1 + 2 * col / (W - 1), -1 + 2 * row / (H - 1)
            image[0, 0, row, col] = float((x + 0.35) ** 2 + (y + 0.35) ** 2 < 0.09)
            image[0, 1, row, col] = float(abs(x - y) < 0.15)
            image[0, 2, row, col] = 0.4 * (x + 1)
    return image


@pytest.mark.parametrize("size", [(32, 32), (16, 24)])
def test_draw_image_is_the_described_picture(size):
    """Asserts that draw_image is a red disc of radius 0.3 at (-0.35, -0.35), a green stripe |x - y| < 0.15 and a
    blue ramp 0..0.8 from left to right, compared pixel by pixel with a loop written from that description."""
    image = draw_image(*size)
    reference = reference_image(*size)
    assert image.shape == (1, 3, *size) and image.dtype == torch.float32
    # the masks: float32 grid vs float64 loop can only differ on a pixel lying on a boundary, and none does here
    assert torch.equal(image[:, :2].double(), reference[:, :2])
    assert 10 < image[0, 0].sum() < 100 and image[0, 1].sum() > 0
    torch.testing.assert_close(image[:, 2].double(), reference[:, 2], atol=1e-6, rtol=0)  # float32 rounding
    assert draw_image().shape == (1, 3, 32, 32)


def test_patchify_reads_every_patch_row_by_row():
    """Asserts that patch n of patchify is the n-th P×P square read row by row, for every n, on a non-square image
    with B=2 (the test above checks one patch of one square image)."""
    images = torch.rand(2, 3, 12, 16, generator=torch.Generator().manual_seed(14))
    P = 4
    patches = patchify(images, P)
    assert patches.shape == (2, 12, 48)
    for n in range(12):
        row, col = divmod(n, 16 // P)
        # exact on purpose: patchify only moves numbers
        assert torch.equal(patches[:, n], images[:, :, row * P : (row + 1) * P, col * P : (col + 1) * P].reshape(2, -1))
    for P in (3, 5):  # 3 divides the height only, 5 neither side
        with pytest.raises(AssertionError, match=r"^the patch size must divide the image$"):
            patchify(images, P)


def test_tiny_vit_forward_equals_a_reference():
    """Asserts TinyViT's logits equal a computation written out from the paper's equations 1-4 with torch's own
    pre-norm GELU encoder layers (weights copied), and its trace names each step with its shape."""
    torch.manual_seed(0)
    model = TinyViT(image_size=32, P=8, D=64, nh=4, L=2, n_classes=10).double().eval()
    with torch.no_grad():
        model.class_token.normal_()  # a nonzero class token, so that a wrong one cannot hide
    images = torch.rand(3, 3, 32, 32, dtype=DOUBLE, generator=torch.Generator().manual_seed(15))
    trace: list[str] = []
    logits = model(images, trace)

    layers = []
    for block in model.blocks:
        layer = nn.TransformerEncoderLayer(64, 4, 256, batch_first=True, norm_first=True, activation="gelu",
                                           dtype=DOUBLE).eval()
        layer.load_state_dict(block.state_dict())  # d_ff = 4·D, the same names
        layers.append(layer)
    patches = F.unfold(images, kernel_size=8, stride=8).transpose(1, 2)  # (B, 16, 192), (channel, row, col) order
    z = torch.cat([model.class_token.expand(3, 1, 64), patches @ model.patch_embedding.weight.T
                   + model.patch_embedding.bias], dim=1) + model.position_embedding  # eq. 1
    for layer in layers:
        z = layer(z)  # eq. 2-3
    expected = model.head(F.layer_norm(z[:, 0], (64,), model.norm.weight, model.norm.bias))  # eq. 4
    assert logits.shape == (3, 10)
    torch.testing.assert_close(logits, expected, atol=TOL, rtol=0)  # float64, other kernels: ~1e-15 apart

    assert trace == [
        "images                     (B, 3, H, W)     (3, 3, 32, 32)",
        "patchify                   (B, N, 3·P·P)    (3, 16, 192)",
        "patch embedding            (B, N, D)        (3, 16, 64)",
        "prepend class token        (B, N + 1, D)    (3, 17, 64)",
        "add position embedding     (B, N + 1, D)    (3, 17, 64)",
        "encoder block 1            (B, N + 1, D)    (3, 17, 64)",
        "encoder block 2            (B, N + 1, D)    (3, 17, 64)",
        "class token state          (B, D)           (3, 64)",
        "head                       (B, n_classes)   (3, 10)",
    ]
    assert torch.equal(model(images), logits), "the trace is optional and changes nothing"


def test_tiny_vit_parameters_are_the_papers():
    """Asserts TinyViT's parameters: E (D, 3·P·P), a zero class token (1, 1, D), E_pos (1, N + 1, D) drawn with
    std 0.02, L pre-norm GELU blocks of width 4·D, a LayerNorm and a head (n_classes, D); float32."""
    torch.manual_seed(0)
    model = TinyViT(image_size=24, P=4, D=32, nh=4, L=3, n_classes=7)
    shapes = {name: tuple(p.shape) for name, p in model.named_parameters()}
    assert shapes["patch_embedding.weight"] == (32, 48) and shapes["class_token"] == (1, 1, 32)
    assert shapes["position_embedding"] == (1, 37, 32) and shapes["head.weight"] == (7, 32)
    assert shapes["blocks.2.linear1.weight"] == (128, 32) and "blocks.3.linear1.weight" not in shapes
    assert shapes["norm.weight"] == (32,) and model.P == 4
    assert (model.class_token == 0).all() and model.head.weight.dtype == torch.float32
    assert 0.015 < model.position_embedding.std().item() < 0.025  # 1184 draws of N(0, 0.02²)
    assert all(block.norm_first and block.activation is F.gelu for block in model.blocks)

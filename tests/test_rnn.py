"""The hand-written RNN, LSTM and GRU in snippets/rnn equal torch.nn's, forward and backward, in float64."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from snippets.rnn.gradients import gradient_norms
from snippets.rnn.gru import GRU, GRUCell
from snippets.rnn.lstm import LSTM, LSTMCell
from snippets.rnn.rnn import RNN, RNNCell

B, T, INPUT, H, LAYERS = 3, 7, 5, 4, 2
# Ours (Python loops over matmuls) vs torch.nn (fused C++ kernels): the same float64 sums in other orders, ~1e-16
# apart per operation and ~1e-15 after 7 steps and 2 layers. 1e-6 holds on any CPU's kernels and still catches a
# wrong gate or a swapped weight block, which are off by ~1e-1.
TOLERANCE = 1e-6
F64 = torch.float64

CELLS = {
    "rnn-tanh": (lambda: RNNCell(INPUT, H, dtype=F64), lambda: nn.RNNCell(INPUT, H, dtype=F64)),
    "rnn-relu": (lambda: RNNCell(INPUT, H, nonlinearity="relu", dtype=F64),
                 lambda: nn.RNNCell(INPUT, H, nonlinearity="relu", dtype=F64)),
    "lstm": (lambda: LSTMCell(INPUT, H, dtype=F64), lambda: nn.LSTMCell(INPUT, H, dtype=F64)),
    "gru": (lambda: GRUCell(INPUT, H, dtype=F64), lambda: nn.GRUCell(INPUT, H, dtype=F64)),
}
LAYERS_ = {
    "rnn-tanh": (lambda: RNN(INPUT, H, LAYERS, dtype=F64),
                 lambda: nn.RNN(INPUT, H, LAYERS, batch_first=True, dtype=F64)),
    "rnn-relu": (lambda: RNN(INPUT, H, LAYERS, nonlinearity="relu", dtype=F64),
                 lambda: nn.RNN(INPUT, H, LAYERS, nonlinearity="relu", batch_first=True, dtype=F64)),
    "lstm": (lambda: LSTM(INPUT, H, LAYERS, dtype=F64), lambda: nn.LSTM(INPUT, H, LAYERS, batch_first=True, dtype=F64)),
    "gru": (lambda: GRU(INPUT, H, LAYERS, dtype=F64), lambda: nn.GRU(INPUT, H, LAYERS, batch_first=True, dtype=F64)),
}
DIRECTIONS = ["torch-to-ours", "ours-to-torch"]


def paired(factories, direction: str, seed: int = 0) -> tuple[nn.Module, nn.Module]:
    """Our module and torch's holding the same weights, copied in the given direction."""
    torch.manual_seed(seed)
    ours, theirs = factories[0](), factories[1]()
    if direction == "torch-to-ours":
        ours.load_state_dict(theirs.state_dict())
    else:
        theirs.load_state_dict(ours.state_dict())
    return ours, theirs


def leaves(*shapes) -> list[torch.Tensor]:
    return [torch.randn(*shape, dtype=F64, requires_grad=True) for shape in shapes]


def flatten(output) -> list[torch.Tensor]:
    """The tensors of an output that may nest tuples: h, (h, c), (out, h_n), (out, (h_n, c_n))."""
    if isinstance(output, torch.Tensor):
        return [output]
    return [tensor for item in output for tensor in flatten(item)]


def assert_same_forward_and_backward(ours, theirs, run) -> None:
    """Runs `run(module, inputs)` on both modules with the same inputs, compares outputs and all gradients."""
    results = []
    for module in (ours, theirs):
        torch.manual_seed(1)
        inputs = leaves(*run.shapes)
        outputs = flatten(run(module, inputs))
        torch.manual_seed(2)
        weights = [torch.randn(output.shape, dtype=F64) for output in outputs]
        loss = sum((output * weight).sum() for output, weight in zip(outputs, weights, strict=True))
        parameters = dict(module.named_parameters())
        names = sorted(parameters)
        gradients = torch.autograd.grad(loss, inputs + [parameters[name] for name in names])
        results.append((outputs, dict(zip([f"input{i}" for i in range(len(inputs))] + names, gradients, strict=True))))
    (our_outputs, our_grads), (their_outputs, their_grads) = results
    assert len(our_outputs) == len(their_outputs)
    for mine, reference in zip(our_outputs, their_outputs, strict=True):
        torch.testing.assert_close(mine, reference, atol=TOLERANCE, rtol=0)
    assert our_grads.keys() == their_grads.keys()
    for name, gradient in our_grads.items():
        torch.testing.assert_close(gradient, their_grads[name], atol=TOLERANCE, rtol=0, msg=f"gradient of {name}")


def cell_run(kind: str, with_state: bool):
    """A function (module, inputs) -> output for a cell, and the input shapes it needs."""
    if kind == "lstm":
        def run(module, inputs):
            return module(inputs[0], (inputs[1], inputs[2])) if with_state else module(inputs[0])
        run.shapes = [(B, INPUT), (B, H), (B, H)] if with_state else [(B, INPUT)]
    else:
        def run(module, inputs):
            return module(inputs[0], inputs[1]) if with_state else module(inputs[0])
        run.shapes = [(B, INPUT), (B, H)] if with_state else [(B, INPUT)]
    return run


def layer_run(kind: str, with_state: bool):
    """A function (module, inputs) -> output for a sequence layer, and the input shapes it needs."""
    if kind == "lstm":
        def run(module, inputs):
            return module(inputs[0], (inputs[1], inputs[2])) if with_state else module(inputs[0])
        run.shapes = [(B, T, INPUT), (LAYERS, B, H), (LAYERS, B, H)] if with_state else [(B, T, INPUT)]
    else:
        def run(module, inputs):
            return module(inputs[0], inputs[1]) if with_state else module(inputs[0])
        run.shapes = [(B, T, INPUT), (LAYERS, B, H)] if with_state else [(B, T, INPUT)]
    return run


@pytest.mark.parametrize("with_state", [True, False], ids=["given-state", "zero-state"])
@pytest.mark.parametrize("direction", DIRECTIONS)
@pytest.mark.parametrize("kind", CELLS)
def test_cell_equals_torch(kind, direction, with_state):
    """Asserts that a cell's output and its gradients (inputs, state, every parameter) equal torch.nn's within 1e-6."""
    ours, theirs = paired(CELLS[kind], direction)
    assert_same_forward_and_backward(ours, theirs, cell_run(kind, with_state))


@pytest.mark.parametrize("with_state", [True, False], ids=["given-state", "zero-state"])
@pytest.mark.parametrize("direction", DIRECTIONS)
@pytest.mark.parametrize("kind", LAYERS_)
def test_two_layer_sequence_equals_torch(kind, direction, with_state):
    """Asserts that a 2-layer batch-first layer's outputs, final states and all gradients equal torch.nn's."""
    ours, theirs = paired(LAYERS_[kind], direction)
    assert_same_forward_and_backward(ours, theirs, layer_run(kind, with_state))


@pytest.mark.parametrize("kind", LAYERS_)
def test_parameters_are_named_and_shaped_like_torch(kind):
    """Asserts the state_dict keys and shapes are torch.nn's exactly (weight_ih_l0 (gates·H, I), ...)."""
    ours, theirs = LAYERS_[kind][0](), LAYERS_[kind][1]()
    assert {k: v.shape for k, v in ours.state_dict().items()} == {k: v.shape for k, v in theirs.state_dict().items()}
    ours, theirs = CELLS[kind][0](), CELLS[kind][1]()
    assert {k: v.shape for k, v in ours.state_dict().items()} == {k: v.shape for k, v in theirs.state_dict().items()}


def test_single_layer_equals_torch():
    """Asserts that num_layers=1 works too: our 1-layer LSTM equals nn.LSTM(num_layers=1)."""
    torch.manual_seed(0)
    ours, theirs = LSTM(INPUT, H, 1, dtype=F64), nn.LSTM(INPUT, H, 1, batch_first=True, dtype=F64)
    ours.load_state_dict(theirs.state_dict())
    x = torch.randn(B, T, INPUT, dtype=F64)
    (out, (h_n, c_n)), (out_ref, (h_n_ref, c_n_ref)) = ours(x), theirs(x)
    for mine, reference in ((out, out_ref), (h_n, h_n_ref), (c_n, c_n_ref)):
        torch.testing.assert_close(mine, reference, atol=TOLERANCE, rtol=0)


def test_gradient_at_distance_zero_is_the_readout():
    """Asserts that the measured ||dL/dh_T|| equals ||w|| for L = w · h_T, and that the norms are all finite."""
    norms = gradient_norms("tanh", seed=3, T=10)
    torch.manual_seed(3)
    RNNCell(8, 32, dtype=F64)
    torch.randn(1, 10, 8, dtype=F64)
    readout = torch.randn(32, dtype=F64)
    assert norms.shape == (10,) and torch.isfinite(norms).all()
    # dL/dh_T is w copied (times 1), but the two norms are two reductions over differently shaped tensors:
    # 32 float64 squares, ~1e-15 apart at most
    assert abs(norms[0].item() - readout.norm().item()) < 1e-12

"""The hand-written RNN, LSTM and GRU in snippets/rnn equal torch.nn's, forward and backward, in float64."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from snippets.rnn import gradients
from snippets.rnn.gradients import MODELS, geometric_mean_norms, gradient_norms
from snippets.rnn.gru import GRU, GRUCell
from snippets.rnn.lstm import LSTM, LSTMCell
from snippets.rnn.rnn import RNN, RNNCell, rnn_step

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


# The checks below were added for mutation testing (`make mutants`, tests/mutants.md): each one kills mutants of
# snippets/rnn that the parity tests above let through.


@pytest.mark.parametrize("kind", LAYERS_)
def test_default_initialisation_is_torchs(kind):
    """Asserts that, from the same seed, our layers and cells draw the very weights torch.nn draws: every entry
    from U(-1/sqrt(H), 1/sqrt(H)), in the same order (the gradient pages' "PyTorch default init")."""
    for ours_factory, theirs_factory in (LAYERS_[kind], CELLS[kind]):
        torch.manual_seed(5)
        ours = ours_factory()
        torch.manual_seed(5)
        theirs = theirs_factory()
        # the same uniform_ calls on the same generator: equal; a tolerance still, not bit-for-bit
        for name, reference in theirs.state_dict().items():
            torch.testing.assert_close(ours.state_dict()[name], reference, msg=name)
            assert reference.abs().max().item() <= 1 / math.sqrt(H)


@pytest.mark.parametrize("kind", ["rnn-tanh", "lstm", "gru"])
def test_defaults_are_torchs(kind):
    """Asserts that the defaults (one layer, tanh, the default float32) are those of torch.nn: the same
    parameter names, shapes and dtypes, and the same outputs for the same weights."""
    ours_layer = {"rnn-tanh": RNN, "lstm": LSTM, "gru": GRU}[kind](INPUT, H)
    theirs_layer = {"rnn-tanh": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[kind](INPUT, H, batch_first=True)
    ours_cell = {"rnn-tanh": RNNCell, "lstm": LSTMCell, "gru": GRUCell}[kind](INPUT, H)
    theirs_cell = {"rnn-tanh": nn.RNNCell, "lstm": nn.LSTMCell, "gru": nn.GRUCell}[kind](INPUT, H)
    for ours, theirs in ((ours_layer, theirs_layer), (ours_cell, theirs_cell)):
        assert {k: (v.shape, v.dtype) for k, v in ours.state_dict().items()} == {
            k: (v.shape, v.dtype) for k, v in theirs.state_dict().items()
        }
        ours.load_state_dict(theirs.state_dict())
    torch.manual_seed(3)
    x = torch.randn(B, T, INPUT)
    # float32 through other kernels: ~1e-7 apart; 1e-4 still catches a wrong default (tanh vs ReLU: ~1e-1)
    for mine, reference in zip(flatten(ours_layer(x)), flatten(theirs_layer(x)), strict=True):
        torch.testing.assert_close(mine, reference, atol=1e-4, rtol=0)
    for mine, reference in zip(flatten(ours_cell(x[:, 0])), flatten(theirs_cell(x[:, 0])), strict=True):
        torch.testing.assert_close(mine, reference, atol=1e-4, rtol=0)


def reference_gradient_norms(kind: str, seed: int, H: int = 32, T: int = 60, input_size: int = 8,
                             recurrent_gain: float | None = None, forget_bias: float = 0.0) -> torch.Tensor:
    """gradient_norms written another way: torch.nn's cells (which draw their weights from the generator in the
    same order as ours), the forget gate found by name (gate 1 of i | f | g | o), and autograd.grad instead of
    retain_grad."""
    torch.manual_seed(seed)
    if kind == "lstm":
        cell = nn.LSTMCell(input_size, H, dtype=F64)
    else:
        cell = nn.RNNCell(input_size, H, nonlinearity=kind, dtype=F64)
    with torch.no_grad():
        if recurrent_gain is not None:
            cell.weight_hh.normal_(0.0, recurrent_gain / H**0.5)
        if kind == "lstm":
            cell.bias_ih.view(4, H)[1] += forget_bias  # the forget gate's rows
    x = torch.randn(1, T, input_size, dtype=F64)
    readout = torch.randn(H, dtype=F64)
    h = torch.zeros(1, H, dtype=F64)
    c = torch.zeros(1, H, dtype=F64)
    hidden = []
    for t in range(T):
        if kind == "lstm":
            h, c = cell(x[:, t], (h, c))
        else:
            h = cell(x[:, t], h)
        hidden.append(h)
    grads = torch.autograd.grad((hidden[-1] @ readout).sum(), hidden)
    return torch.stack([g.norm() for g in reversed(grads)])  # by distance T - t


# Ours vs torch.nn's cells, 60 steps: the norms (1e-20 .. 1e2) agree to ~1e-13 relative; 1e-9 allows for any CPU
# and still catches a wrong setting, which moves them by orders of magnitude.
GRADIENT_RTOL = 1e-9


@pytest.mark.parametrize(
    "kind, setting",
    [("tanh", {}), ("relu", {"recurrent_gain": 1.5}), ("lstm", {}), ("lstm", {"forget_bias": 3.0}),
     ("tanh", {"recurrent_gain": 1.5, "H": 16, "T": 12, "input_size": 3})],
    ids=["tanh-default", "relu-gain-1.5", "lstm", "lstm-forget-3", "tanh-small"],
)
def test_gradient_norms_equal_a_reference(kind, setting):
    """Asserts that gradient_norms (the RNN and LSTM pages' measurement) equals the reference above, with its
    defaults (H=32, T=60, 8 inputs) and with each setting changed."""
    norms = gradient_norms(kind, seed=4, **setting)
    reference = reference_gradient_norms(kind, 4, **setting)
    assert norms.dtype == F64 and norms.shape == reference.shape
    torch.testing.assert_close(norms, reference, rtol=GRADIENT_RTOL, atol=0)


def test_forget_bias_lands_on_the_forget_gate_rows(monkeypatch):
    """Asserts that forget_bias=3 adds 3 to rows H..2H of bias_ih (the forget gate of i | f | g | o) and to nothing
    else: the LSTM cell gradient_norms builds is the seed's cell plus exactly that."""
    built = []

    class Recorded(gradients.LSTMCell):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            built.append(self)

    monkeypatch.setattr(gradients, "LSTMCell", Recorded)
    hidden = 8
    gradient_norms("lstm", seed=2, H=hidden, T=3, forget_bias=3.0)
    torch.manual_seed(2)
    fresh = LSTMCell(8, hidden, dtype=F64)
    (cell,) = built
    shift = (cell.bias_ih - fresh.bias_ih).detach().view(4, hidden)  # rows: i, f, g, o
    expected = torch.tensor([0.0, 3.0, 0.0, 0.0], dtype=F64).repeat_interleave(hidden).view(4, hidden)
    torch.testing.assert_close(shift, expected)
    for name in ("weight_ih", "weight_hh", "bias_hh"):
        assert torch.equal(getattr(cell, name), getattr(fresh, name)), name  # untouched copies of the seed's draw


def test_geometric_mean_is_the_mean_of_logs():
    """Asserts that geometric_mean_norms is exp(mean over seeds of log norms), over seeds 0..4 by default, with the
    model's kind and forget-gate bias taken from MODELS."""
    per_seed = torch.stack([reference_gradient_norms("tanh", seed, T=20) for seed in range(5)])
    expected = per_seed.log().mean(dim=0).exp()
    torch.testing.assert_close(geometric_mean_norms("tanh RNN", T=20), expected, rtol=GRADIENT_RTOL, atol=0)
    assert MODELS["LSTM, b_f = 3"] == ("lstm", 3.0)
    per_seed = torch.stack([reference_gradient_norms("lstm", seed, T=12, forget_bias=3.0) for seed in (1, 2)])
    expected = per_seed.log().mean(dim=0).exp()
    got = geometric_mean_norms("LSTM, b_f = 3", seeds=range(1, 3), T=12)
    torch.testing.assert_close(got, expected, rtol=GRADIENT_RTOL, atol=0)


def test_forget_bias_keeps_the_gradient_alive():
    """Asserts the LSTM page's claim on a cheap setting: with b_f = 3 the gradient 50 steps back is more than 1000
    times larger, relative to the last step, than with b_f = 0 (geometric mean over 5 seeds, default init)."""
    ratio = {name: (lambda g: (g[50] / g[0]).item())(geometric_mean_norms(name)) for name in ("LSTM", "LSTM, b_f = 3")}
    assert ratio["LSTM, b_f = 3"] > 1e3 * ratio["LSTM"] and ratio["LSTM, b_f = 3"] > 1e-3, ratio


@pytest.mark.parametrize("kind", LAYERS_)
def test_more_layers_than_batch_rows_from_zero_state(kind):
    """Asserts that a 3-layer sequence layer started from the zero state (L, B, H) equals torch.nn's with a batch
    of 2 (more layers than batch rows, so the state must be indexed by layer, not by batch row)."""
    factories = {
        "rnn-tanh": (lambda: RNN(INPUT, H, 3, dtype=F64), lambda: nn.RNN(INPUT, H, 3, batch_first=True, dtype=F64)),
        "rnn-relu": (lambda: RNN(INPUT, H, 3, nonlinearity="relu", dtype=F64),
                     lambda: nn.RNN(INPUT, H, 3, nonlinearity="relu", batch_first=True, dtype=F64)),
        "lstm": (lambda: LSTM(INPUT, H, 3, dtype=F64), lambda: nn.LSTM(INPUT, H, 3, batch_first=True, dtype=F64)),
        "gru": (lambda: GRU(INPUT, H, 3, dtype=F64), lambda: nn.GRU(INPUT, H, 3, batch_first=True, dtype=F64)),
    }
    ours, theirs = paired(factories[kind], "torch-to-ours")
    x = torch.randn(2, T, INPUT, dtype=F64, generator=torch.Generator().manual_seed(6))
    for mine, reference in zip(flatten(ours(x)), flatten(theirs(x)), strict=True):
        assert mine.shape == reference.shape
        torch.testing.assert_close(mine, reference, atol=TOLERANCE, rtol=0)


def test_rnn_step_is_tanh_by_default():
    """Asserts that rnn_step (shown on the RNN page) applies tanh when no nonlinearity is named, ReLU when asked."""
    torch.manual_seed(7)
    cell = nn.RNNCell(INPUT, H, dtype=F64)
    x, h = torch.randn(B, INPUT, dtype=F64), torch.randn(B, H, dtype=F64)
    weights = (cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh)
    pre = x @ cell.weight_ih.T + cell.bias_ih + h @ cell.weight_hh.T + cell.bias_hh
    torch.testing.assert_close(rnn_step(x, h, *weights), torch.tanh(pre), atol=TOLERANCE, rtol=0)
    torch.testing.assert_close(rnn_step(x, h, *weights, "relu"), torch.relu(pre), atol=TOLERANCE, rtol=0)

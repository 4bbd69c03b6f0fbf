"""The minimal training loop in snippets/training learns the generated bars, and does so the same way every run."""

from __future__ import annotations

import re
import subprocess
import sys

import torch
from conftest import ROOT

from snippets.training.minimal_loop import CLASSES, TinyCNN, make_bars, train

CHANCE = 1 / len(CLASSES)


def test_dataset_is_seeded_and_balanced():
    """Asserts that the generated dataset has the documented shapes, repeats for a seed and covers every class."""
    first, second = make_bars(300, seed=3), make_bars(300, seed=3)
    images, labels = first.tensors
    assert images.shape == (300, 1, 8, 8) and labels.shape == (300,)
    # exact on purpose: the same seeded generator and the same ops, run twice in one process
    assert torch.equal(images, second.tensors[0]) and torch.equal(labels, second.tensors[1])
    assert not torch.equal(images, make_bars(300, seed=4).tensors[0])
    counts = torch.bincount(labels, minlength=len(CLASSES))
    assert counts.min() > 60, counts


def test_clean_images_hold_exactly_one_bar_of_their_class():
    """Asserts that without noise each image is one bar of 8 pixels, horizontal, vertical or diagonal as labelled."""
    images, labels = make_bars(60, seed=0, noise=0.0).tensors
    for image, label in zip(images[:, 0], labels, strict=True):
        # exact: pixels are 0.0 or 1.0 and sums of a few such floats are exact integers in float32
        assert image.sum() == 8
        if label == 0:
            assert (image.sum(dim=1) == 8).sum() == 1  # one full row
        elif label == 1:
            assert (image.sum(dim=0) == 8).sum() == 1  # one full column
        else:
            assert (image.sum(dim=0) == 1).all() and (image.sum(dim=1) == 1).all()


def test_model_maps_images_to_class_logits():
    """Asserts that TinyCNN turns (B, 1, 8, 8) images into (B, 3) logits."""
    assert TinyCNN()(torch.zeros(5, 1, 8, 8)).shape == (5, len(CLASSES))


def test_loop_learns_well_above_chance():
    """Asserts that with the fixed seed the loss falls and held-out accuracy beats chance (1/3) by a wide margin."""
    result = train()
    assert len(result.losses) == 5
    assert result.losses[-1] < 0.5 * result.losses[0], result.losses
    assert result.accuracy > CHANCE + 0.5, result.accuracy


def test_loop_is_deterministic():
    """Asserts that two runs with the same seed give identical loss histories and accuracy, and another seed differs."""
    first, second = train(epochs=2), train(epochs=2)
    # exact on purpose: the same code path twice in one process (same kernels, shapes and thread count); across
    # CPUs the losses differ in the last bits, which is why the snippet prints them rounded
    assert first.losses == second.losses
    assert first.accuracy == second.accuracy
    assert train(epochs=2, seed=1).losses != first.losses


def test_snippet_runs_as_main():
    """Asserts that `python -m snippets.training.minimal_loop` exits 0 and prints each epoch's loss and the accuracy."""
    done = subprocess.run([sys.executable, "-m", "snippets.training.minimal_loop"], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert len(re.findall(r"^epoch \d: loss \d\.\d{2}$", done.stdout, re.MULTILINE)) == 5, done.stdout
    accuracy = float(re.search(r"test accuracy (\d\.\d{3})", done.stdout).group(1))
    assert accuracy > CHANCE + 0.5, done.stdout
